"""Why a mentee is still waiting: the rules in the way, and changes that would open a match.

For each waiting mentee, against the mentors who have room: how many mentors each hard
rule rules out (and how many it alone rules out), how many fit every rule but are full,
one main reason in a sentence, and one or two single changes that would open mentors
with room (tried for every mentee at once, `waiting_suggestions.py`). Three ways in:
- the batch solve calls `explain_unmatched` after the assignment, for the unmatched only;
- `explain_waiting(mentees, mentors, ...)` for readable records (a coordinator's list);
- `PartnerIndex.explain_waiting(mentee)` for one member against a cached mentor index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from services.matcher.encoding import ONLINE, EncodedProblem, encode_problem
from services.matcher.problem import Problem
from services.matcher.profile_checks import ProfileBlocker, mentee_blockers
from services.matcher.records import Participant, Settings
from services.matcher.waiting_counts import RULES, rule_counts
from services.matcher.waiting_suggestions import Suggestion, suggestions
from services.matcher.waiting_text import HEADLINES, obstacle_text


@dataclass(frozen=True, slots=True)
class Obstacle:
    """A rule between a mentee and the mentors with room ("capacity": fit, but full)."""

    code: str  # a name of CONSTRAINTS, or "capacity"
    mentors: int  # mentors it rules out
    only: int  # of those, mentors that this rule alone rules out
    text: str

    def as_dict(self) -> dict[str, Any]:
        """The obstacle as in the solve output."""
        return {"code": self.code, "mentors": self.mentors, "only": self.only, "text": self.text}


@dataclass(frozen=True, slots=True)
class WaitingReason:
    """Why one mentee is waiting, for them and for a coordinator."""

    mentee_id: str
    code: str  # the main reason: a rule, "capacity", "no_mentors", "can_match" or a blocker
    text: str
    mentors_with_room: int
    obstacles: tuple[Obstacle, ...]
    suggestions: tuple[Suggestion, ...]
    blockers: tuple[ProfileBlocker, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The reason as in the solve output's `unmatched` list."""
        return {
            "mentee_id": self.mentee_id,
            "code": self.code,
            "text": self.text,
            "mentors_with_room": self.mentors_with_room,
            "obstacles": [o.as_dict() for o in self.obstacles],
            "suggestions": [s.as_dict() for s in self.suggestions],
            "blockers": [b.as_dict() for b in self.blockers],
        }


def _headline(code: str, mentee_format: int) -> str:
    if code == "meeting_format":
        if mentee_format == ONLINE:
            return HEADLINES["meeting_format_online"]
        return HEADLINES["meeting_format"]
    return HEADLINES[code]


def _main_code(feasible: int, full: int, room: int, only: list[int], ruled_out: list[int]) -> str:
    """One reason: a fitting mentor with room, every fitting one full, nobody with room, or
    the rule that alone rules out the most mentors with room (else the most, together)."""
    if feasible:
        return "can_match"
    if full:
        return "capacity"
    if room == 0:
        return "no_mentors"
    pick = only if max(only) > 0 else ruled_out
    return RULES[int(np.argmax(pick))]


