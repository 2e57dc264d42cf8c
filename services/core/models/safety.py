"""Safety, consent and control: what people do to stay safe, and what coordinators read."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.core.db import Base, EnumText, UTCDateTime, utcnow
from services.core.vocabulary import AccessKind, ReportCategory, ReportStatus


class SupportResource(Base):
    """One crisis or support line an organization shows its members (defaults otherwise)."""

    __tablename__ = "support_resources"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    contact: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    hours: Mapped[str] = mapped_column(String(120))


class Block(Base):
    """A participant's block of the other side of an introduction."""

    __tablename__ = "blocks"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    introduction_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("introductions.id", ondelete="SET NULL")
    )
    blocker_user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    blocked_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The alias the blocker knew them by, so the list still reads after a profile goes.
    other_alias: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Report(Base):
    """A participant's report about the other side, in the coordinators' queue."""

    __tablename__ = "reports"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    introduction_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("introductions.id", ondelete="SET NULL")
    )
    # Either may erase their account: the report stays for the others' safety, naming nobody.
    reporter_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reported_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Read at filing time, so the queue needs no joins: the reporter's side and the alias
    # they knew the other by ("someone who has left" once that account is erased).
    reporter_role: Mapped[str] = mapped_column(String(10))
    reported_alias: Mapped[str] = mapped_column(String(40))
    category: Mapped[ReportCategory] = mapped_column(EnumText(ReportCategory, 20))
    details: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ReportStatus] = mapped_column(
        EnumText(ReportStatus, 10), default=ReportStatus.open, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    resolution_note: Mapped[str | None] = mapped_column(String(1000))


class AccessLogEntry(Base):
    """A coordinator read a member's profile, introduction or contact details."""

    __tablename__ = "access_log"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    member_user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    coordinator_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    what: Mapped[AccessKind] = mapped_column(EnumText(AccessKind, 20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
