"""Profile bodies with the contract's validation: every rule names the field it guards."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from services.core.profiles.fields import Clock, Interest, Language, minutes, timezones, unique
from services.core.text import FREE_TEXT_RULES, NAME_RULES, SINGLE_LINE_RULES
from services.core.vocabulary import (
    DAYS,
    Day,
    Gender,
    MeetingFormat,
    Pathway,
    ProfileRole,
    VettingStatus,
)


class AvailabilitySlot(BaseModel):
    """One weekly window, in the profile's own timezone."""

    model_config = ConfigDict(extra="forbid")

    day: Day
    start: Clock
    end: Clock

    @model_validator(mode="after")
    def _start_before_end(self) -> AvailabilitySlot:
        if minutes(self.start) >= minutes(self.end):
            raise ValueError("start must be before end")
        return self


class Location(BaseModel):
    """Either coordinates or a city, its region where the name is shared, and its country;
    stored coarsened to about 1 km."""

    model_config = ConfigDict(extra="forbid")

    latitude: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    city: Annotated[str, Field(min_length=1, max_length=100), NAME_RULES] | None = None
    # The first-level division (a US state, a Swiss canton): needed where a country has
    # several cities of the name, as Portland in Oregon and in Maine.
    region: Annotated[str, Field(min_length=1, max_length=100), NAME_RULES] | None = None
    country: Annotated[str, Field(min_length=2, max_length=100), NAME_RULES] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Location:
        has_point = self.latitude is not None or self.longitude is not None
        has_place = self.city is not None or self.country is not None or self.region is not None
        if has_point and has_place:
            raise ValueError("give either latitude and longitude, or city and country")
        if has_point and (self.latitude is None or self.longitude is None):
            raise ValueError("latitude and longitude go together")
        if has_place and (self.city is None or self.country is None):
            raise ValueError("city and country go together (region is optional)")
        if not has_point and not has_place:
            raise ValueError("give latitude and longitude, or city and country")
        return self


class ProfileBase(BaseModel):
    """Fields both sides share."""

    model_config = ConfigDict(extra="forbid")

    alias: Annotated[str, Field(min_length=1, max_length=40), NAME_RULES]
    gender: Gender
    gender_preference: Annotated[list[Gender], AfterValidator(unique)] = Field(
        default_factory=list, max_length=4
    )
    pathways: Annotated[list[Pathway], AfterValidator(unique)] = Field(min_length=1, max_length=7)
    recovery_date: date | None = None
    languages: Annotated[list[Language], AfterValidator(unique)] = Field(
        min_length=1, max_length=10
    )
    location: Location | None = None
    max_distance_km: int = Field(default=25, ge=1, le=500)
    meeting_format: MeetingFormat
    timezone: Annotated[str, Field(max_length=64), SINGLE_LINE_RULES]
    availability: list[AvailabilitySlot] = Field(default_factory=list, max_length=50)
    interests: Annotated[list[Interest], AfterValidator(unique)] = Field(
        default_factory=list, max_length=20
    )
    about: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=1000), FREE_TEXT_RULES
    ] = ""

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if value not in timezones():
            raise ValueError("use an IANA timezone name, such as 'America/New_York'")
        return value

    @field_validator("recovery_date")
    @classmethod
    def _not_in_future(cls, value: date | None) -> date | None:
        # A day of slack lets someone ahead of UTC give today's local date.
        if value is not None and (value - date.today()).days > 1:
            raise ValueError("recovery_date cannot be in the future")
        return value

    @field_validator("availability")
    @classmethod
    def _no_overlaps(cls, slots: list[AvailabilitySlot]) -> list[AvailabilitySlot]:
        for day in DAYS:
            windows = sorted(
                (minutes(slot.start), minutes(slot.end)) for slot in slots if slot.day == day
            )
            for (_, earlier_end), (later_start, _) in pairwise(windows):
                if later_start < earlier_end:
                    raise ValueError(f"availability windows overlap on {day}")
        return slots

    @model_validator(mode="after")
    def _location_unless_online(self) -> ProfileBase:
        if self.location is None and self.meeting_format != MeetingFormat.online:
            raise ValueError("location is required unless meeting_format is 'online'")
        return self


