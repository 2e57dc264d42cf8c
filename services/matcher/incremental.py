"""The worker's path: one new or changed person against everyone on the other side.

`PartnerIndex` encodes one side once (vocabularies, text model, schedule bitsets); each
`best_partner` call then encodes only the newcomer and runs the same vectorised rules and
score as the batch solver over the whole indexed side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from services.matcher.encoding import EncodedProblem, EncodedSide, Encoder, build_encoder
from services.matcher.feasibility import check_pairs, recovery_thresholds
from services.matcher.problem import Participant, Settings
from services.matcher.schedule import slot_minutes
from services.matcher.scoring import (
    DEFAULT_WEIGHTS,
    Weights,
    combine,
    component_scores,
    explain_pairs,
    waiting_bonus,
)


@dataclass
class PartnerMatch:
    """The best feasible partner found for one person."""

    partner_id: str
    score: float
    explanation: dict[str, dict[str, Any]] = field(default_factory=dict)


class PartnerIndex:
    """One side (mentors or mentees) encoded once, to find the best partner of a newcomer."""

    def __init__(
        self,
        people: Sequence[Participant],
        *,
        side: str,
        reference_date: dt.date,
        settings: Settings | None = None,
        weights: Weights = DEFAULT_WEIGHTS,
    ) -> None:
        if side not in ("mentors", "mentees"):
            raise ValueError("side must be 'mentors' or 'mentees'")
        self.side = side
        self.people = list(people)
        self.weights = weights
        settings = settings or Settings()
        probe = build_encoder(reference_date, settings, [[]], [[]])
        intervals = probe.intervals(self.people)
        self.encoder: Encoder = build_encoder(reference_date, settings, [self.people], [intervals])
        self.encoded: EncodedSide = self.encoder.encode(self.people, intervals)
        self.row = {p.id: k for k, p in enumerate(self.people)}
        self.remaining = self.encoded.remaining.copy()

    @classmethod
    def for_mentors(cls, mentors: Sequence[Participant], **kwargs: Any) -> PartnerIndex:
        """An index of mentors, to place a new or changed mentee."""
        return cls(mentors, side="mentors", **kwargs)

    @classmethod
    def for_mentees(cls, mentees: Sequence[Participant], **kwargs: Any) -> PartnerIndex:
        """An index of waiting mentees, to fill a new or changed mentor's places."""
        return cls(mentees, side="mentees", **kwargs)

    def set_remaining(self, mentor_id: str, remaining: int) -> None:
        """Record a mentor's remaining capacity (after proposals were made or ended)."""
        self.remaining[self.row[mentor_id]] = remaining

    def set_all_remaining(self, remaining: np.ndarray) -> None:
        """Record every indexed mentor's remaining capacity at once, in index order."""
        if remaining.shape != self.remaining.shape:
            raise ValueError(f"expected {self.remaining.shape[0]} capacities")
        self.remaining[:] = remaining

    def _rescale_schedule(self, person: Participant) -> None:
        # A newcomer whose windows fall between the index's slots needs finer slots.
        own = self.encoder.intervals([person])
        step = slot_minutes([*own, [(0, self.encoder.slot_step)]])
        if step != self.encoder.slot_step:
            from services.matcher.schedule import slot_bitsets

            self.encoder.slot_step = step
            self.encoded.schedule = slot_bitsets(self.encoded.intervals, step)

    def _problem(self, person: Participant) -> EncodedProblem:
        self._rescale_schedule(person)
        single = self.encoder.encode([person])
        empty = np.zeros(0, dtype=np.int64)
        if self.side == "mentors":
            return EncodedProblem(self.encoder, single, self.encoded, empty)
        return EncodedProblem(self.encoder, self.encoded, single, empty)

    def best_partner(
        self, person: Participant, *, excluded: Iterable[str] = (), explain: bool = False
    ) -> PartnerMatch | None:
        """The best feasible partner for `person` on the indexed side, or None."""
        encoded = self._problem(person)
        n = self.encoded.n
        many = np.arange(n)
        one = np.zeros(n, dtype=np.int64)
        if self.side == "mentors":
            i, j = one, many
            ok = self.remaining > 0
        else:
            i, j = many, one
            ok = np.full(n, person.remaining_capacity > 0)
        ok &= check_pairs(encoded, i, j, recovery_thresholds(encoded))
        for partner_id in excluded:
            row = self.row.get(partner_id)
            if row is not None:
                ok[row] = False
        rows = np.flatnonzero(ok)
        if len(rows) == 0:
            return None
        i, j = i[rows], j[rows]
        scores = component_scores(encoded, i, j, self.weights, with_text=False)
        single = encoded.mentees if self.side == "mentors" else encoded.mentors
        others = self.encoded.text[rows]
        scores["about"] = np.asarray(others @ single.text[0].T.toarray()).ravel().clip(0.0, 1.0)
        score = combine(scores, self.weights)
        benefit = score if self.side == "mentors" else score + waiting_bonus(encoded, i)
        best = int(np.argmax(benefit))
        partner = int(rows[best])
        explanation: dict[str, dict[str, Any]] = {}
        if explain:
            _, explanations = explain_pairs(encoded, i[best : best + 1], j[best : best + 1])
            explanation = explanations[0]
        return PartnerMatch(self.people[partner].id, float(score[best]), explanation)


def best_partner(
    person: Participant,
    others: Sequence[Participant],
    *,
    side: str,
    reference_date: dt.date,
    settings: Settings | None = None,
    excluded: Iterable[str] = (),
) -> PartnerMatch | None:
    """One-off best partner (builds a throwaway index; reuse `PartnerIndex` when repeated)."""
    index = PartnerIndex(others, side=side, reference_date=reference_date, settings=settings)
    return index.best_partner(person, excluded=excluded, explain=True)
