"""A simulated history with hidden true preferences, for the benchmark and the tests.

The truth is deliberately unlike the hand weights: same gender and the exact fellowship
matter a lot (many fellowships suggest same-gender sponsorship, and AA is not NA),
shared time matters with diminishing returns, what the two wrote matters some, distance
and the recovery gap matter little. It is a logistic function of derived features plus one
interaction (a mentee who asked for some genders cares even more about the same gender),
so neither the hand weights nor a linear model know it exactly.

Proposals are drawn as an organization would make them with some exploration: each
mentee is proposed one random feasible mentor on a random day of the past year, and
whether it became active is drawn from the hidden chance.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from services.matcher.encoding import EncodedProblem
from services.matcher.feasibility import iter_pairs
from services.matcher.learned import Columns, model_columns

TRUTH: dict[str, float] = {
    "same_gender": 1.6,
    "exact_pathway": 1.2,
    "log_overlap_hours": 0.6,
    "text_similarity": 1.0,
    "shared_interests": 0.25,
    "log_distance_km": -0.1,
    "log_mentor_recovery_years": 0.1,
}
TRUTH_INTERCEPT = -4.2
TRUTH_INTERACTION = 0.8  # same gender, when the mentee asked for some genders only


def true_chance(raw: Columns) -> np.ndarray:
    """The hidden chance that each pair becomes an active mentorship."""
    columns = model_columns(raw)
    logit = np.full(len(raw["same_gender"]), TRUTH_INTERCEPT)
    for name, weight in TRUTH.items():
        if name in columns:
            logit += weight * columns[name]
    logit += TRUTH_INTERACTION * raw["same_gender"] * raw["mentee_states_gender"]
    return np.asarray(1.0 / (1.0 + np.exp(-logit)))


def feasible_pairs(encoded: EncodedProblem) -> tuple[np.ndarray, np.ndarray]:
    """All feasible pairs of an encoded problem (capacity aside)."""
    i_parts, j_parts = [], []
    for chunk in iter_pairs(encoded):
        i_parts.append(chunk.i.astype(np.int64))
        j_parts.append(chunk.j.astype(np.int64))
    empty = np.zeros(0, dtype=np.int64)
    return np.concatenate([*i_parts, empty]), np.concatenate([*j_parts, empty])


def simulate_outcomes(
    encoded: EncodedProblem, raw_of: Any, *, seed: int = 0, per_mentee: int = 1
) -> list[dict[str, Any]]:
    """Outcome records (history-file form) for random feasible pairs, drawn from the truth.

    `raw_of(i, j)` returns the raw features of pairs (`features.pair_features` bound to
    the problem)."""
    rng = np.random.default_rng(seed)
    i_all, j_all = feasible_pairs(encoded)
    if len(i_all) == 0:
        return []
    order = np.argsort(i_all, kind="stable")
    i_all, j_all = i_all[order], j_all[order]
    bounds = np.searchsorted(i_all, np.arange(encoded.mentees.n + 1))
    picks = []
    for row in range(encoded.mentees.n):
        low, high = bounds[row], bounds[row + 1]
        if high > low:
            take = min(per_mentee, high - low)
            picks.extend(rng.choice(np.arange(low, high), size=take, replace=False).tolist())
    at = np.asarray(picks, dtype=np.int64)
    i, j = i_all[at], j_all[at]
    chance = true_chance(raw_of(i, j))
    became = rng.random(len(at)) < chance
    reference = encoded.encoder.reference_date
    outcomes = []
    for k in range(len(at)):
        day = reference - dt.timedelta(days=int(rng.integers(1, 365)))
        outcome = ("active" if rng.random() < 0.7 else "ended") if became[k] else None
        if outcome is None:
            outcome = str(rng.choice(["declined", "declined", "expired", "rejected"]))
        record: dict[str, Any] = {
            "mentee_id": encoded.mentees.ids[int(i[k])],
            "mentor_id": encoded.mentors.ids[int(j[k])],
            "proposed_at": day.isoformat(),
            "outcome": outcome,
        }
        if outcome == "declined":
            record["declined_by"] = str(rng.choice(["mentee", "mentor"]))
            record["reason_code"] = "not_a_fit"
        outcomes.append(record)
    return outcomes
