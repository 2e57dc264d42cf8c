"""The hard constraints of MATCHING.md for one pair, written to be read.

The batch path (`feasibility.py`) is a vectorised version of exactly these rules; the
property tests hold the two (and a slower minute-by-minute reference) to the same answers.
"""

from __future__ import annotations

import datetime as dt

from services.matcher.geography import haversine_km
from services.matcher.records import PATHWAY_FAMILY, Participant, Settings
from services.matcher.schedule import overlap_minutes, utc_intervals, utc_offset_minutes

CONSTRAINTS: tuple[str, ...] = (
    "pathway",
    "gender",
    "language",
    "recovery_time",
    "meeting_format",
    "distance",
    "schedule",
    "excluded",
)


def shares_pathway_family(mentee: Participant, mentor: Participant) -> bool:
    """Whether the two have a pathway family in common."""
    families = {PATHWAY_FAMILY[p] for p in mentee.pathways}
    return any(PATHWAY_FAMILY[p] in families for p in mentor.pathways)


def genders_accepted(mentee: Participant, mentor: Participant) -> bool:
    """Whether each one's gender is in the other's preference (an empty list means any)."""
    mentor_ok = not mentor.gender_preference or mentee.gender in mentor.gender_preference
    mentee_ok = not mentee.gender_preference or mentor.gender in mentee.gender_preference
    return mentor_ok and mentee_ok


def recovery_time_ok(
    mentee: Participant, mentor: Participant, settings: Settings, reference_date: dt.date
) -> bool:
    """Whether the mentor has the minimum time and the minimum gap over the mentee."""
    mentor_days = mentor.recovery_days(reference_date)
    mentee_days = mentee.recovery_days(reference_date)
    return (
        mentor_days >= settings.min_mentor_recovery_days
        and mentor_days >= mentee_days + settings.min_recovery_gap_days
    )


def distance_limit_km(mentee: Participant, mentor: Participant) -> float | None:
    """The distance limit that applies to the pair, or None when there is none."""
    if "in_person" not in (mentee.meeting_format, mentor.meeting_format):
        return None
    limits = [p.max_distance_km for p in (mentee, mentor) if p.max_distance_km is not None]
    return min(limits) if limits else 0.0


def pair_distance_km(mentee: Participant, mentor: Participant) -> float | None:
    """Great-circle distance between the two, or None when one has no location."""
    if mentee.location is None or mentor.location is None:
        return None
    return haversine_km(
        mentee.location.latitude,
        mentee.location.longitude,
        mentor.location.latitude,
        mentor.location.longitude,
    )


def schedule_overlap_minutes(
    mentee: Participant, mentor: Participant, reference_date: dt.date
) -> int:
    """Minutes per week both are available, each in their own timezone."""
    first = utc_intervals(mentee.availability, utc_offset_minutes(mentee.timezone, reference_date))
    second = utc_intervals(mentor.availability, utc_offset_minutes(mentor.timezone, reference_date))
    return overlap_minutes(first, second)


def violations(
    mentee: Participant,
    mentor: Participant,
    settings: Settings,
    reference_date: dt.date,
    excluded: bool = False,
) -> list[str]:
    """Names of the hard constraints the pair breaks (empty when it may be proposed)."""
    broken: list[str] = []
    if not shares_pathway_family(mentee, mentor):
        broken.append("pathway")
    if not genders_accepted(mentee, mentor):
        broken.append("gender")
    if not set(mentee.languages) & set(mentor.languages):
        broken.append("language")
    if not recovery_time_ok(mentee, mentor, settings, reference_date):
        broken.append("recovery_time")
    limit = distance_limit_km(mentee, mentor)
    if limit is not None:
        if "online" in (mentee.meeting_format, mentor.meeting_format):
            broken.append("meeting_format")
        else:
            distance = pair_distance_km(mentee, mentor)
            if distance is None or distance > limit:
                broken.append("distance")
    overlap = schedule_overlap_minutes(mentee, mentor, reference_date)
    if overlap < settings.min_schedule_overlap_minutes:
        broken.append("schedule")
    if excluded:
        broken.append("excluded")
    return broken


def card_figures(
    mentee: Participant, mentor: Participant, today: dt.date
) -> tuple[float | None, int]:
    """What a proposal's cards show: distance in whole km (None when either meets only
    online) and weekly overlap minutes."""
    online = "online" in (mentee.meeting_format, mentor.meeting_format)
    distance = None if online else pair_distance_km(mentee, mentor)
    overlap = schedule_overlap_minutes(mentee, mentor, today)
    return (None if distance is None else float(round(distance))), int(overlap)
