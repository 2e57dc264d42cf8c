"""Emails at each step of an introduction: owed in the transaction, sent by a worker, once.

Emails say only that something happened and where to look: no names, no aliases, nothing
about recovery, because a mailbox is not always private.
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

from services.core.db import utcnow
from services.core.models import Notification, Profile, User
from services.core.outbox import enqueue
from services.core.settings import Settings
from services.core.task_names import SEND_TASK

if TYPE_CHECKING:
    from services.core.models import Introduction

logger = logging.getLogger("peermatch.notifications")

SUBJECTS = {
    "proposed": "You have a new introduction to consider",
    "awaiting_approval": "Both of you accepted: a coordinator will review the introduction",
    "active": "Your introduction is approved: contact details are now shared",
    "declined": "An introduction was declined",
    "rejected": "An introduction was not approved",
    "expired": "An introduction expired without an answer",
    "ended": "A mentorship has ended",
}


def notify_participants(*, session: Session, introduction: Introduction, kind: str) -> None:
    """Owe both participants an email about this step (once per person, step and pair)."""
    user_ids = session.scalars(
        select(Profile.user_id).where(
            Profile.id.in_([introduction.mentee_profile_id, introduction.mentor_profile_id])
        )
    ).all()
    for user_id in set(user_ids):
        notification = Notification(
            introduction_id=introduction.id, recipient_id=user_id, kind=kind
        )
        try:
            with session.begin_nested():
                session.add(notification)
                session.flush()
        except IntegrityError:
            continue  # already owed: a repeated task creates nothing twice
        enqueue(session=session, task=SEND_TASK, notification_id=str(notification.id))


def notify_new_introduction(
    *, session: Session, introduction: Introduction, kind: str, user_ids: tuple[uuid.UUID, ...]
) -> None:
    """Owe both people an email about a just-created introduction (nothing to dedupe yet)."""
    for user_id in dict.fromkeys(user_ids):
        notification = Notification(
            id=uuid.uuid4(), introduction_id=introduction.id, recipient_id=user_id, kind=kind
        )
        session.add(notification)
        enqueue(session=session, task=SEND_TASK, notification_id=str(notification.id))


def _message(settings: Settings, to: str, kind: str, introduction_id: uuid.UUID) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.email_from
    message["To"] = to
    message["Subject"] = f"PeerMatch: {SUBJECTS.get(kind, 'an update on an introduction')}"
    message.set_content(
        "There is news about one of your introductions on PeerMatch.\n\n"
        f"Log in to read it: {settings.public_url} (introduction {introduction_id}).\n\n"
        "You receive this because you hold a profile on PeerMatch.\n"
    )
    return message


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
    message = _message(settings, recipient.email, notification.kind, notification.introduction_id)
    deliver(settings, message, str(notification.id))
    notification.sent_at = utcnow()
    logger.info("sent %s notification %s", notification.kind, notification.id)
    return True
