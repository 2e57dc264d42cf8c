"""The engine's vocabulary and its readable records: a participant, a weekly window, settings.

These are what the API, the worker and the pair-by-pair rules (`constraints.py`) work with.
The batch path never builds them for every record: it encodes the decoded solve file
straight into arrays (`columns.py`), and `Problem` builds these only when asked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

GENDERS: tuple[str, ...] = ("woman", "man", "nonbinary", "prefer_not_to_say")
PATHWAYS: tuple[str, ...] = (
    "aa",
    "na",
    "celebrate_recovery",
    "smart",
    "sos",
    "refuge_recovery",
    "other",
)
PATHWAY_FAMILY: dict[str, str] = {
    "aa": "twelve_step",
    "na": "twelve_step",
    "celebrate_recovery": "twelve_step",
    "smart": "secular",
    "sos": "secular",
    "refuge_recovery": "refuge_recovery",
    "other": "other",
}
FAMILIES: tuple[str, ...] = ("twelve_step", "secular", "refuge_recovery", "other")
MEETING_FORMATS: tuple[str, ...] = ("in_person", "online", "either")
DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_CAPACITY = 10
MAX_DISTANCE_KM = 40_100.0  # a little more than half the Earth's circumference


@dataclass(frozen=True, slots=True)
class Location:
    """A point on Earth in degrees."""

    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Availability:
    """One weekly window in its owner's local time: day 0 = Monday, minutes from midnight."""

    day: int
    start: int
    end: int

    def as_record(self) -> dict[str, str]:
        """The window as in the solve file: {"day": "tue", "start": "18:00", "end": "21:00"}."""
        return {"day": DAYS[self.day], "start": clock(self.start), "end": clock(self.end)}


def clock(minute: int) -> str:
    """Minutes from midnight as "HH:MM" (1440 is "24:00")."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True, slots=True)
class Participant:
    """A mentee or a mentor as the engine sees them (mentor-only fields default to 0)."""

    id: str
    gender: str
    gender_preference: tuple[str, ...]
    pathways: tuple[str, ...]
    recovery_date: dt.date | None
    languages: tuple[str, ...]
    location: Location | None
    max_distance_km: float | None
    meeting_format: str
    timezone: str
    availability: tuple[Availability, ...]
    interests: tuple[str, ...] = ()
    about: str = ""
    waiting_days: int = 0
    capacity: int = 0
    active_mentees: int = 0

    @property
    def remaining_capacity(self) -> int:
        """How many new proposals a mentor may still receive."""
        return max(0, self.capacity - self.active_mentees)

    def recovery_days(self, reference_date: dt.date) -> int:
        """Days in recovery at the reference date (no date counts as 0)."""
        if self.recovery_date is None:
            return 0
        return (reference_date - self.recovery_date).days


@dataclass(frozen=True, slots=True)
class Settings:
    """The thresholds of the hard constraints."""

    min_mentor_recovery_days: int = 365
    min_recovery_gap_days: int = 365
    min_schedule_overlap_minutes: int = 60
