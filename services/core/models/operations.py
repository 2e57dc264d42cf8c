"""The machinery's own records: batch runs, the outbox and the emails owed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy import UniqueConstraint as Unique
from sqlalchemy.orm import Mapped, mapped_column

from services.core.db import Base, EnumText, UTCDateTime, utcnow
from services.core.vocabulary import MatchingRunStatus


class MatchingRun(Base):
    """A batch assignment over one organization."""

    __tablename__ = "matching_runs"
    __table_args__ = (
        # One queued or running run per organization, however many requests race.
        Index(
            "uq_matching_runs_open_organization",
            "organization_id",
            unique=True,
            postgresql_where=text("status IN ('queued', 'running')"),
            sqlite_where=text("status IN ('queued', 'running')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[MatchingRunStatus] = mapped_column(
        EnumText(MatchingRunStatus, 20), default=MatchingRunStatus.queued
    )
    mentees_considered: Mapped[int] = mapped_column(Integer, default=0)
    proposals_created: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """A task to send to the broker, written in the same transaction as its cause."""

    __tablename__ = "outbox_messages"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    task: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class Notification(Base):
    """An email owed to one person: a step of an introduction (`introduction_id`), or
    something else (`subject_id`: a mentor's profile, a password-reset link); sent at most
    once."""

    __tablename__ = "notifications"
    __table_args__ = (
        Unique("introduction_id", "kind", "recipient_id", name="uq_notifications_once"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    introduction_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("introductions.id", ondelete="CASCADE")
    )
    # What a notification not about an introduction is about (no foreign key: the row it
    # names may go first, and then the email is simply not sent).
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
