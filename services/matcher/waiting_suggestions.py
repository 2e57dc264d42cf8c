"""Single changes to a waiting mentee's profile that would open mentors with room.

Each kind of change is tried on every pair that it alone blocks (from `waiting_counts`),
for all explained mentees at once: a weekly window added (each day's morning, afternoon
and evening that do not touch the mentee's own times), a longer travel distance (the
first of a few round distances that reaches someone), meeting online too, a language the
mentor speaks, or a gender the mentor has. A suggestion carries the new values of the
fields it changes, in the solve file's form, so that applying it is a plain update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from services.matcher.columns import flat_positions
from services.matcher.encoding import EITHER, IN_PERSON, EncodedProblem
from services.matcher.explanations import LANGUAGE_NAMES
from services.matcher.records import GENDERS, clock
from services.matcher.schedule import WeekWindows
from services.matcher.waiting_counts import BIT, RuleCounts
from services.matcher.waiting_text import GENDER_WORDS, day_code, mentors, window_words

PARTS = (
    ("mornings", 9 * 60, 12 * 60),
    ("afternoons", 13 * 60, 17 * 60),
    ("evenings", 18 * 60, 21 * 60),
)
WINDOWS = tuple((day, *part) for day in range(7) for part in PARTS)
LADDER_KM = np.array([5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 100, 150, 200, 300, 500], float)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One change that would open mentors with room: what, how many, in words, as data."""

    code: (
        str  # add_availability, widen_distance, meet_online, add_language, widen_gender_preference
    )
    opens: int
    text: str
    change: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The suggestion as in the solve output."""
        return {"code": self.code, "opens": self.opens, "text": self.text, "change": self.change}


def _windows_of(encoded: EncodedProblem, row: int) -> list[dict[str, str]]:
    local = encoded.mentees.local_windows
    low, high = int(local.start_row[row]), int(local.start_row[row + 1])
    return [
        {"day": day_code(int(d)), "start": clock(int(s)), "end": clock(int(t))}
        for d, s, t in zip(
            local.day[low:high], local.start[low:high], local.end[low:high], strict=True
        )
    ]


def _touching(encoded: EncodedProblem, rows: np.ndarray) -> np.ndarray:
    """(m, len(WINDOWS)) bool: the candidate window touches the mentee's own times."""
    local = encoded.mentees.local_windows
    out = np.zeros((len(rows), len(WINDOWS)), dtype=bool)
    lows, lengths = local.start_row[rows], np.diff(local.start_row)[rows]
    owner = np.repeat(np.arange(len(rows)), lengths)
    at = flat_positions(lows, lengths)
    for w, (day, _, start, end) in enumerate(WINDOWS):
        hit = (local.day[at] == day) & (local.start[at] < end) & (local.end[at] > start)
        out[owner[hit], w] = True
    return out


def schedule_changes(
    encoded: EncodedProblem, rows: np.ndarray, counts: RuleCounts, out: list[list[Suggestion]]
) -> None:
    """The added window that opens the most mentors blocked by the schedule alone."""
    pick = np.flatnonzero(counts.bit == BIT["schedule"])
    if len(pick) == 0:
        return
    u, r, minutes = counts.u[pick], counts.r[pick], counts.minutes[pick]
    e, m = encoded.mentees, encoded.mentors
    mentor_rows, mentor_at = np.unique(r, return_inverse=True)
    offsets, offset_at = np.unique(e.offset[rows[u]], return_inverse=True)
    lookup = np.full(m.n, -1)
    lookup[mentor_rows] = np.arange(len(mentor_rows))
    keep = lookup[m.windows.owner] >= 0
    week = WeekWindows(lookup[m.windows.owner[keep]], m.windows.start[keep], m.windows.end[keep])
    n_w = len(WINDOWS)
    days = np.array([w[0] for w in WINDOWS] * len(offsets))
    starts = np.array([w[2] for w in WINDOWS] * len(offsets))
    ends = np.array([w[3] for w in WINDOWS] * len(offsets))
    owners = np.arange(len(offsets) * n_w)
    pieces = WeekWindows.from_local(owners, days, starts, ends, np.repeat(offsets, n_w))
    per_piece = week.overlap(len(mentor_rows), pieces.start, pieces.end)
    flat_gain = np.zeros((len(owners), len(mentor_rows)), dtype=np.int64)
    np.add.at(flat_gain, pieces.owner, per_piece)  # a window past Sunday is two pieces
    gain = flat_gain.reshape(len(offsets), n_w, len(mentor_rows))  # minutes each window adds
    need = encoded.encoder.settings.min_schedule_overlap_minutes
    opened = (minutes[:, None] + gain[offset_at, :, mentor_at]) >= need
    opened &= ~_touching(encoded, rows)[u]
    per = np.zeros((len(rows), n_w), dtype=np.int64)
    np.add.at(per, u, opened.astype(np.int64))
    best = per.argmax(axis=1)
    for k in np.flatnonzero(per.max(axis=1) > 0).tolist():
        day, part, start, end = WINDOWS[int(best[k])]
        n = int(per[k, best[k]])
        window = {"day": day_code(day), "start": clock(start), "end": clock(end)}
        text = (
            f"{mentors(n)} would share your free time if you added "
            f"{window_words(day, part)} ({clock(start)} to {clock(end)})."
        )
        change = {"availability": [*_windows_of(encoded, int(rows[k])), window]}
        out[k].append(Suggestion("add_availability", n, text, change))


