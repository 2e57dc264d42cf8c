"""Emails in tests: send what the outbox owes (what the worker's send task does), then read
the backend's files."""

from __future__ import annotations

import email
import email.message

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.core.db import transaction
from services.core.models import Notification
from services.core.notifications import send
from services.core.settings import Settings


def send_owed(factory: sessionmaker[Session], settings: Settings) -> int:
    """Send every owed, unsent email, each in its own transaction; returns how many went."""
    with transaction(factory) as session:
        owed = session.scalars(
            select(Notification.id)
            .where(Notification.sent_at.is_(None))
            .order_by(Notification.created_at)
        ).all()
    sent = 0
    for notification_id in owed:
        with transaction(factory) as session:
            sent += send(session=session, notification_id=notification_id, settings=settings)
    return sent


def read_mails(settings: Settings) -> list[email.message.Message]:
    """Every email the file backend wrote, oldest first."""
    if not settings.mail_dir.exists():
        return []
    paths = sorted(settings.mail_dir.glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
    return [email.message_from_bytes(path.read_bytes()) for path in paths]
