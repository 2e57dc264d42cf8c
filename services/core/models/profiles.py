"""The two kinds of profile, mentee and mentor, in one table."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy import UniqueConstraint as Unique
from sqlalchemy.orm import Mapped, mapped_column

from services.core.db import Base, EnumList, EnumText, UTCDateTime, utcnow
from services.core.vocabulary import Gender, MeetingFormat, Pathway, ProfileRole, VettingStatus


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
    role: Mapped[ProfileRole] = mapped_column(EnumText(ProfileRole, 10))
    alias: Mapped[str] = mapped_column(String(40))
    gender: Mapped[Gender] = mapped_column(EnumText(Gender, 20))
    gender_preference: Mapped[list[Gender]] = mapped_column(EnumList(Gender), default=list)
    pathways: Mapped[list[Pathway]] = mapped_column(EnumList(Pathway))
    recovery_date: Mapped[date | None] = mapped_column(Date)
    languages: Mapped[list[str]] = mapped_column(JSON)
    # Stored already coarsened (two decimals, about 1 km); the exact point is never kept.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # The city the person chose, when they gave one (a public place name, never an
    # address): its own name, region (name, or GeoNames' code) and ISO country code.
    place_city: Mapped[str | None] = mapped_column(String(200))
    place_region: Mapped[str | None] = mapped_column(String(100))
    place_country: Mapped[str | None] = mapped_column(String(2))
    max_distance_km: Mapped[int] = mapped_column(Integer, default=25)
    meeting_format: Mapped[MeetingFormat] = mapped_column(EnumText(MeetingFormat, 10))
    timezone: Mapped[str] = mapped_column(String(64))
    availability: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    about: Mapped[str] = mapped_column(Text, default="")
    # Mentors only; read `places` rather than this.
    capacity: Mapped[int | None] = mapped_column(Integer)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set by PeerMatch when two proposals in a row expired unanswered; only a coordinator
    # clears it (`paused` is the mentor's own choice, and saving the profile sets it).
    held_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    vetting_status: Mapped[VettingStatus | None] = mapped_column(
        EnumText(VettingStatus, 10), index=True
    )
    vetting_note: Mapped[str | None] = mapped_column(String(500))
    vetted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    vetted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # The vetted fields an approved mentor changed since, which sent them back to review;
    # cleared by the coordinator's next decision.
    changed_since_vetting: Mapped[list[str] | None] = mapped_column(JSON)
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def places(self) -> int:
        """How many mentees this mentor takes at once (a mentee's side has one place)."""
        return self.capacity or 1

    @property
    def resting(self) -> bool:
        """Whether this mentor takes no new proposals now (paused, or held for not answering)."""
        return self.paused or self.held_since is not None

    @property
    def vetting(self) -> VettingStatus:
        """The mentor's vetting status, pending until a coordinator decides."""
        return self.vetting_status or VettingStatus.pending
