"""Introductions, their history of steps, and the pairs that must not meet again."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy import UniqueConstraint as Unique
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.core.db import Base, EnumText, UTCDateTime, utcnow
from services.core.models.profiles import Profile
from services.core.vocabulary import (
    ActorRole,
    Answer,
    DeclineReason,
    EndReason,
    ExclusionReason,
    IntroductionSource,
    IntroductionStatus,
)

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
    # A withdrawn profile or an erased account leaves its side NULL (SET NULL): the
    # introduction, its outcome and `features` stay for the statistics and the learned
    # model, naming nobody.
    mentee_profile_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("profiles.id", ondelete="SET NULL"), index=True
    )
    mentor_profile_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("profiles.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[IntroductionStatus] = mapped_column(
        EnumText(IntroductionStatus, 20), default=IntroductionStatus.proposed, index=True
    )
    mentee_response: Mapped[Answer] = mapped_column(EnumText(Answer, 10), default=Answer.pending)
    mentor_response: Mapped[Answer] = mapped_column(EnumText(Answer, 10), default=Answer.pending)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The pair's raw features when it was proposed (`services.matcher.features`), numbers
    # only: what the learned model trains on once the outcome is known. None before 1.1.
    features: Mapped[dict[str, float] | None] = mapped_column(JSON(none_as_null=True))
    # The number of the organization's model version that scored it; None: hand weights.
    model_version: Mapped[int | None] = mapped_column(Integer)
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
    # Why it was declined or ended (coordinators see these; the other side does not).
    decline_reason: Mapped[DeclineReason | None] = mapped_column(EnumText(DeclineReason, 20))
    end_reason: Mapped[EndReason | None] = mapped_column(EnumText(EndReason, 20))

    # Loaded only on purpose (`transitions.WITH_PROFILES`): a missed eager load fails loudly.
    # None once that side's account was erased ("someone who has left").
    mentee_profile: Mapped[Profile | None] = relationship(
        foreign_keys=[mentee_profile_id], lazy="raise"
    )
    mentor_profile: Mapped[Profile | None] = relationship(
        foreign_keys=[mentor_profile_id], lazy="raise"
    )


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
    """Two people who must never be proposed to each other again, whatever profiles they
    hold: declined, rejected, ended, expired, blocked, or set apart by a coordinator.

    It names the accounts, not the profiles, so withdrawing and re-creating a profile does
    not make the pair proposable again; erasing an account removes its rows (CASCADE).
    """

    __tablename__ = "pair_exclusions"
    __table_args__ = (
        Unique("mentee_user_id", "mentor_user_id", "reason", name="uq_pair_exclusions_pair_reason"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    mentee_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mentor_user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[ExclusionReason] = mapped_column(EnumText(ExclusionReason, 20))
    # A coordinator's words (same household, employer...); None for the automatic ones.
    note: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