def distance_changes(
    encoded: EncodedProblem, rows: np.ndarray, counts: RuleCounts, out: list[list[Suggestion]]
) -> None:
    """The first round distance that brings mentors blocked by distance alone in reach."""
    pick = np.flatnonzero(counts.bit == BIT["distance"])
    if len(pick) == 0:
        return
    u, r, km = counts.u[pick], counts.r[pick], counts.km[pick]
    reachable = ~np.isnan(km) & (km <= encoded.mentors.max_km[r])  # their own limit holds
    step = np.searchsorted(LADDER_KM, km[reachable], side="left")
    inside = step < len(LADDER_KM)
    per = np.zeros((len(rows), len(LADDER_KM) + 1), dtype=np.int64)
    np.add.at(per, (u[reachable][inside], step[inside]), 1)
    within = np.cumsum(per[:, :-1], axis=1)
    for k in np.flatnonzero(within[:, -1] > 0).tolist():
        first = int(np.argmax(within[k] > 0))
        n, limit = int(within[k, first]), int(LADDER_KM[first])
        text = f"{mentors(n)} would be in reach if you could travel up to {limit} km"
        more = np.flatnonzero(within[k] > n)
        if len(more):
            text += f" ({int(within[k, more[0]])} up to {int(LADDER_KM[more[0]])} km)"
        out[k].append(Suggestion("widen_distance", n, text + ".", {"max_distance_km": limit}))


def format_changes(
    encoded: EncodedProblem, rows: np.ndarray, counts: RuleCounts, out: list[list[Suggestion]]
) -> None:
    """Meeting online too, for in-person mentees: online mentors, and `either` ones far away."""
    e, m = encoded.mentees, encoded.mentors
    in_person = e.meeting_format[rows[counts.u]] == IN_PERSON
    opened = in_person & (
        (counts.bit == BIT["meeting_format"])
        | ((counts.bit == BIT["distance"]) & (m.meeting_format[counts.r] == EITHER))
    )
    per = np.bincount(counts.u[opened], minlength=len(rows))
    for k in np.flatnonzero(per).tolist():
        n = int(per[k])
        text = f"{mentors(n)} could be a match if you are open to meeting online too."
        out[k].append(Suggestion("meet_online", n, text, {"meeting_format": "either"}))


def language_changes(
    encoded: EncodedProblem, rows: np.ndarray, counts: RuleCounts, out: list[list[Suggestion]]
) -> None:
    """A language that the mentors blocked by language alone speak."""
    pick = np.flatnonzero(counts.bit == BIT["language"])
    vocabulary = encoded.encoder.languages
    if len(pick) == 0 or not vocabulary.words:
        return
    u, masks = counts.u[pick], encoded.mentors.languages[counts.r[pick]]
    per = np.zeros((len(rows), len(vocabulary.words)), dtype=np.int64)
    for b in range(len(vocabulary.words)):
        speaks = (masks[:, b // 64] >> np.uint64(b % 64)) & np.uint64(1)
        per[:, b] = np.bincount(u[speaks.astype(bool)], minlength=len(rows))
    for k in np.flatnonzero(per.max(axis=1) > 0).tolist():
        b = int(per[k].argmax())
        word, n = vocabulary.words[b], int(per[k, b])
        name = LANGUAGE_NAMES.get(word, word)
        text = f"If you also speak {name}, adding it would open {mentors(n)}."
        # Sorted: the bit order of the vocabulary differs between an index and a one-off.
        current = sorted(vocabulary.names(encoded.mentees.languages[rows[k]]))
        out[k].append(Suggestion("add_language", n, text, {"languages": [*current, word]}))


def gender_changes(
    encoded: EncodedProblem, rows: np.ndarray, counts: RuleCounts, out: list[list[Suggestion]]
) -> None:
    """A gender of mentors blocked only by the mentee's own gender preference."""
    e, m = encoded.mentees, encoded.mentors
    pick = np.flatnonzero(counts.bit == BIT["gender"])
    u, r = counts.u[pick], counts.r[pick]
    er = rows[u]
    theirs_ok = (m.preference[r] & e.gender_bit[er]) != 0
    mine_blocks = (e.preference[er] & m.gender_bit[r]) == 0
    u, gender = u[theirs_ok & mine_blocks], m.gender_bit[r][theirs_ok & mine_blocks]
    if len(u) == 0:
        return
    per = np.zeros((len(rows), len(GENDERS)), dtype=np.int64)
    np.add.at(per, (u, np.log2(gender).astype(np.int64)), 1)
    for k in np.flatnonzero(per.max(axis=1) > 0).tolist():
        g = int(per[k].argmax())
        n = int(per[k, g])
        mask = int(e.preference[rows[k]])
        current = [name for bit, name in enumerate(GENDERS) if mask >> bit & 1]
        who = GENDER_WORDS[GENDERS[g]]
        text = f"{mentors(n)} could be a match if you are open to a mentor who is {who}."
        change = {"gender_preference": [*current, GENDERS[g]]}
        out[k].append(Suggestion("widen_gender_preference", n, text, change))


def suggestions(
    encoded: EncodedProblem, rows: np.ndarray, counts: RuleCounts, limit: int = 2
) -> list[list[Suggestion]]:
    """Up to `limit` suggestions per explained mentee, the most opening first."""
    out: list[list[Suggestion]] = [[] for _ in rows]
    for find in (schedule_changes, distance_changes, format_changes, language_changes):
        find(encoded, rows, counts, out)
    gender_changes(encoded, rows, counts, out)  # offered last: a preference is personal
    order = {"widen_gender_preference": 1}
    return [sorted(found, key=lambda s: (order.get(s.code, 0), -s.opens))[:limit] for found in out]
