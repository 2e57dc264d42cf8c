"""Introductions, their history of steps, and the pairs that must not meet again."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.core.db import Base, EnumText, UTCDateTime, utcnow
from services.core.models.profiles import Profile
from services.core.vocabulary import ActorRole, Answer, IntroductionSource, IntroductionStatus

_HOLDING_SQL = "status IN ('proposed', 'awaiting_approval', 'active')"


class Introduction(Base):
    """A proposed, approved or past pairing of a mentee with a mentor."""

    __tablename__ = "introductions"
    __table_args__ = (
        # The database itself refuses a second open or active introduction for a mentee,
        # however many workers race to propose one.
        Index(
            "uq_introductions_holding_mentee",
            "mentee_profile_id",
            unique=True,
            postgresql_where=text(_HOLDING_SQL),
            sqlite_where=text(_HOLDING_SQL),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    mentee_profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), index=True
    )
    mentor_profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[IntroductionStatus] = mapped_column(
        EnumText(IntroductionStatus, 20), default=IntroductionStatus.proposed, index=True
    )
    mentee_response: Mapped[Answer] = mapped_column(EnumText(Answer, 10), default=Answer.pending)
    mentor_response: Mapped[Answer] = mapped_column(EnumText(Answer, 10), default=Answer.pending)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # What the cards show: rounded distance (None when online) and weekly overlap.
    distance_km: Mapped[float | None] = mapped_column(Float)
    overlap_minutes: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[IntroductionSource] = mapped_column(EnumText(IntroductionSource, 20))
    matching_run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("matching_runs.id", ondelete="SET NULL")
    )
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Loaded only on purpose (`transitions.WITH_PROFILES`): a missed eager load fails loudly.
    mentee_profile: Mapped[Profile] = relationship(foreign_keys=[mentee_profile_id], lazy="raise")
    mentor_profile: Mapped[Profile] = relationship(foreign_keys=[mentor_profile_id], lazy="raise")


class IntroductionEvent(Base):
    """One transition of an introduction: who, when, from, to."""

    __tablename__ = "introduction_events"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    introduction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("introductions.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_role: Mapped[ActorRole] = mapped_column(EnumText(ActorRole, 20))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[IntroductionStatus | None] = mapped_column(EnumText(IntroductionStatus, 20))
    to_status: Mapped[IntroductionStatus] = mapped_column(EnumText(IntroductionStatus, 20))
    note: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PairExclusion(Base):
    """A mentee-mentor pair that must never be proposed again (declined, rejected, ended)."""

    __tablename__ = "pair_exclusions"

    mentee_profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    mentor_profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