class MenteeProfileIn(ProfileBase):
    """A mentee's profile as they save it."""


class MentorProfileIn(ProfileBase):
    """A mentor's profile as they save it: a recovery date is required."""

    recovery_date: date  # type: ignore[assignment]
    capacity: int = Field(default=2, ge=1, le=10)
    paused: bool = False


class LocationPublic(BaseModel):
    """A stored, coarsened location, and the city chosen when it was given as one."""

    latitude: float
    longitude: float
    city: str | None = None
    region: str | None = None
    country: str | None = None
    label: str | None = None


class PlaceSuggestion(BaseModel):
    """A city the search offers: send back city, region and country as the location."""

    city: str
    # The region's name, or GeoNames' code for it where no name is known; null if none.
    region: str | None
    country: str
    label: str


class ProfileBlockerPublic(BaseModel):
    """Something on a profile that rules out every match, and the field to change."""

    code: str
    field: str
    text: str


class ObstaclePublic(BaseModel):
    """A hard rule that stands between a mentee and mentors with room, and how many."""

    code: str
    mentors: int
    only: int
    text: str


class SuggestionPublic(BaseModel):
    """One change that would open a match, and with how many mentors."""

    code: str
    opens: int
    text: str
    change: dict[str, Any]


class MatchingStatus(BaseModel):
    """Why a mentee is still waiting, in plain words, and what would open a match."""

    code: str
    text: str
    mentors_with_room: int
    obstacles: list[ObstaclePublic]
    suggestions: list[SuggestionPublic]
    blockers: list[ProfileBlockerPublic]


class ProfilePublic(BaseModel):
    """A profile as its owner sees it."""

    id: uuid.UUID
    role: ProfileRole
    alias: str
    gender: Gender
    gender_preference: list[Gender]
    pathways: list[Pathway]
    recovery_date: date | None
    languages: list[str]
    location: LocationPublic | None
    max_distance_km: int
    meeting_format: MeetingFormat
    timezone: str
    availability: list[AvailabilitySlot]
    interests: list[str]
    about: str
    created_at: datetime
    updated_at: datetime
    # What on the profile rules out every match, whoever else signs up (empty if nothing).
    blockers: list[ProfileBlockerPublic] = []


class MenteeProfilePublic(ProfilePublic):
    """A mentee's own profile, with how long they have waited."""

    waiting_since: datetime | None
    # On GET while waiting: why, and what single change would open a match.
    matching_status: MatchingStatus | None = None


class MentorProfilePublic(ProfilePublic):
    """A mentor's own profile, with vetting and load."""

    capacity: int
    paused: bool
    # Set when two introductions in a row went unanswered; a coordinator lifts it.
    on_hold: bool = False
    vetting_status: VettingStatus
    active_mentees: int
    # Plain words when the mentor's own changes sent them back to review, else null.
    vetting_message: str | None = None


class MentorSummary(BaseModel):
    """A mentor as a coordinator sees them while vetting: no contact details, no location."""

    profile_id: uuid.UUID
    alias: str
    pathways: list[Pathway]
    time_in_recovery: str
    languages: list[str]
    meeting_format: MeetingFormat
    capacity: int
    paused: bool
    # PeerMatch's hold after two unanswered introductions in a row (None when not held).
    held_since: datetime | None = None
    # How this mentor answers: median hours from proposal to their answer, and how many
    # proposals expired without it.
    median_answer_hours: float | None = None
    expired_unanswered: int = 0
    vetting_status: VettingStatus
    vetting_note: str | None
    # What the mentor changed since a coordinator last approved them (empty if nothing).
    changed_since_vetting: list[str] = []
    about: str
    created_at: datetime


class WaitingMentee(BaseModel):
    """An unmatched mentee as a coordinator sees them."""

    profile_id: uuid.UUID
    alias: str
    pathways: list[Pathway]
    languages: list[str]
    meeting_format: MeetingFormat
    waiting_since: datetime
    waiting_days: int
    matching_status: MatchingStatus | None = None


Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), FREE_TEXT_RULES]


class VettingDecision(BaseModel):
    """A coordinator's decision on a mentor."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approved", "rejected"]
    note: Note | None = None
