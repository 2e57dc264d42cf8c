"""The relational model: organizations, accounts and the two kinds of profile."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, Uuid
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
