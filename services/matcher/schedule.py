"""Weekly availability in UTC: offsets at the reference date, merged intervals, slot bitsets.

A week is the minutes [0, 10080) from Monday 00:00 UTC; a window that runs past Sunday
midnight wraps to Monday. Overlap is counted on merged intervals, so two windows of one
person that overlap each other are never counted twice.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

from services.matcher.problem import Availability

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


def slot_minutes(interval_lists: Iterable[Sequence[Interval]]) -> int:
    """The coarsest slot length (a divisor of the week) on which every endpoint falls."""
    step = WEEK_MINUTES
    for intervals in interval_lists:
        for start, end in intervals:
            step = math.gcd(step, start, end)
            if step == 1:
                return 1
    return step


def slot_bitsets(interval_lists: Sequence[Sequence[Interval]], step: int) -> np.ndarray:
    """Pack each person's intervals into a (n, words) uint64 bitset of `step`-minute slots."""
    n = len(interval_lists)
    slots = WEEK_MINUTES // step
    words = (slots + 63) // 64
    result = np.zeros((n, words), dtype=np.uint64)
    rows: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    for row, intervals in enumerate(interval_lists):
        for start, end in intervals:
            rows.append(row)
            starts.append(start // step)
            ends.append(end // step)
    if not rows:
        return result
    row_arr = np.asarray(rows, dtype=np.int64)
    start_arr = np.asarray(starts, dtype=np.int64)
    end_arr = np.asarray(ends, dtype=np.int64)
    # Chunks of people keep the (people x slots) scratch matrix small even at 1-minute slots.
    chunk = max(1, (1 << 24) // (slots + 1))
    for low in range(0, n, chunk):
        high = min(n, low + chunk)
        pick = (row_arr >= low) & (row_arr < high)
        diff = np.zeros((high - low, slots + 1), dtype=np.int16)
        np.add.at(diff, (row_arr[pick] - low, start_arr[pick]), 1)
        np.add.at(diff, (row_arr[pick] - low, end_arr[pick]), -1)
        covered = np.cumsum(diff[:, :slots], axis=1) > 0
        packed = np.packbits(covered, axis=1, bitorder="little")
        padded = np.zeros((high - low, words * 8), dtype=np.uint8)
        padded[:, : packed.shape[1]] = packed
        result[low:high] = padded.view("<u8").astype(np.uint64, copy=False)
    return result
