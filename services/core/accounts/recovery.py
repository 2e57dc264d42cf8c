"""Account recovery: a single-use, expiring link to choose a new password.

Asking always gets the same answer, whether or not the email has an account. Only the
SHA-256 of a link's token is stored; the token itself exists in the email alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.core.accounts import limits
from services.core.accounts.mail import password_reset_message
from services.core.accounts.security import hash_reset_token, new_reset_token
from services.core.accounts.sessions import set_password
from services.core.errors import InvalidInput
from services.core.models import User
from services.core.models.accounts import AuthAttemptKind, PasswordReset
from services.core.settings import Settings

ACCEPTED = (
    "If an account uses this email address, we have sent it a link to choose a new password. "
    "Please check your inbox."
)
# Links sent to one address per window, so that nobody can flood someone's mailbox.
EMAILS_PER_WINDOW = 3
_INVALID_LINK = "This link has expired or was already used. Please ask for a new one."


def request_reset(
    *, session: Session, settings: Settings, email: str, client: str, now: datetime
) -> EmailMessage | None:
    """Counts the request against the client's limit and, if the email has an account,
    stores a new link (replacing unused ones) and returns the email that carries it."""
    limits.refuse_if_limited(
        limits.check_client(session=session, settings=settings, client=client, now=now)
    )
    email = email.lower()
    earlier = limits.count(
        session=session,
        settings=settings,
        kind=AuthAttemptKind.password_reset,
        email=email,
        now=now,
    )
    limits.record(
        session=session,
        settings=settings,
        kind=AuthAttemptKind.password_reset,
        client=client,
        email=email,
        now=now,
    )
    session.execute(delete(PasswordReset).where(PasswordReset.expires_at <= now))
    user = session.scalar(select(User).where(User.email == email))
    if user is None or earlier >= EMAILS_PER_WINDOW:
        return None
    for unused in session.scalars(
        select(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)
        )
    ):
        unused.used_at = now
    token = new_reset_token()
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=hash_reset_token(token),
            created_at=now,
            expires_at=now + timedelta(minutes=settings.password_reset_minutes),
        )
    )
    session.flush()
    return password_reset_message(settings, user.email, token)


def confirm_reset(*, session: Session, token: str, new_password: str, now: datetime) -> None:
    """Sets the new password if the link is known, unused and unexpired (else 422), uses the
    link up and revokes every earlier token."""
    reset = session.scalar(
        select(PasswordReset)
        .where(PasswordReset.token_hash == hash_reset_token(token))
        .with_for_update()
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise InvalidInput("token", _INVALID_LINK)
    user = session.get(User, reset.user_id)
    if user is None:
        raise InvalidInput("token", _INVALID_LINK)
    reset.used_at = now
    session.flush()
    set_password(session=session, user=user, new_password=new_password)
