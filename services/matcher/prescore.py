"""The pre-score of the pruned path: the score without its text component, plus the waiting
bonus, as one byte per pair (0-255), for choosing each side's top-k candidates.

With a learned model (`ModelPrescorer`), the pre-score is the model's chance without its
text feature (counted at its mean) plus the waiting bonus, on the same 256 levels.

It is `combine(component_scores(..., with_text=False)) + waiting_bonus(...)` (a test holds
the two together) computed in float32 with the weights folded into small tables, because
it runs on every feasible pair (56 million at 100,000 x 20,000) and the exact score of the
few candidates is computed afterwards anyway.
"""

from __future__ import annotations

import numpy as np

from services.matcher.encoding import EncodedProblem
from services.matcher.feasibility import PairChunk
from services.matcher.features import pair_features
from services.matcher.learned import LearnedModel
from services.matcher.scoring import COMPONENTS, Weights, waiting_bonus

LEVELS = 256  # pre-scores are quantised to this many levels for the top-k thresholds


class Prescorer:
    """Tables of one problem and one set of weights, then `levels(chunk)` per chunk."""

    def __init__(self, encoded: EncodedProblem, weights: Weights) -> None:
        self.encoded = encoded
        self.weights = weights
        total = sum(getattr(weights, name) for name in COMPONENTS if name != "about")
        top = 1.0 + weights.waiting_bonus
        self.unit = np.float32((LEVELS - 1) / top / (total or 1.0))  # one weighted point
        e = encoded.mentees
        self.bonus = (
            waiting_bonus(encoded, np.arange(e.n), weights) * ((LEVELS - 1) / top)
        ).astype(np.float32)
        self.base = np.float32(
            (0.5 * weights.pathway + 0.75 * weights.language + 0.5 * weights.distance) * self.unit
        )
        step = encoded.encoder.slot_step
        slots = np.arange(7 * 1440 // step + 1)
        self.schedule = (
            np.minimum(1.0, slots * step / weights.full_overlap_minutes)
            * weights.schedule
            * self.unit
        ).astype(np.float32)
        shared = np.arange(64 * max(1, e.interests.shape[1]) + 1)
        self.interests = (
            np.minimum(1.0, shared / weights.full_shared_interests) * weights.interests * self.unit
        ).astype(np.float32)

    def levels(self, chunk: PairChunk) -> np.ndarray:
        """uint8 pre-score level of each pair of the chunk."""
        w = self.weights
        e, r = self.encoded.mentees, self.encoded.mentors
        i, j = chunk.i, chunk.j
        value = self.bonus[i]
        value += self.base
        value += self.schedule[chunk.slots]
        value += ((e.pathway[i] & r.pathway[j]) != 0) * np.float32(0.5 * w.pathway * self.unit)
        first = e.first_language[i]
        same = (first == r.first_language[j]) & (first >= 0)
        value += same * np.float32(0.25 * w.language * self.unit)
        shared = np.bitwise_count(e.interests[i, 0] & r.interests[j, 0]).astype(np.int64)
        for word in range(1, e.interests.shape[1]):
            shared += np.bitwise_count(e.interests[i, word] & r.interests[j, word])
        value += self.interests[shared]
        gap = (r.days[j] - e.days[i]).astype(np.float32) * np.float32(1.0 / w.full_gap_days)
        value += np.clip(gap, 0.0, 1.0) * np.float32(w.recovery_time * self.unit)
        reach = chunk.reach_km
        near = np.flatnonzero(~np.isnan(reach))
        if len(near):
            closer = 0.5 / (1.0 + reach[near] / w.half_score_km)
            value[near] += (closer * (w.distance * self.unit)).astype(np.float32)
        return np.rint(np.clip(value, 0, LEVELS - 1)).astype(np.uint8)


class ModelPrescorer:
    """The pre-score of a learned model: its chance without the text, plus the bonus."""

    def __init__(self, encoded: EncodedProblem, weights: Weights, model: LearnedModel) -> None:
        self.encoded = encoded
        self.model = model
        top = 1.0 + weights.waiting_bonus
        self.unit = (LEVELS - 1) / top
        self.bonus = waiting_bonus(encoded, np.arange(encoded.mentees.n), weights) * self.unit

    def levels(self, chunk: PairChunk) -> np.ndarray:
        """uint8 pre-score level of each pair of the chunk."""
        raw = pair_features(
            self.encoded, chunk.i, chunk.j, slots=chunk.slots, reach=chunk.reach_km, with_text=False
        )
        value = self.model.predict(raw) * self.unit + self.bonus[chunk.i]
        return np.rint(np.clip(value, 0, LEVELS - 1)).astype(np.uint8)
