"""The worker's path: one new or changed person against everyone on the other side.

`PartnerIndex` encodes one side once (vocabularies, text model, schedule bitsets); each
`best_partner` call then encodes only the newcomer and runs the same vectorised rules and
score as the batch solver over the whole indexed side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from services.matcher.columns import flat_positions
from services.matcher.encoding import (
    EncodedProblem,
    EncodedSide,
    Encoder,
    build_encoder,
    week_windows,
)
from services.matcher.explanations import explain_pairs
from services.matcher.feasibility import check_one, key_compatibility, side_keys
from services.matcher.features import feature_rows, pair_features
from services.matcher.learned import LearnedModel, add_chance
from services.matcher.problem import side_columns
from services.matcher.records import Participant, Settings
from services.matcher.scoring import (
    DEFAULT_WEIGHTS,
    Weights,
    combine,
    component_scores,
    waiting_bonus,
)
from services.matcher.text import row_cosines
from services.matcher.waiting import WaitingReason, explain_rows


@dataclass
class PartnerMatch:
    """The best feasible partner found for one person."""

    partner_id: str
    score: float
    explanation: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The pair's raw features (`features.FEATURES`), what an introduction keeps to learn from.
    features: dict[str, float] = field(default_factory=dict)


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
        model: LearnedModel | None = None,
    ) -> None:
        if side not in ("mentors", "mentees"):
            raise ValueError("side must be 'mentors' or 'mentees'")
        self.side = side
        self.people = list(people)
        self.weights = weights
        self.model = model  # when given, its chance ranks the feasible partners
        settings = settings or Settings()
        self._newcomer_role = "mentee" if side == "mentors" else "mentor"
        columns = side_columns(self.people, "mentor" if side == "mentors" else "mentee")
        windows = week_windows(columns, reference_date)
        self.encoder: Encoder = build_encoder(reference_date, settings, [columns], [windows[1]])
        self.encoded: EncodedSide = self.encoder.encode(columns, windows)
        self.row = {p.id: k for k, p in enumerate(self.people)}
        self.remaining = self.encoded.remaining.copy()
        # Rows grouped by categorical key: a newcomer is compared with compatible keys only.
        self._keys, key_of = side_keys(self.encoded)
        self._by_key = np.argsort(key_of, kind="stable")
        self._key_bounds = np.searchsorted(key_of[self._by_key], np.arange(len(self._keys) + 1))
        self._text_lengths = np.diff(self.encoded.text.indptr)  # entries per distinct text

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

    def _problem(self, person: Participant, excluded: Iterable[str] = ()) -> EncodedProblem:
        single = self.encoder.encode_people([person], self._newcomer_role)
        step = int(np.gcd(self.encoder.slot_step, single.windows.step()))
        if step != self.encoder.slot_step:
            # A newcomer whose windows fall between the index's slots needs finer slots.
            self.encoder.slot_step = step
            self.encoded.schedule = self.encoded.windows.bitsets(self.encoded.n, step)
            single = self.encoder.encode_people([person], self._newcomer_role)
        rows = sorted({self.row[p] for p in excluded if p in self.row})
        # The newcomer is row 0 of the other side, so a pair's code is the indexed row.
        codes = np.asarray(rows, dtype=np.int64)
        if self.side == "mentors":
            return EncodedProblem(self.encoder, single, self.encoded, codes)
        return EncodedProblem(self.encoder, self.encoded, single, codes)

    def _compatible_rows(self, encoded: EncodedProblem) -> np.ndarray:
        """Indexed rows whose pathway family, genders and languages suit the newcomer."""
        if self.side == "mentors":
            single, _ = side_keys(encoded.mentees)
            ok = key_compatibility(single, self._keys)[0]
        else:
            single, _ = side_keys(encoded.mentors)
            ok = key_compatibility(self._keys, single)[:, 0]
        keys = np.flatnonzero(ok)
        starts = self._key_bounds[keys]
        at = flat_positions(starts, self._key_bounds[keys + 1] - starts)
        return np.sort(self._by_key[at])

    def explain_waiting(
        self, mentee: Participant, *, excluded: Iterable[str] = ()
    ) -> WaitingReason:
        """Why `mentee` waits, against the indexed mentors and their room as recorded."""
        if self.side != "mentors":
            raise ValueError("explain_waiting needs an index of mentors")
        encoded = self._problem(mentee, excluded)
        n = self.encoded.n
        one = np.zeros(n, dtype=np.int64)
        fits = check_one(encoded, one_mentee=True)
        fits[encoded.excluded_codes] = False
        full = np.array([int((fits & (self.remaining <= 0)).sum())])
        reason = explain_rows(encoded, one[:1], self.remaining, full)[0]
        # The index's vocabulary holds the mentors' languages only: keep all of the mentee's,
        # sorted as the one-off explanation sorts them.
        offers = tuple(
            replace(s, change={"languages": [*sorted(mentee.languages), s.change["languages"][-1]]})
            if s.code == "add_language"
            else s
            for s in reason.suggestions
        )
        return replace(reason, suggestions=offers)

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
        ok &= check_one(
            encoded, one_mentee=self.side == "mentors", rows=self._compatible_rows(encoded)
        )
        for partner_id in excluded:
            row = self.row.get(partner_id)
            if row is not None:
                ok[row] = False
        rows = np.flatnonzero(ok)
        if len(rows) == 0:
            return None
        i, j = i[rows], j[rows]
        single = encoded.mentees if self.side == "mentors" else encoded.mentors
        text = row_cosines(self.encoded.text, rows, single.text, self._text_lengths)
        if self.model is None:
            scores = component_scores(encoded, i, j, self.weights, with_text=False)
            scores["about"] = text
            score = combine(scores, self.weights)
        else:
            score = self.model.predict(pair_features(encoded, i, j, text=text))
        benefit = (
            score if self.side == "mentors" else score + waiting_bonus(encoded, i, self.weights)
        )
        best = int(np.argmax(benefit))
        partner = int(rows[best])
        pick = slice(best, best + 1)
        features = pair_features(encoded, i[pick], j[pick], text=text[pick])
        explanation: dict[str, dict[str, Any]] = {}
        if explain:
            _, explanations = explain_pairs(encoded, i[pick], j[pick], self.weights)
            if self.model is not None:
                add_chance(explanations, score[pick])
            explanation = explanations[0]
        return PartnerMatch(
            self.people[partner].id, float(score[best]), explanation, feature_rows(features)[0]
        )


def best_partner(
    person: Participant,
    others: Sequence[Participant],
    *,
    side: str,
    reference_date: dt.date,
    settings: Settings | None = None,
    excluded: Iterable[str] = (),
    weights: Weights = DEFAULT_WEIGHTS,
    model: LearnedModel | None = None,
) -> PartnerMatch | None:
    """One-off best partner (builds a throwaway index; reuse `PartnerIndex` when repeated)."""
    index = PartnerIndex(
        others,
        side=side,
        reference_date=reference_date,
        settings=settings,
        weights=weights,
        model=model,
    )
    return index.best_partner(person, excluded=excluded, explain=True)
