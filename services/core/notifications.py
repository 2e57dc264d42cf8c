"""Emails owed in the transaction that causes them and sent by a worker, once: each step of
an introduction, coordinators' queues, mentor vetting, and the account emails.

What each says is in `email_texts`: only what happened and where to act; no names, no
aliases, nothing about recovery, because a mailbox is not always private.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from email.message import EmailMessage
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.core import email_texts
from services.core.accounts.security import reset_token_for
from services.core.db import utcnow
from services.core.models import Notification, Profile, Role, User
from services.core.models.accounts import PasswordReset
from services.core.outbox import enqueue
from services.core.settings import Settings
from services.core.task_names import SEND_TASK

if TYPE_CHECKING:
    from services.core.models import Introduction

logger = logging.getLogger("peermatch.notifications")
PASSWORD_RESET = "password_reset"


def _owe(session: Session, notification: Notification, *, dedupe: bool) -> None:
    """Add one owed email and its send task; with `dedupe`, a second one is skipped."""
    if dedupe:
        try:
            with session.begin_nested():
                session.add(notification)
                session.flush()
        except IntegrityError:
            return  # already owed: a repeated task creates nothing twice
    else:
        notification.id = notification.id or uuid.uuid4()
        session.add(notification)
    enqueue(session=session, task=SEND_TASK, notification_id=str(notification.id))


def notify_participants(
    *,
    session: Session,
    introduction: Introduction,
    kind: str,
    only: uuid.UUID | None = None,
) -> None:
    """Owe the participants (or just the profile `only`) an email about this step (once per
    person, step and pair)."""
    profile_ids = [introduction.mentee_profile_id, introduction.mentor_profile_id]
    if only is not None:
        profile_ids = [only]
    user_ids = session.scalars(
        select(Profile.user_id).where(Profile.id.in_([p for p in profile_ids if p is not None]))
    ).all()
    for user_id in sorted(set(user_ids)):
        notification = Notification(
            introduction_id=introduction.id, recipient_id=user_id, kind=kind
        )
        _owe(session, notification, dedupe=True)


def notify_new_introduction(
    *, session: Session, introduction: Introduction, kind: str, user_ids: tuple[uuid.UUID, ...]
) -> None:
    """Owe both people an email about a just-created introduction (nothing to dedupe yet)."""
    for user_id in dict.fromkeys(user_ids):
        notification = Notification(
            id=uuid.uuid4(), introduction_id=introduction.id, recipient_id=user_id, kind=kind
        )
        _owe(session, notification, dedupe=False)


def notify_user(
    *, session: Session, user_id: uuid.UUID, kind: str, subject_id: uuid.UUID | None = None
) -> None:
    """Owe one person an email not about an introduction (an application, a reset link)."""
    notification = Notification(
        id=uuid.uuid4(), recipient_id=user_id, kind=kind, subject_id=subject_id
    )
    _owe(session, notification, dedupe=False)


def notify_coordinators(
    *,
    session: Session,
    organization_id: uuid.UUID,
    kind: str,
    introduction_id: uuid.UUID | None = None,
    subject_id: uuid.UUID | None = None,
) -> None:
    """Owe every coordinator of an organization an email (once per introduction and kind)."""
    coordinators = session.scalars(
        select(User.id)
        .where(User.organization_id == organization_id, User.role == Role.coordinator)
        .order_by(User.id)
    ).all()
    for user_id in coordinators:
        notification = Notification(
            id=uuid.uuid4(),
            introduction_id=introduction_id,
            recipient_id=user_id,
            kind=kind,
            subject_id=subject_id,
        )
        _owe(session, notification, dedupe=introduction_id is not None)


def _message(to: str, settings: Settings, subject_and_body: tuple[str, str]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.email_from
    message["To"] = to
    message["Subject"], body = subject_and_body
    message.set_content(body)
    return message


def _reset_text(
    session: Session, notification: Notification, settings: Settings
) -> tuple[str, str] | None:
    """The reset email, with the token derived again from the link's id; None when the link
    was used or replaced meanwhile (an expired one is sent: the page then says so)."""
    reset = session.get(PasswordReset, notification.subject_id) if notification.subject_id else None
    if reset is None or reset.used_at is not None:
        return None
    token = reset_token_for(reset.id, secret=settings.secret_key)
    return email_texts.password_reset(
        public_url=settings.public_url, token=token, minutes=settings.password_reset_minutes
    )


def deliver(settings: Settings, message: EmailMessage, key: str) -> None:
    """Hand one message to the configured backend."""
    if settings.email_backend == "file":
        settings.mail_dir.mkdir(parents=True, exist_ok=True)
        (settings.mail_dir / f"{key}.eml").write_bytes(bytes(message))
        return
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


def send(*, session: Session, notification_id: uuid.UUID, settings: Settings) -> bool:
    """Send one owed email unless it was sent already; True if sent now."""
    notification = session.get(Notification, notification_id, with_for_update=True)
    if notification is None or notification.sent_at is not None:
        return False
    recipient = session.get(User, notification.recipient_id)
    if recipient is None:
        return False
    if notification.kind == PASSWORD_RESET:
        text = _reset_text(session, notification, settings)
        if text is None:
            return False
    else:
        text = email_texts.compose(kind=notification.kind, public_url=settings.public_url)
    message = _message(recipient.email, settings, text)
    deliver(settings, message, str(notification.id))
    notification.sent_at = utcnow()
    logger.info("sent %s notification %s", notification.kind, notification.id)
    return True
