"""Weekly availability in UTC: offsets at the reference date, intervals, slot bitsets.

A week is the minutes [0, 10080) from Monday 00:00 UTC; a window that runs past Sunday
midnight wraps to Monday. The readable path counts overlap on merged intervals, so two
windows of one person that overlap each other are never counted twice; the batch path
turns a whole side's windows into slot bitsets at once (`WeekWindows`, `slot_bitsets`),
where a slot covered twice is still one bit.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from services.matcher.records import Availability

WEEK_MINUTES = 7 * 24 * 60

Interval = tuple[int, int]


@lru_cache(maxsize=4096)
def utc_offset_minutes(timezone: str, reference_date: dt.date) -> int:
    """UTC offset of a timezone in minutes, taken at local noon of the reference date."""
    # Noon, not midnight: DST switches happen at night, and noon is what "on that date" means.
    moment = dt.datetime.combine(reference_date, dt.time(12), tzinfo=zoneinfo.ZoneInfo(timezone))
    offset = moment.utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and merge touching or overlapping half-open intervals."""
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def utc_intervals(availability: Sequence[Availability], offset_minutes: int) -> list[Interval]:
    """Local weekly windows as merged UTC intervals inside [0, WEEK_MINUTES)."""
    pieces: list[Interval] = []
    for window in availability:
        start = (window.day * 1440 + window.start - offset_minutes) % WEEK_MINUTES
        end = start + (window.end - window.start)
        if end <= WEEK_MINUTES:
            pieces.append((start, end))
        else:  # runs past Sunday 24:00 UTC: the rest continues on Monday
            pieces.append((start, WEEK_MINUTES))
            pieces.append((0, end - WEEK_MINUTES))
    return merge_intervals(pieces)


def overlap_minutes(first: Sequence[Interval], second: Sequence[Interval]) -> int:
    """Minutes shared by two lists of merged, sorted intervals."""
    total = 0
    i = j = 0
    while i < len(first) and j < len(second):
        low = max(first[i][0], second[j][0])
        high = min(first[i][1], second[j][1])
        if high > low:
            total += high - low
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return total


@dataclass
class LocalWindows:
    """Every window of one side in its owner's local time, as given (row k's windows are
    positions [start_row[k], start_row[k + 1]))."""

    start_row: np.ndarray  # int64 (n + 1)
    day: np.ndarray  # int64, 0 = Monday
    start: np.ndarray  # int64 minutes from local midnight
    end: np.ndarray


@dataclass
class WeekWindows:
    """Every window of one side in UTC week minutes, split at the week's end, by owner row."""

    owner: np.ndarray  # int64 row, sorted
    start: np.ndarray  # int64 in [0, WEEK_MINUTES)
    end: np.ndarray  # int64 in (start, WEEK_MINUTES]

    @classmethod
    def from_local(
        cls,
        owner: np.ndarray,
        day: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        offset: np.ndarray,
    ) -> WeekWindows:
        """Local windows (day, minutes) of owners whose UTC offsets (minutes) are given per row."""
        utc = (day * 1440 + start - offset[owner]) % WEEK_MINUTES
        stop = utc + (end - start)
        wraps = stop > WEEK_MINUTES
        owners = np.concatenate([owner, owner[wraps]])
        order = np.argsort(owners, kind="stable")
        return cls(
            owners[order],
            np.concatenate([utc, np.zeros(int(wraps.sum()), dtype=np.int64)])[order],
            np.concatenate([np.minimum(stop, WEEK_MINUTES), stop[wraps] - WEEK_MINUTES])[order],
        )

    def merged(self) -> WeekWindows:
        """The same time with each owner's overlapping or touching windows joined."""
        if len(self.owner) == 0:
            return self
        order = np.lexsort((self.start, self.owner))
        owner, start, end = self.owner[order], self.start[order], self.end[order]
        # Shifting each owner by two weeks keeps a running maximum from crossing owners.
        shift = owner * (2 * WEEK_MINUTES)
        reach = np.maximum.accumulate(end + shift)
        fresh = np.ones(len(owner), dtype=bool)
        fresh[1:] = (start[1:] + shift[1:]) > reach[:-1]
        first = np.flatnonzero(fresh)
        last = np.append(first[1:], len(owner)) - 1
        return WeekWindows(owner[first], start[first], reach[last] - shift[last])

    def overlap(self, n: int, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """(len(start), n) minutes each owner's (merged) windows share with [start, end)."""
        week = self.merged()
        shared = np.minimum(week.end[None, :], end[:, None])
        shared -= np.maximum(week.start[None, :], start[:, None])
        out = np.zeros((len(start), n), dtype=np.int64)
        np.add.at(out.T, week.owner, np.maximum(shared, 0).T)
        return out

    def step(self) -> int:
        """The coarsest slot length (a divisor of the week) on which every endpoint falls."""
        ends = np.concatenate([self.start, self.end, [WEEK_MINUTES]])
        return int(np.gcd.reduce(ends))

    def bitsets(self, n: int, step: int) -> np.ndarray:
        """Each owner's windows as a (n, words) uint64 bitset of `step`-minute slots.

        One entry per window and 64-slot word it touches, with the bits it sets there,
        OR-ed into place: the work follows the windows, not the slots of everyone's week.
        """
        slots = WEEK_MINUTES // step
        result = np.zeros((n, (slots + 63) // 64), dtype=np.uint64)
        first, stop = self.start // step, self.end // step  # the slots [first, stop)
        keep = stop > first
        owner, first, stop = self.owner[keep], first[keep], stop[keep]
        if len(owner) == 0:
            return result
        low_word = first // 64
        spans = (stop - 1) // 64 - low_word + 1
        at = np.repeat(np.arange(len(owner)), spans)
        word = low_word[at] + (np.arange(len(at)) - np.repeat(np.cumsum(spans) - spans, spans))
        low = np.maximum(first[at] - word * 64, 0).astype(np.uint64)
        width = (np.minimum(stop[at] - word * 64, 64) - low.astype(np.int64)).astype(np.uint64)
        full = width == 64  # a shift by 64 would wrap around: such words are all ones
        ones = (np.uint64(1) << np.where(full, np.uint64(0), width)) - np.uint64(1)
        mask = np.where(full, ~np.uint64(0), ones << low)
        np.bitwise_or.at(result, (owner[at], word), mask)
        return result
