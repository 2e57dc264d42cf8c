"""A pair's raw features: the figures the learned model is fitted on and applied to.

The hand-set score (`scoring.py`) reads each figure through a fixed shape and weight; the
learned model (`learned.py`) starts from the same pairs but from the figures themselves:
minutes of shared time, distance, both times in recovery, the exact pathway beside the
family, gender, stated preferences, shared interests, languages and text similarity.
They are numbers only (no text, no place), so an introduction can keep them after the
two people have left (`Introduction.features`).

Everything is vectorised over pairs (mentee row i[k], mentor row j[k]) of an encoded
problem, and takes the two figures the feasibility pass already computed (shared slots,
distance in reach), so the batch solve pays no second gather for them.
"""

from __future__ import annotations

import numpy as np

from services.matcher.encoding import ANY_GENDER, EncodedProblem
from services.matcher.feasibility import overlap_slots
from services.matcher.scoring import DEFAULT_WEIGHTS, Weights, combine, reach_km
from services.matcher.text import pair_cosines

# Same family is not a feature: a pair outside one family is never feasible.
FEATURES: tuple[str, ...] = (
    "overlap_minutes",  # weekly minutes both are free
    "in_person",  # 1 when the two could meet in person (both located, in reach)
    "distance_km",  # great-circle km when in person, else 0
    "mentee_recovery_days",
    "mentor_recovery_days",
    "exact_pathway",  # 1 when they share a pathway, not only its family
    "same_gender",
    "mentee_states_gender",  # 1 when the mentee asked for some genders only
    "mentor_states_gender",
    "shared_interests",  # count
    "shared_languages",  # count
    "same_first_language",
    "text_similarity",  # tf-idf cosine of what each wrote, in [0, 1]
)
TEXT_FEATURE = "text_similarity"


def pair_features(
    encoded: EncodedProblem,
    i: np.ndarray,
    j: np.ndarray,
    *,
    slots: np.ndarray | None = None,
    reach: np.ndarray | None = None,
    text: np.ndarray | None = None,
    with_text: bool = True,
) -> dict[str, np.ndarray]:
    """Each feature of `FEATURES` as a float64 column over the pairs.

    `slots` (shared schedule slots), `reach` (`scoring.reach_km`) and `text` (the pairs'
    cosines) may be given when known; without `with_text` the text column is left out.
    """
    e, r = encoded.mentees, encoded.mentors
    if slots is None:
        slots = overlap_slots(e.schedule[i], r.schedule[j])
    if reach is None:
        reach = reach_km(encoded, i, j)
    near = ~np.isnan(reach)
    columns: dict[str, np.ndarray] = {
        "overlap_minutes": slots.astype(np.float64) * encoded.encoder.slot_step,
        "in_person": near.astype(np.float64),
        "distance_km": np.where(near, reach, 0.0),
        "mentee_recovery_days": e.days[i].astype(np.float64),
        "mentor_recovery_days": r.days[j].astype(np.float64),
        "exact_pathway": ((e.pathway[i] & r.pathway[j]) != 0).astype(np.float64),
        "same_gender": (e.gender_bit[i] == r.gender_bit[j]).astype(np.float64),
        "mentee_states_gender": (e.preference[i] != ANY_GENDER).astype(np.float64),
        "mentor_states_gender": (r.preference[j] != ANY_GENDER).astype(np.float64),
        "shared_interests": _shared_bits(e.interests, r.interests, i, j),
        "shared_languages": _shared_bits(e.languages, r.languages, i, j),
        "same_first_language": (
            (e.first_language[i] == r.first_language[j]) & (e.first_language[i] >= 0)
        ).astype(np.float64),
    }
    if with_text:
        columns[TEXT_FEATURE] = pair_cosines(e.text, r.text, i, j) if text is None else text
    return columns


def _shared_bits(left: np.ndarray, right: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    shared = np.bitwise_count(left[i, 0] & right[j, 0]).astype(np.int64)
    for word in range(1, left.shape[1]):
        shared += np.bitwise_count(left[i, word] & right[j, word])
    return shared.astype(np.float64)


def feature_rows(columns: dict[str, np.ndarray]) -> list[dict[str, float]]:
    """The columns as one plain dict per pair (what an introduction stores), rounded."""
    names = [name for name in FEATURES if name in columns]
    values = [np.round(columns[name], 4).tolist() for name in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def hand_components(
    raw: dict[str, np.ndarray], weights: Weights = DEFAULT_WEIGHTS
) -> dict[str, np.ndarray]:
    """The hand-set components (`scoring.component_scores`) read back from raw features,
    so a stored history can be scored by the hand weights without its people."""
    gap = raw["mentor_recovery_days"] - raw["mentee_recovery_days"]
    closeness = 0.5 + 0.5 / (1.0 + raw["distance_km"] / weights.half_score_km)
    components = {
        "pathway": np.where(raw["exact_pathway"] > 0, 1.0, 0.5),
        "recovery_time": np.clip(gap / weights.full_gap_days, 0.0, 1.0),
        "schedule": np.minimum(1.0, raw["overlap_minutes"] / weights.full_overlap_minutes),
        "distance": np.where(raw["in_person"] > 0, closeness, 0.5),
        "language": np.where(raw["same_first_language"] > 0, 1.0, 0.75),
        "interests": np.minimum(1.0, raw["shared_interests"] / weights.full_shared_interests),
    }
    if TEXT_FEATURE in raw:
        components["about"] = np.asarray(raw[TEXT_FEATURE], dtype=np.float64)
    return components


def hand_score(raw: dict[str, np.ndarray], weights: Weights = DEFAULT_WEIGHTS) -> np.ndarray:
    """The hand-weighted score of pairs from their raw features (equals `combine`)."""
    return combine(hand_components(raw, weights), weights)
