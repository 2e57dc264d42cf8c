"""Slow, obviously-correct references for the hard constraints and the assignment.

Nothing here shares code with the engine except the parsed records: schedules are sets
of minutes, distances plain haversine, max flow and the optimum come from scipy.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from services.matcher.problem import Participant, Problem, Settings

FAMILY = {
    "aa": "12",
    "na": "12",
    "celebrate_recovery": "12",
    "smart": "sec",
    "sos": "sec",
    "refuge_recovery": "refuge",
    "other": "other",
}
WEEK = 7 * 24 * 60


def offset_minutes(timezone: str, day: dt.date) -> int:
    local_noon = dt.datetime(day.year, day.month, day.day, 12, tzinfo=zoneinfo.ZoneInfo(timezone))
    delta = local_noon.utcoffset()
    assert delta is not None
    return int(delta.total_seconds()) // 60


def minutes(person: Participant, day: dt.date) -> set[int]:
    offset = offset_minutes(person.timezone, day)
    found = set()
    for window in person.availability:
        for minute in range(window.start, window.end):
            found.add((window.day * 1440 + minute - offset) % WEEK)
    return found


def distance_km(a: Participant, b: Participant) -> float:
    assert a.location and b.location
    lat1, lon1 = math.radians(a.location.latitude), math.radians(a.location.longitude)
    lat2, lon2 = math.radians(b.location.latitude), math.radians(b.location.longitude)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def days(person: Participant, day: dt.date) -> int:
    return 0 if person.recovery_date is None else (day - person.recovery_date).days


def reference_violations(
    mentee: Participant,
    mentor: Participant,
    settings: Settings,
    day: dt.date,
    excluded: bool = False,
) -> set[str]:
    broken = set()
    if not {FAMILY[p] for p in mentee.pathways} & {FAMILY[p] for p in mentor.pathways}:
        broken.add("pathway")
    if (mentor.gender_preference and mentee.gender not in mentor.gender_preference) or (
        mentee.gender_preference and mentor.gender not in mentee.gender_preference
    ):
        broken.add("gender")
    if not set(mentee.languages) & set(mentor.languages):
        broken.add("language")
    mentor_days = days(mentor, day)
    if mentor_days < settings.min_mentor_recovery_days or mentor_days < (
        days(mentee, day) + settings.min_recovery_gap_days
    ):
        broken.add("recovery_time")
    formats = {mentee.meeting_format, mentor.meeting_format}
    if "in_person" in formats:
        if "online" in formats:
            broken.add("meeting_format")
        else:
            limit = min(mentee.max_distance_km or 0.0, mentor.max_distance_km or 0.0)
            if distance_km(mentee, mentor) > limit:
                broken.add("distance")
    if len(minutes(mentee, day) & minutes(mentor, day)) < settings.min_schedule_overlap_minutes:
        broken.add("schedule")
    if excluded:
        broken.add("excluded")
    return broken


def near_distance_boundary(mentee: Participant, mentor: Participant) -> bool:
    """Pairs within a micrometre of their limit, where float rounding may go either way."""
    if mentee.location is None or mentor.location is None:
        return False
    limit = min(mentee.max_distance_km or 0.0, mentor.max_distance_km or 0.0)
    return abs(distance_km(mentee, mentor) - limit) < 1e-9


def feasible_set(problem: Problem) -> set[tuple[int, int]]:
    pairs = set()
    for a, mentee in enumerate(problem.mentees):
        for b, mentor in enumerate(problem.mentors):
            excluded = (mentee.id, mentor.id) in problem.exclusions
            if not reference_violations(
                mentee, mentor, problem.settings, problem.reference_date, excluded
            ):
                pairs.add((a, b))
    return pairs


def _expanded_columns(mentors: Sequence[Participant]) -> list[int]:
    columns = []
    for b, mentor in enumerate(mentors):
        columns.extend([b] * mentor.remaining_capacity)
    return columns


def max_coverage(problem: Problem, pairs: set[tuple[int, int]]) -> int:
    """Largest number of mentees matched: bipartite matching on capacity-expanded columns."""
    columns = _expanded_columns(problem.mentors)
    if not pairs or not columns:
        return 0
    rows, cols = [], []
    for c, b in enumerate(columns):
        for a in range(len(problem.mentees)):
            if (a, b) in pairs:
                rows.append(a)
                cols.append(c)
    if not rows:
        return 0
    graph = csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(problem.mentees), len(columns))
    )
    matched = maximum_bipartite_matching(graph, perm_type="column")
    return int((matched >= 0).sum())


def optimum(
    problem: Problem, pairs: set[tuple[int, int]], benefit: dict[tuple[int, int], float]
) -> tuple[int, float]:
    """Exact (coverage, total benefit) by linear_sum_assignment with lexicographic weights."""
    columns = _expanded_columns(problem.mentors)
    n = len(problem.mentees)
    if n == 0:
        return 0, 0.0
    big = 1000.0
    weights = np.full((n, len(columns) + n), -1e9)
    weights[np.arange(n), len(columns) + np.arange(n)] = 0.0  # stay unmatched
    for c, b in enumerate(columns):
        for a in range(n):
            if (a, b) in pairs:
                weights[a, c] = big + benefit[(a, b)]
    rows, cols = linear_sum_assignment(weights, maximize=True)
    matched = [(r, c) for r, c in zip(rows, cols, strict=True) if c < len(columns)]
    return len(matched), float(sum(weights[r, c] - big for r, c in matched))
