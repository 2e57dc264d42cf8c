"""One side of a problem as columns, straight from decoded records, checked column by column.

Each field is read once for the whole side (one comprehension or `np.fromiter` per field,
no function call per record), and the checks a Struct cannot express run on the columns.
The same extraction serves readable `Participant`s (the worker, the API), whose attributes
carry the same names; only their windows are already minutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Any

import numpy as np

from services.matcher.problem_errors import ProblemError, describe, field_error
from services.matcher.records import DAYS

DAY_INDEX = {day: i for i, day in enumerate(DAYS)}
# Every valid "HH:MM" start, and every valid end (which may be "24:00"): a dict lookup per
# window checks and converts at once.
STARTS = {f"{m // 60:02d}:{m % 60:02d}": m for m in range(1440)}
ENDS = {**STARTS, "24:00": 1440}


@dataclass
class SideColumns:
    """Row k of every column is the k-th record; windows are a flat table with owners."""

    ids: list[str]
    gender: list[str]
    gender_preference: list[Sequence[str]]
    pathways: list[Sequence[str]]
    languages: list[Sequence[str]]  # as given; `Vocabulary` normalises each distinct word once
    interests: list[Sequence[str]]
    about: list[str]
    meeting_format: list[str]
    timezone: list[str]
    recovery: np.ndarray  # int64 date ordinal, 0 where none
    has_location: np.ndarray  # bool
    latitude: np.ndarray  # degrees, 0 where none
    longitude: np.ndarray
    max_km: np.ndarray  # float64, nan where none
    window_start_row: np.ndarray  # int64 (n + 1): row k's windows are [start_row[k], [k + 1])
    window_day: np.ndarray  # int64, 0 = Monday
    window_start: np.ndarray  # int64 minutes from local midnight
    window_end: np.ndarray
    waiting_days: np.ndarray  # int64
    capacity: np.ndarray  # int64
    active: np.ndarray  # int64

    @property
    def n(self) -> int:
        """Number of records."""
        return len(self.ids)

    @property
    def window_owner(self) -> np.ndarray:
        """The row of each window."""
        return np.repeat(np.arange(self.n), np.diff(self.window_start_row))

    def recovery_days(self, reference_date: dt.date) -> np.ndarray:
        """Days in recovery at the reference date (no date counts as 0)."""
        days = reference_date.toordinal() - self.recovery
        return np.where(self.recovery > 0, days, 0)


def flat_positions(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions [starts[k], starts[k] + lengths[k]) of every k, in order, as one array:
    the entries of some rows of a flat table (windows, CSR rows) without a Python loop."""
    first = np.cumsum(lengths) - lengths
    return np.arange(int(lengths.sum())) - np.repeat(first - starts, lengths)


def _ints(values: Any, n: int) -> np.ndarray:
    return np.fromiter(values, np.int64, n)


def extract(records: Sequence[Any], role: str, *, minutes: bool) -> SideColumns:
    """Columns of decoded wire records (`minutes=False`) or of Participants (`minutes=True`)."""
    n = len(records)
    dates = [r.recovery_date for r in records]
    locations = [r.location for r in records]
    windows = [r.availability for r in records]
    flat = list(chain.from_iterable(windows))
    if minutes:
        day = _ints((w.day for w in flat), len(flat))
        start = _ints((w.start for w in flat), len(flat))
        end = _ints((w.end for w in flat), len(flat))
    else:
        day = _ints((DAY_INDEX[w.day] for w in flat), len(flat))
        start = _ints((STARTS.get(w.start, -1) for w in flat), len(flat))
        end = _ints((ENDS.get(w.end, -1) for w in flat), len(flat))
    # Readable records carry every field; decoded ones only their role's.
    waiting, places = minutes or role == "mentee", minutes or role == "mentor"
    zeros = np.zeros(n, dtype=np.int64)
    return SideColumns(
        ids=[r.id for r in records],
        gender=[r.gender for r in records],
        gender_preference=[r.gender_preference for r in records],
        pathways=[r.pathways for r in records],
        languages=[r.languages for r in records],
        interests=[r.interests or () for r in records],
        about=[r.about or "" for r in records],
        meeting_format=[r.meeting_format for r in records],
        timezone=[r.timezone for r in records],
        recovery=_ints((0 if d is None else d.toordinal() for d in dates), n),
        has_location=np.fromiter((x is not None for x in locations), bool, n),
        latitude=np.fromiter((0.0 if x is None else x.latitude for x in locations), float, n),
        longitude=np.fromiter((0.0 if x is None else x.longitude for x in locations), float, n),
        max_km=np.array([r.max_distance_km for r in records], dtype=np.float64).reshape(n),
        window_start_row=np.concatenate([[0], np.cumsum(_ints(map(len, windows), n))]),
        window_day=day,
        window_start=start,
        window_end=end,
        waiting_days=_ints((r.waiting_days for r in records), n) if waiting else zeros,
        capacity=_ints((r.capacity for r in records), n) if places else zeros,
        active=_ints((r.active_mentees for r in records), n) if places else zeros,
    )