def explain_rows(
    encoded: EncodedProblem,
    rows: np.ndarray,
    remaining: np.ndarray,
    fits_but_full: np.ndarray,
) -> list[WaitingReason]:
    """Reasons for mentee rows `rows`, given each mentor's room and, per explained mentee,
    the number of mentors who fit every rule but have no room."""
    rows = np.asarray(rows, dtype=np.int64)
    room = np.flatnonzero(remaining > 0)
    counts = rule_counts(encoded, rows, room)
    offers = suggestions(encoded, rows, counts)
    blockers = mentee_blockers(encoded, rows)
    need = encoded.encoder.settings.min_schedule_overlap_minutes
    formats = encoded.mentees.meeting_format[rows].tolist()
    codes = (*RULES, "capacity")
    # Every obstacle count, capacity last; each mentee's largest first (a stable order).
    mentors = np.column_stack([counts.ruled_out, fits_but_full]).astype(np.int64)
    alone = np.column_stack([counts.only, fits_but_full]).astype(np.int64)
    order = np.argsort(-mentors, axis=1, kind="stable").tolist()
    mentors_list, alone_list = mentors.tolist(), alone.tolist()
    ruled_out, only = counts.ruled_out.tolist(), counts.only.tolist()
    full_list, feasible = np.asarray(fits_but_full).tolist(), counts.feasible.tolist()
    ids = encoded.mentees.ids
    out = []
    for k, row in enumerate(rows.tolist()):
        full = full_list[k]
        online = formats[k] == ONLINE
        counted, single = mentors_list[k], alone_list[k]
        obstacles = []
        for b in order[k]:
            if not counted[b]:
                break
            text = obstacle_text(codes[b], counted[b], need, online)
            obstacles.append(Obstacle(codes[b], counted[b], single[b], text))
        if blockers[k]:
            code, text = blockers[k][0].code, blockers[k][0].text
        else:
            code = _main_code(feasible[k], full, len(room), only[k], ruled_out[k])
            text = _headline(code, formats[k])
        out.append(
            WaitingReason(
                mentee_id=ids[row],
                code=code,
                text=text,
                mentors_with_room=len(room),
                obstacles=tuple(obstacles),
                suggestions=tuple(offers[k]),
                blockers=tuple(blockers[k]),
            )
        )
    return out


def _fits_full(encoded: EncodedProblem, rows: np.ndarray, full: np.ndarray) -> np.ndarray:
    """Per mentee row in `rows`: mentors among `full` (a mask) who fit every rule."""
    from services.matcher.feasibility import iter_pairs

    wanted = np.zeros(encoded.mentees.n, dtype=bool)
    wanted[rows] = True
    count = np.zeros(encoded.mentees.n, dtype=np.int64)
    if full.any() and len(rows):
        for chunk in iter_pairs(encoded, mentee_mask=wanted, mentor_mask=full):
            count += np.bincount(chunk.i, minlength=encoded.mentees.n)
    return count[rows]


def explain_unmatched(
    encoded: EncodedProblem,
    assigned_mentees: np.ndarray,
    assigned_mentors: np.ndarray,
    feasible_per_mentee: np.ndarray,
) -> list[WaitingReason]:
    """The batch's reasons: every mentee without a proposal, against the room left after it.

    `feasible_per_mentee` counts each mentee's feasible mentors among those who had room
    before the run; a maximum matching leaves none of them with room for an unmatched one.
    """
    e, m = encoded.mentees, encoded.mentors
    matched = np.zeros(e.n, dtype=bool)
    matched[assigned_mentees] = True
    rows = np.flatnonzero(~matched)
    if len(rows) == 0:
        return []
    remaining = m.remaining - np.bincount(assigned_mentors, minlength=m.n).astype(np.int32)
    full = feasible_per_mentee[rows] + _fits_full(encoded, rows, m.remaining <= 0)
    return explain_rows(encoded, rows, remaining, full)


def explain_waiting(
    mentees: Sequence[Participant],
    mentors: Sequence[Participant],
    *,
    reference_date: dt.date,
    settings: Settings | None = None,
    exclusions: Iterable[tuple[str, str]] = (),
) -> list[WaitingReason]:
    """Why each of these mentees waits, against these mentors and their room today.

    A mentor's room is `capacity - active_mentees` (count open proposals as active);
    `exclusions` are (mentee id, mentor id) pairs never to propose (others are ignored).
    """
    mentee_ids, mentor_ids = {p.id for p in mentees}, {p.id for p in mentors}
    known = frozenset((e, r) for e, r in exclusions if e in mentee_ids and r in mentor_ids)
    problem = Problem(reference_date, tuple(mentees), tuple(mentors), settings or Settings(), known)
    encoded = encode_problem(problem)
    rows = np.arange(encoded.mentees.n)
    remaining = encoded.mentors.remaining
    full = _fits_full(encoded, rows, remaining <= 0)
    return explain_rows(encoded, rows, remaining, full)
