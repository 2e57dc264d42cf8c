"""Which hard rules stand between each waiting mentee and each mentor with room, vectorised.

For a block of mentees against every mentor with room, each pair gets one byte with a
bit per rule it breaks (the same rules, and the same order of checks, as `violations`).
From those bytes come, per mentee, how many mentors each rule rules out, how many it
alone rules out, and the pairs that one single change could open, with the figures the
suggestions need (the shared minutes today, the distance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from services.matcher.encoding import IN_PERSON, ONLINE, EncodedProblem
from services.matcher.feasibility import key_failures, recovery_thresholds, side_keys
from services.matcher.geography import chord_km
from services.matcher.pair_blocks import overlap_matrix

RULES: tuple[str, ...] = (
    "pathway",
    "gender",
    "language",
    "recovery_time",
    "meeting_format",
    "distance",
    "schedule",
    "excluded",
)
BIT = {rule: np.uint8(1 << k) for k, rule in enumerate(RULES)}
# Rules a mentee could change on their profile; pairs broken by one of these alone are kept.
CHANGEABLE = ("gender", "language", "meeting_format", "distance", "schedule")
_BLOCK_CELLS = 1 << 20
_HAS_BIT = np.array([[(c >> k) & 1 for k in range(len(RULES))] for c in range(256)], np.int64)
_SINGLE = np.array([1 << k for k in range(len(RULES))])


@dataclass
class RuleCounts:
    """Per explained mentee: mentors ruled out by each rule, by that rule alone, and open."""

    ruled_out: np.ndarray  # (m, len(RULES)) int64
    only: np.ndarray  # (m, len(RULES)) int64
    feasible: np.ndarray  # (m,) int64 mentors with room who fit every rule
    # Pairs broken by exactly one changeable rule: position in the explained rows, mentor
    # row, the rule's bit, the shared minutes today and the distance (nan when not located).
    u: np.ndarray
    r: np.ndarray
    bit: np.ndarray
    minutes: np.ndarray
    km: np.ndarray


def rule_counts(encoded: EncodedProblem, rows: np.ndarray, room: np.ndarray) -> RuleCounts:
    """Count, for mentee rows `rows`, the rules each mentor row in `room` breaks."""
    e, r = encoded.mentees, encoded.mentors
    mentee_keys, mentee_key = side_keys(e)
    mentor_keys, mentor_key = side_keys(r)
    broken = key_failures(mentee_keys, mentor_keys)
    table = np.zeros(broken["pathway"].shape, dtype=np.uint8)
    for rule in ("pathway", "gender", "language"):
        table |= np.where(broken[rule], BIT[rule], np.uint8(0))
    threshold = recovery_thresholds(encoded)
    need = encoded.encoder.overlap_slots_needed
    step = encoded.encoder.slot_step
    kept = np.zeros(256, dtype=bool)  # bytes with exactly one changeable rule broken
    kept[[int(BIT[rule]) for rule in CHANGEABLE]] = True
    ruled_out = np.zeros((len(rows), len(RULES)), dtype=np.int64)
    only = np.zeros_like(ruled_out)
    feasible = np.zeros(len(rows), dtype=np.int64)
    found: list[tuple[np.ndarray, ...]] = []
    fr = r.meeting_format[room][None, :]
    r_days = r.days[room][None, :].astype(np.int64)
    r_unit = r.unit_columns[:, room]
    r_loc, r_max = r.has_location[room][None, :], r.max_km[room][None]
    r_words = np.ascontiguousarray(r.schedule[room].T)
    block = max(1, _BLOCK_CELLS // max(1, len(room)))
    for low in range(0, len(rows), block):
        rb = rows[low : low + block]
        code = table[np.ix_(mentee_key[rb], mentor_key[room])]
        code |= np.where(r_days < threshold[rb][:, None], BIT["recovery_time"], np.uint8(0))
        fe = e.meeting_format[rb][:, None]
        limited = (fe == IN_PERSON) | (fr == IN_PERSON)
        clash = limited & ((fe == ONLINE) | (fr == ONLINE))
        code |= np.where(clash, BIT["meeting_format"], np.uint8(0))
        located = e.has_location[rb][:, None] & r_loc
        square = np.zeros(located.shape)
        for axis in range(3):
            gap = e.unit_columns[axis][rb][:, None] - r_unit[axis][None, :]
            square += gap * gap
        km = np.full(located.shape, np.nan)
        km[located] = chord_km(np.sqrt(square[located]))
        too_far = ~located | (km > np.minimum(e.max_km[rb][:, None], r_max))
        code |= np.where(limited & ~clash & too_far, BIT["distance"], np.uint8(0))
        shared = overlap_matrix(e.schedule[rb], r_words)
        code |= np.where(shared < need, BIT["schedule"], np.uint8(0))
        if len(encoded.excluded_codes):
            flagged = np.flatnonzero(np.isin(rb, encoded.excluded_codes // max(1, r.n)))
            if len(flagged):  # only mentees with an exclusion are looked up
                pair_codes = rb[flagged, None].astype(np.int64) * r.n + room[None, :]
                hit = np.isin(pair_codes, encoded.excluded_codes)
                code[flagged] |= np.where(hit, BIT["excluded"], np.uint8(0))
        # One histogram of the 256 possible bytes per mentee gives every count at once.
        per_code = np.bincount(
            (np.arange(len(rb))[:, None] * 256 + code).ravel(), minlength=len(rb) * 256
        ).reshape(len(rb), 256)
        ruled_out[low : low + len(rb)] = per_code @ _HAS_BIT
        only[low : low + len(rb)] = per_code[:, _SINGLE]
        feasible[low : low + len(rb)] = per_code[:, 0]
        uu, cc = np.nonzero(kept[code])
        if len(uu):
            found.append(
                (
                    uu + low,
                    room[cc],
                    code[uu, cc],
                    shared[uu, cc].astype(np.int64) * step,
                    km[uu, cc],
                )
            )
    if found:
        u, rr, bit, minutes, far = (np.concatenate(parts) for parts in zip(*found, strict=True))
    else:
        u = rr = minutes = np.zeros(0, dtype=np.int64)
        bit, far = np.zeros(0, dtype=np.uint8), np.zeros(0)
    return RuleCounts(ruled_out, only, feasible, u, rr, bit, minutes, far)