@lru_cache(maxsize=1024)
def known_timezone(name: str) -> bool:
    """Whether an IANA timezone of that name exists here."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return bool(name)


def _first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if len(hits) else None


def _blank_word(lists: list[Sequence[str]], name: str) -> tuple[int, str, str] | None:
    """The first item that is blank once stripped: (row, field, message)."""
    words = set(chain.from_iterable(lists))
    if all(word.strip() for word in words):
        return None
    for row, items in enumerate(lists):
        for k, item in enumerate(items):
            if not item.strip():
                return row, f"{name}[{k}]", f"must be a non-empty string, got {describe(item)}"
    return None


def check(
    columns: SideColumns,
    records: Sequence[Any],
    role: str,
    reference_date: dt.date,
    label: Any,
) -> None:
    """The rules a Struct cannot state; raises ProblemError for the earliest record at fault.

    `label(row)` names a record in the message (`mentees[3] (id "e4")`).
    """
    c = columns
    found: list[tuple[int, int, str, str]] = []  # (row, rule order, field, message)

    def rule(order: int, mask: np.ndarray, field: str, message: Any) -> None:
        row = _first(mask)
        if row is not None:
            found.append((row, order, field, message(row) if callable(message) else message))

    rule(0, np.fromiter((not pid.strip() for pid in c.ids), bool, c.n), "id", "must not be empty")
    online = np.fromiter((f == "online" for f in c.meeting_format), bool, c.n)

    def need(row: int) -> str:
        return f"is required for meeting_format {c.meeting_format[row]}"

    rule(1, ~online & ~c.has_location, "location", need)
    rule(2, ~online & np.isnan(c.max_km), "max_distance_km", need)
    dated = c.recovery > 0
    if role == "mentor":
        rule(3, ~dated, "recovery_date", "is required for a mentor")
    late = dated & (c.recovery > reference_date.toordinal())
    rule(
        3,
        late,
        "recovery_date",
        lambda row: (
            f"{dt.date.fromordinal(int(c.recovery[row]))} is after the reference date "
            f"{reference_date}"
        ),
    )
    rule(4, c.active > c.capacity, "active_mentees", lambda row: _active(c, row))
    for order, name in ((5, "languages"), (6, "interests")):
        blank = _blank_word(getattr(c, name), name)
        if blank is not None:
            found.append((blank[0], order, blank[1], blank[2]))
    bad_zones = {tz for tz in set(c.timezone) if not known_timezone(tz)}
    if bad_zones:
        mask = np.fromiter((tz in bad_zones for tz in c.timezone), bool, c.n)
        rule(7, mask, "timezone", lambda row: f"unknown IANA timezone {describe(c.timezone[row])}")
    window = _window_fault(c, records)
    if window is not None:
        found.append((window[0], 8, window[1], window[2]))
    if found:
        row, _, field, message = min(found)
        raise field_error(label(row), field, message)
    seen: dict[str, int] = {}
    if len(set(c.ids)) != c.n:
        for row, pid in enumerate(c.ids):
            if pid in seen:
                raise ProblemError(f'{label(row)}: field "id": duplicate of {label(seen[pid])}')
            seen[pid] = row


def _active(c: SideColumns, row: int) -> str:
    return f"must be between 0 and {c.capacity[row]}, got {c.active[row]}"


def _window_fault(c: SideColumns, records: Sequence[Any]) -> tuple[int, str, str] | None:
    """The first malformed window: (row, field, message)."""
    bad = (c.window_start < 0) | (c.window_end < 0) | (c.window_end <= c.window_start)
    at = _first(bad)
    if at is None:
        return None
    row = int(np.searchsorted(c.window_start_row, at, side="right") - 1)
    k = int(at - c.window_start_row[row])
    where, window = f"availability[{k}]", records[row].availability[k]
    if c.window_start[at] < 0:
        got = describe(window.start)
        return row, f"{where}.start", f"must be a time HH:MM (00:00 to 23:59), got {got}"
    if c.window_end[at] < 0:
        got = describe(window.end)
        return row, f"{where}.end", f"must be a time HH:MM (00:00 to 24:00), got {got}"
    return row, f"{where}.end", f"must be after start ({window.start})"
