"""The compatibility score: components in [0, 1], one set of default weights, a waiting bonus.

Every component is a number in [0, 1] (and a sentence a person can read, in
`explanations.py`). The score is the weighted mean of the components, so it is in [0, 1]
too. The feasibility passes hand over the two figures they already computed for a pair
(shared schedule slots, distance when the two could meet), so scoring the pairs they find
needs no second gather of schedules or coordinates.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from services.matcher.encoding import ONLINE, EncodedProblem
from services.matcher.feasibility import overlap_slots
from services.matcher.geography import haversine_km_array
from services.matcher.text import pair_cosines

COMPONENTS: tuple[str, ...] = (
    "pathway",
    "recovery_time",
    "schedule",
    "distance",
    "language",
    "interests",
    "about",
)


@dataclass(frozen=True)
class Weights:
    """Weights of the score components and of the waiting bonus, in one place."""

    pathway: float = 0.20
    recovery_time: float = 0.10
    schedule: float = 0.20
    distance: float = 0.15
    language: float = 0.10
    interests: float = 0.15
    about: float = 0.10
    # Added to a pair's score in the assignment only (never shown as the score): a mentee
    # who waited `waiting_horizon_days` or more gets the full bonus.
    waiting_bonus: float = 0.20
    waiting_horizon_days: int = 90
    # Component shapes: the distance at which closeness scores 0.5, the recovery gap and
    # the weekly overlap that score 1.0, and the shared interests that score 1.0.
    half_score_km: float = 10.0
    full_gap_days: int = 3 * 365
    full_overlap_minutes: int = 360
    full_shared_interests: int = 3

    def as_dict(self) -> dict[str, float]:
        """The weights as a plain dict, for a coordinator to see."""
        return asdict(self)


DEFAULT_WEIGHTS = Weights()


def in_reach(encoded: EncodedProblem, i: np.ndarray, j: np.ndarray, km: np.ndarray) -> np.ndarray:
    """Whether each pair could meet in person: both located, neither online, close enough."""
    e, r = encoded.mentees, encoded.mentors
    return (
        e.has_location[i]
        & r.has_location[j]
        & (e.meeting_format[i] != ONLINE)
        & (r.meeting_format[j] != ONLINE)
        & (km <= np.minimum(e.max_km[i], r.max_km[j]))
    )


def reach_km(encoded: EncodedProblem, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Distance of each pair who could meet in person, nan for the others."""
    e, r = encoded.mentees, encoded.mentors
    km = haversine_km_array(e.lat[i], e.lon[i], r.lat[j], r.lon[j])
    return np.where(in_reach(encoded, i, j, km), km, np.nan)


def shared_minutes(encoded: EncodedProblem, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Weekly minutes each pair is free at the same time (int64)."""
    e, r = encoded.mentees, encoded.mentors
    slots = overlap_slots(e.schedule[i], r.schedule[j]).astype(np.int64)
    return slots * encoded.encoder.slot_step


def component_scores(
    encoded: EncodedProblem,
    i: np.ndarray,
    j: np.ndarray,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    with_text: bool = True,
    slots: np.ndarray | None = None,
    reach: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Each component's score in [0, 1] for the pairs (mentee row i[k], mentor row j[k]).

    `slots` (shared schedule slots) and `reach` (`reach_km`) may be given when known.
    """
    e, r = encoded.mentees, encoded.mentors
    scores: dict[str, np.ndarray] = {}
    scores["pathway"] = np.where((e.pathway[i] & r.pathway[j]) != 0, 1.0, 0.5)
    gap = r.days[j].astype(np.float64) - e.days[i]
    scores["recovery_time"] = np.clip(gap / weights.full_gap_days, 0.0, 1.0)
    if slots is None:
        minutes = shared_minutes(encoded, i, j).astype(np.float64)
    else:
        minutes = slots.astype(np.float64) * encoded.encoder.slot_step
    scores["schedule"] = np.minimum(1.0, minutes / weights.full_overlap_minutes)
    if reach is None:
        reach = reach_km(encoded, i, j)
    # Meeting online scores half; a pair who can also meet in person scores more, the
    # closer the better (a half point more at 0 km, a quarter at `half_score_km`).
    closeness = 0.5 + 0.5 / (1.0 + reach / weights.half_score_km)
    scores["distance"] = np.where(np.isnan(reach), 0.5, closeness)
    same_first = (e.first_language[i] == r.first_language[j]) & (e.first_language[i] >= 0)
    scores["language"] = np.where(same_first, 1.0, 0.75)
    shared = np.bitwise_count(e.interests[i] & r.interests[j]).sum(axis=1, dtype=np.int64)
    scores["interests"] = np.minimum(1.0, shared / weights.full_shared_interests)
    if with_text:
        scores["about"] = pair_cosines(e.text, r.text, i, j)
    return scores


def combine(scores: dict[str, np.ndarray], weights: Weights = DEFAULT_WEIGHTS) -> np.ndarray:
    """Weighted mean of the components present (in [0, 1])."""
    total = np.zeros_like(next(iter(scores.values())), dtype=np.float64)
    weight_sum = 0.0
    for name, values in scores.items():
        weight = getattr(weights, name)
        total += weight * values
        weight_sum += weight
    return total / weight_sum if weight_sum > 0 else total


def waiting_bonus(
    encoded: EncodedProblem, i: np.ndarray, weights: Weights = DEFAULT_WEIGHTS
) -> np.ndarray:
    """The assignment's bonus for mentees who have waited, in [0, waiting_bonus]."""
    horizon = max(1, weights.waiting_horizon_days)
    waited = np.minimum(encoded.mentees.waiting_days[i], horizon) / horizon
    return weights.waiting_bonus * waited
