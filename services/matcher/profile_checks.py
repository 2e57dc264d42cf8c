"""Profiles that can never match, whoever else signs up: said when the profile is saved.

These depend on the person alone: no free time at all, less free time in a week than any
pair needs to share, a travel distance of 0 km for someone who meets only in person, or a
mentor with less time in recovery than any mentor needs (with the date that changes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from services.matcher.encoding import IN_PERSON, EncodedProblem
from services.matcher.records import Participant, Settings
from services.matcher.schedule import overlap_minutes, utc_intervals
from services.matcher.waiting_text import duration


@dataclass(frozen=True, slots=True)
class ProfileBlocker:
    """Something on a profile that rules out every match, and the field to change."""

    code: str  # no_availability, too_little_availability, no_travel_distance, mentor_recovery_time
    field: str
    text: str

    def as_dict(self) -> dict[str, str]:
        """The blocker as in the solve output and the API."""
        return {"code": self.code, "field": self.field, "text": self.text}


def _no_availability() -> ProfileBlocker:
    return ProfileBlocker(
        "no_availability",
        "availability",
        "Add at least one time in the week when you are free, so we can find a mentor "
        "who is free then too.",
    )


def _too_little(need: int) -> ProfileBlocker:
    return ProfileBlocker(
        "too_little_availability",
        "availability",
        f"Your free times add up to less than {duration(need)} a week. A mentor needs to "
        f"share at least {duration(need)} with you, so please add a little more time.",
    )


def _no_distance() -> ProfileBlocker:
    return ProfileBlocker(
        "no_travel_distance",
        "max_distance_km",
        "You meet only in person, with a travel distance of 0 km. Add how far you could "
        "travel, or say you are open to meeting online too.",
    )


def _date_words(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def never_matches(
    person: Participant,
    role: str,
    *,
    reference_date: dt.date,
    settings: Settings | None = None,
) -> list[ProfileBlocker]:
    """What on this mentee's or mentor's profile rules out every match (empty when nothing)."""
    if role not in ("mentee", "mentor"):
        raise ValueError(f"role must be 'mentee' or 'mentor', got {role!r}")
    settings = settings or Settings()
    found: list[ProfileBlocker] = []
    need = settings.min_schedule_overlap_minutes
    if not person.availability:
        found.append(_no_availability())
    elif need > 0:
        week = utc_intervals(person.availability, 0)
        if overlap_minutes(week, week) < need:
            found.append(_too_little(need))
    if person.meeting_format == "in_person" and person.max_distance_km == 0:
        found.append(_no_distance())
    if role == "mentor":
        days = person.recovery_days(reference_date)
        if days < settings.min_mentor_recovery_days:
            ready = reference_date + dt.timedelta(days=settings.min_mentor_recovery_days - days)
            years = settings.min_mentor_recovery_days / 365
            span = "a year" if round(years, 2) == 1 else f"{settings.min_mentor_recovery_days} days"
            found.append(
                ProfileBlocker(
                    "mentor_recovery_time",
                    "recovery_date",
                    f"Mentors need at least {span} in recovery. You can be matched as a "
                    f"mentor from {_date_words(ready)}. Thank you for offering.",
                )
            )
    return found


def mentee_blockers(encoded: EncodedProblem, rows: np.ndarray) -> list[list[ProfileBlocker]]:
    """`never_matches` for many encoded mentees at once (the batch's waiting mentees)."""
    e = encoded.mentees
    need = encoded.encoder.settings.min_schedule_overlap_minutes
    windows = np.diff(e.local_windows.start_row)[rows]
    free = np.bitwise_count(e.schedule[rows]).sum(axis=1, dtype=np.int64)
    free *= encoded.encoder.slot_step
    stuck = (e.meeting_format[rows] == IN_PERSON) & (e.max_km[rows] == 0)
    out: list[list[ProfileBlocker]] = [[] for _ in rows]
    for k in np.flatnonzero(windows == 0).tolist():
        out[k].append(_no_availability())
    if need > 0:
        for k in np.flatnonzero((windows > 0) & (free < need)).tolist():
            out[k].append(_too_little(need))
    for k in np.flatnonzero(stuck).tolist():
        out[k].append(_no_distance())
    return out
