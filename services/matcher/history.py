"""A history file: a solve input plus the outcomes of past introductions (MATCHING.md,
"Learning from outcomes"), read strictly and turned into raw pair features.

```json
{"reference_date": "2026-11-24", "mentees": [...], "mentors": [...],
 "outcomes": [{"mentee_id": "e1", "mentor_id": "r1", "proposed_at": "2026-10-01",
               "outcome": "active", "declined_by": null, "reason_code": null}]}
```
`outcome` is `active` or `ended` (it became a mentorship) or `declined`, `expired`,
`rejected` (it did not). A malformed outcome raises `ProblemError` naming it and its field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import msgspec
import numpy as np

from services.matcher.encoding import EncodedProblem, encode_problem
from services.matcher.feasibility import iter_pairs
from services.matcher.features import pair_features
from services.matcher.learned import Columns
from services.matcher.problem import Problem, ProblemError, load_problem
from services.matcher.problem_errors import describe

BECAME_ACTIVE = ("active", "ended")
DID_NOT = ("declined", "expired", "rejected")
OUTCOMES = BECAME_ACTIVE + DID_NOT
DECLINED_BY = ("mentee", "mentor")
# API.md's reason codes, on decline and on end (services.core.vocabulary holds the same).
REASON_CODES = (
    "schedule",
    "distance",
    "not_a_fit",
    "personal",
    "goals_met",
    "lost_contact",
    "moved",
    "safety",
    "other",
)


@dataclass(frozen=True)
class Outcome:
    """One past introduction and whether it became an active mentorship."""

    mentee_id: str
    mentor_id: str
    proposed_at: dt.date
    outcome: str
    declined_by: str | None = None
    reason_code: str | None = None

    @property
    def became_active(self) -> bool:
        """Whether the introduction became a mentorship (the model's label)."""
        return self.outcome in BECAME_ACTIVE


@dataclass(frozen=True)
class Alternatives:
    """Every feasible partner of the mentees of held-out introductions that became active:
    raw features of each (owner, partner) pair, which introduction it belongs to (index
    into the held-out positives) and whether it is the partner actually introduced."""

    raw: Columns
    owner: np.ndarray
    actual: np.ndarray


@dataclass
class History:
    """The people of a history file, encoded, and its outcomes as pair rows."""

    problem: Problem
    encoded: EncodedProblem
    outcomes: list[Outcome]
    i: np.ndarray  # mentee row of each outcome
    j: np.ndarray  # mentor row of each outcome

    @property
    def labels(self) -> np.ndarray:
        """1 where the introduction became active, else 0."""
        return np.array([o.became_active for o in self.outcomes], dtype=np.int64)

    @property
    def days(self) -> np.ndarray:
        """Each outcome's proposal date as a day number (for the split by time)."""
        return np.array([o.proposed_at.toordinal() for o in self.outcomes], dtype=np.int64)

    def features(self) -> dict[str, np.ndarray]:
        """Raw features of each outcome's pair, with recovery times at its proposal date."""
        return self._features(self.i, self.j, self.days)

    def _features(self, i: np.ndarray, j: np.ndarray, days: np.ndarray) -> dict[str, np.ndarray]:
        raw = pair_features(self.encoded, i, j)
        before = float(self.problem.reference_date.toordinal()) - days
        for side in ("mentee_recovery_days", "mentor_recovery_days"):
            raw[side] = np.maximum(0.0, raw[side] - before)
        return raw

    def alternatives(self, positions: np.ndarray) -> Alternatives:
        """Every feasible mentor (capacity aside) of the mentees of these outcomes, with the
        mentor actually introduced marked (and added, should the rules now rule it out)."""
        wanted = np.zeros(self.encoded.mentees.n, dtype=bool)
        wanted[self.i[positions]] = True
        pairs_i, pairs_j = [], []
        for chunk in iter_pairs(self.encoded):
            keep = wanted[chunk.i]
            pairs_i.append(chunk.i[keep].astype(np.int64))
            pairs_j.append(chunk.j[keep].astype(np.int64))
        i_all = np.concatenate([*pairs_i, np.zeros(0, dtype=np.int64)])
        j_all = np.concatenate([*pairs_j, np.zeros(0, dtype=np.int64)])
        # One owner per outcome: a mentee's feasible mentors are repeated for each of them.
        by_mentee: dict[int, np.ndarray] = {}
        order = np.argsort(i_all, kind="stable")
        i_sorted, j_sorted = i_all[order], j_all[order]
        bounds = np.searchsorted(i_sorted, np.arange(self.encoded.mentees.n + 1))
        owners, mentors, actual = [], [], []
        for k, position in enumerate(positions.tolist()):
            row, partner = int(self.i[position]), int(self.j[position])
            found = by_mentee.setdefault(row, j_sorted[bounds[row] : bounds[row + 1]])
            others = found[found != partner]
            mentors.append(np.concatenate([[partner], others]))
            owners.append(np.full(len(others) + 1, k))
            flags = np.zeros(len(others) + 1, dtype=bool)
            flags[0] = True
            actual.append(flags)
        owner = np.concatenate([*owners, np.zeros(0, dtype=np.int64)]).astype(np.int64)
        j = np.concatenate([*mentors, np.zeros(0, dtype=np.int64)]).astype(np.int64)
        i = self.i[positions][owner]
        raw = self._features(i, j, self.days[positions][owner])
        return Alternatives(raw, owner, np.concatenate([*actual, np.zeros(0, dtype=bool)]))


def _field(index: int, record: object, name: str, message: str) -> ProblemError:
    label = f"outcomes[{index}]"
    if isinstance(record, dict) and isinstance(record.get("mentee_id"), str):
        label += f' (mentee_id "{record["mentee_id"][:40]}")'
    return ProblemError(f'{label}: field "{name}": {message}')


def _choice(index: int, record: dict[str, object], name: str, choices: tuple[str, ...]) -> None:
    value = record.get(name)
    if value is not None and value not in choices:
        raise _field(
            index,
            record,
            name,
            f"unknown value {describe(value)} (expected one of {', '.join(choices)})",
        )


def _outcome(index: int, record: object, mentees: set[str], mentors: set[str]) -> Outcome:
    if not isinstance(record, dict):
        raise ProblemError(f"outcomes[{index}]: must be an object, got {describe(record)}")
    for name, known, side in (("mentee_id", mentees, "mentee"), ("mentor_id", mentors, "mentor")):
        value = record.get(name)
        if not isinstance(value, str) or not value:
            raise _field(index, record, name, "required, a non-empty string")
        if value not in known:
            raise _field(index, record, name, f"no {side} {describe(value)} in the file")
    if record.get("outcome") is None:
        raise _field(index, record, "outcome", f"required, one of {', '.join(OUTCOMES)}")
    _choice(index, record, "outcome", OUTCOMES)
    _choice(index, record, "declined_by", DECLINED_BY)
    _choice(index, record, "reason_code", REASON_CODES)
    proposed = record.get("proposed_at")
    try:
        if not isinstance(proposed, str):
            raise ValueError
        day = dt.date.fromisoformat(proposed[:10])
    except ValueError:
        raise _field(
            index, record, "proposed_at", f"must be a date YYYY-MM-DD, got {describe(proposed)}"
        ) from None
    return Outcome(
        mentee_id=str(record["mentee_id"]),
        mentor_id=str(record["mentor_id"]),
        proposed_at=day,
        outcome=str(record["outcome"]),
        declined_by=record.get("declined_by"),  # type: ignore[arg-type]
        reason_code=record.get("reason_code"),  # type: ignore[arg-type]
    )


def load_history(raw: bytes) -> History:
    """Read a history file's bytes; ProblemError names the record and field at fault."""
    problem = load_problem(raw)
    data = msgspec.json.decode(raw)
    records = data.get("outcomes") if isinstance(data, dict) else None
    if not isinstance(records, list):
        raise ProblemError('field "outcomes": required, a list of past introductions')
    encoded = encode_problem(problem)
    mentee_row = {pid: k for k, pid in enumerate(encoded.mentees.ids)}
    mentor_row = {pid: k for k, pid in enumerate(encoded.mentors.ids)}
    outcomes = [
        _outcome(k, record, set(mentee_row), set(mentor_row)) for k, record in enumerate(records)
    ]
    for k, outcome in enumerate(outcomes):
        if outcome.proposed_at > problem.reference_date:
            raise ProblemError(
                f'outcomes[{k}] (mentee_id "{outcome.mentee_id[:40]}"): field "proposed_at": '
                "after the reference_date"
            )
    i = np.array([mentee_row[o.mentee_id] for o in outcomes], dtype=np.int64)
    j = np.array([mentor_row[o.mentor_id] for o in outcomes], dtype=np.int64)
    return History(problem, encoded, outcomes, i, j)
