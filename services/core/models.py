"""The relational model: organizations, accounts and the two kinds of profile."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy import UniqueConstraint as Unique
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.core.db import Base, UTCDateTime, utcnow


class Role(StrEnum):
    """What an account may do in its organization."""

    member = "member"
    coordinator = "coordinator"


class ProfileRole(StrEnum):
    """Which side of a mentorship a profile is for."""

    mentee = "mentee"
    mentor = "mentor"


class VettingStatus(StrEnum):
    """A coordinator's decision on a volunteer mentor."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class Organization(Base):
    """A fellowship, program or group whose coordinators run their own matching."""

    __tablename__ = "organizations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    """A person's account; the email and display name are contact details, shown late."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20), default=Role.member)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship(lazy="joined")


class Profile(Base):
    """A mentee or mentor profile; a member holds at most one of each."""

    __tablename__ = "profiles"
    __table_args__ = (Unique("user_id", "role", name="uq_profiles_user_id_role"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Copied from the account so that coordinators' queries need no join.
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    alias: Mapped[str] = mapped_column(String(40))
    gender: Mapped[str] = mapped_column(String(20))
    gender_preference: Mapped[list[str]] = mapped_column(JSON, default=list)
    pathways: Mapped[list[str]] = mapped_column(JSON)
    recovery_date: Mapped[date | None] = mapped_column(Date)
    languages: Mapped[list[str]] = mapped_column(JSON)
    # Stored already coarsened (two decimals, about 1 km); the exact point is never kept.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    max_distance_km: Mapped[int] = mapped_column(Integer, default=25)
    meeting_format: Mapped[str] = mapped_column(String(10))
    timezone: Mapped[str] = mapped_column(String(64))
    availability: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    about: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    vetting_status: Mapped[str | None] = mapped_column(String(10), index=True)
    vetting_note: Mapped[str | None] = mapped_column(String(500))
    vetted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    vetted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class IntroductionStatus(StrEnum):
    """Where an introduction is in its life; see the contract's state diagram."""

    proposed = "proposed"
    awaiting_approval = "awaiting_approval"
    active = "active"
    declined = "declined"
    rejected = "rejected"
    expired = "expired"
    ended = "ended"


# A mentee holds at most one of these; a mentor's count against capacity.
OPEN_STATUSES = (IntroductionStatus.proposed, IntroductionStatus.awaiting_approval)
HOLDING_STATUSES = (*OPEN_STATUSES, IntroductionStatus.active)


class Response(StrEnum):
    """One side's answer to a proposal."""

    pending = "pending"
    accepted = "accepted"
    declined = "declined"


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
    status: Mapped[str] = mapped_column(String(20), default=IntroductionStatus.proposed, index=True)
    mentee_response: Mapped[str] = mapped_column(String(10), default=Response.pending)
    mentor_response: Mapped[str] = mapped_column(String(10), default=Response.pending)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # What the cards show: rounded distance (None when online) and weekly overlap.
    distance_km: Mapped[float | None] = mapped_column(Float)
    overlap_minutes: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(20))
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
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
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


class MatchingRunStatus(StrEnum):
    """Where a coordinator's batch matching run is."""

    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class MatchingRun(Base):
    """A batch assignment over one organization."""

    __tablename__ = "matching_runs"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(20), default=MatchingRunStatus.queued)
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
    """An email owed to one participant about one step; sent at most once."""

    __tablename__ = "notifications"
    __table_args__ = (
        Unique("introduction_id", "kind", "recipient_id", name="uq_notifications_once"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    introduction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("introductions.id", ondelete="CASCADE")
    )
    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
