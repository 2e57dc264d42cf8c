"""The two emails about an account itself: someone tried to register with it, and a link to
choose a new password. Sent after the response (the router hands them to a background task),
so how long a request takes does not tell whether an email has an account. They reach the
mail backend that introductions' emails use (`notifications.deliver`)."""

from __future__ import annotations

import logging
import uuid
from email.message import EmailMessage

from services.core.notifications import deliver
from services.core.settings import Settings

# Where the web app shows the form to choose a new password; the token follows in the query.
RESET_PATH = "/reset-password"
logger = logging.getLogger("peermatch.accounts")


def _message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.email_from
    message["To"] = to
    message["Subject"] = f"PeerMatch: {subject}"
    message.set_content(body)
    return message


def registration_attempt_message(settings: Settings, to: str) -> EmailMessage:
    """Tell an address's owner that someone tried to create an account with it."""
    body = (
        "Someone just tried to create a PeerMatch account with this email address, which\n"
        "already has one. Nothing was changed.\n\n"
        "If it was you, you can log in as usual. If you have forgotten your password, you can\n"
        f"choose a new one: {settings.public_url}{RESET_PATH}\n\n"
        "If it was not you, you do not need to do anything.\n"
    )
    return _message(settings, to, "about your account", body)


def password_reset_message(settings: Settings, to: str, token: str) -> EmailMessage:
    """A single-use link to choose a new password."""
    body = (
        "Someone (we hope you) asked to choose a new password for your PeerMatch account.\n\n"
        f"Choose a new password here: {settings.public_url}{RESET_PATH}?token={token}\n\n"
        f"The link works once, for {settings.password_reset_minutes} minutes. Choosing a new\n"
        "password logs you out everywhere.\n\n"
        "If you did not ask for this, you do not need to do anything: your password stays\n"
        "as it is.\n"
    )
    return _message(settings, to, "choose a new password", body)


def send_account_email(settings: Settings, message: EmailMessage) -> None:
    """Hand one account email to the configured backend, under a fresh name; never raise."""
    try:
        deliver(settings, message, f"account-{uuid.uuid4()}")
    except Exception as error:
        # The class only: an SMTP error's text can carry the recipient's address.
        logger.warning("could not send an account email (%s)", type(error).__name__)
