"""All feasible pairs of a problem, vectorised: the hard constraints as array operations.

Pairs are found in two disjoint passes, each yielding chunks of pairs with the two figures
the score needs and the rules already computed (shared schedule slots, distance in reach):
- no distance limit (neither side `in_person`, `pair_blocks.py`): people are grouped by
  their categorical key (pathway families, gender, accepted genders, languages); only
  compatible groups are compared, in blocks, on recovery time and schedule bitsets;
- distance limited (one side `in_person`, the other not `online`, `pair_nearby.py`): a
  k-d tree over unit vectors (chord length grows with great-circle distance, so this is
  the same search as a haversine ball tree) proposes nearby pairs, then the other rules.
`online` against `in_person` is never feasible, so nothing else can be missed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from services.matcher.encoding import EITHER, IN_PERSON, ONLINE, EncodedProblem, EncodedSide
from services.matcher.geography import haversine_km_array


@dataclass
class PairChunk:
    """Feasible pairs (mentee row i[k], mentor row j[k]) and what their check computed."""

    i: np.ndarray  # int32
    j: np.ndarray  # int32
    slots: np.ndarray  # int16 shared schedule slots
    reach_km: np.ndarray  # float64 distance when they could meet in person, else nan
    # When the chunk comes from one block of mentees: those rows, and each pair's position
    # in them (so per-mentee counts need no sort of the pairs).
    rows: np.ndarray | None = None
    local: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.i)

    def take(self, keep: np.ndarray) -> PairChunk:
        """The pairs selected by a mask or positions."""
        local = None if self.local is None else self.local[keep]
        return PairChunk(
            self.i[keep], self.j[keep], self.slots[keep], self.reach_km[keep], self.rows, local
        )


def side_keys(side: EncodedSide) -> tuple[np.ndarray, np.ndarray]:
    """Distinct categorical keys (family, gender, preference, languages) and row -> key."""
    return side.categorical_keys


def key_failures(mentee_keys: np.ndarray, mentor_keys: np.ndarray) -> dict[str, np.ndarray]:
    """(mentee keys x mentor keys) bool per categorical rule: True where the rule is broken."""
    e = mentee_keys[:, None, :]
    r = mentor_keys[None, :, :]
    mentee_accepted = (e[..., 1] & r[..., 2]) != 0
    mentor_accepted = (r[..., 1] & e[..., 2]) != 0
    return {
        "pathway": (e[..., 0] & r[..., 0]) == 0,
        "gender": ~(mentee_accepted & mentor_accepted),
        "language": ~((e[..., 3:] & r[..., 3:]) != 0).any(axis=-1),
    }


def key_compatibility(mentee_keys: np.ndarray, mentor_keys: np.ndarray) -> np.ndarray:
    """(mentee keys x mentor keys) bool: pathway family, gender both ways, a language."""
    broken = key_failures(mentee_keys, mentor_keys)
    return ~(broken["pathway"] | broken["gender"] | broken["language"])


def overlap_slots(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Shared slots of paired bitsets (broadcasting over leading axes)."""
    total = np.bitwise_count(left[..., 0] & right[..., 0]).astype(np.int16)
    for word in range(1, left.shape[-1]):
        total += np.bitwise_count(left[..., word] & right[..., word])
    return total


def recovery_thresholds(encoded: EncodedProblem) -> np.ndarray:
    """Days in recovery a mentor needs for each mentee."""
    settings = encoded.encoder.settings
    return np.maximum(
        settings.min_mentor_recovery_days,
        encoded.mentees.days.astype(np.int64) + settings.min_recovery_gap_days,
    )


def check_pairs(
    encoded: EncodedProblem, i: np.ndarray, j: np.ndarray, threshold: np.ndarray
) -> np.ndarray:
    """Bool per pair: every hard constraint except exclusions, on explicit pair lists."""
    e, r = encoded.mentees, encoded.mentors
    # Each test shrinks the list the next one gathers from: cheap and selective ones first.
    keep = np.flatnonzero((e.family[i] & r.family[j]) != 0)
    ii, jj = i[keep], j[keep]
    ok = ((e.gender_bit[ii] & r.preference[jj]) != 0) & ((r.gender_bit[jj] & e.preference[ii]) != 0)
    ok &= r.days[jj].astype(np.int64) >= threshold[ii]
    fe, fr = e.meeting_format[ii], r.meeting_format[jj]
    limited = (fe == IN_PERSON) | (fr == IN_PERSON)
    ok &= ~(limited & ((fe == ONLINE) | (fr == ONLINE)))
    keep, ii, jj, limited = keep[ok], ii[ok], jj[ok], limited[ok]
    ok = ((e.languages[ii] & r.languages[jj]) != 0).any(axis=1)
    need = encoded.encoder.overlap_slots_needed
    if need > 0:
        ok &= overlap_slots(e.schedule[ii], r.schedule[jj]) >= need
    keep, ii, jj, limited = keep[ok], ii[ok], jj[ok], limited[ok]
    if limited.any():
        both = e.has_location[ii] & r.has_location[jj]
        distance = haversine_km_array(e.lat[ii], e.lon[ii], r.lat[jj], r.lon[jj])
        near = both & (distance <= np.minimum(e.max_km[ii], r.max_km[jj]))
        keep = keep[~limited | near]
    mask = np.zeros(len(i), dtype=bool)
    mask[keep] = True
    return mask


def check_one(
    encoded: EncodedProblem, *, one_mentee: bool, rows: np.ndarray | None = None
) -> np.ndarray:
    """`check_pairs` of the only person of one side against the other side (or its `rows`).

    Bool per row of the other side. The worker's path: one newcomer, no gathered copy of
    the newcomer's fields, and the later rules only on those the cheap ones left.
    """
    e, r = encoded.mentees, encoded.mentors

    def at(rows: Any) -> tuple[Any, Any]:
        return (0, rows) if one_mentee else (rows, 0)

    given = rows
    ie, jr = at(slice(None) if given is None else given)  # no gathered copy of everyone
    ok = (e.family[ie] & r.family[jr]) != 0
    ok &= (e.gender_bit[ie] & r.preference[jr]) != 0
    ok &= (r.gender_bit[jr] & e.preference[ie]) != 0
    ok &= r.days[jr] >= recovery_thresholds(encoded)[ie]
    rows = np.flatnonzero(ok) if given is None else given[ok]
    ie, jr = at(rows)
    fe, fr = e.meeting_format[ie], r.meeting_format[jr]
    limited = (fe == IN_PERSON) | (fr == IN_PERSON)
    ok = ~(limited & ((fe == ONLINE) | (fr == ONLINE)))
    ok &= ((e.languages[ie] & r.languages[jr]) != 0).any(axis=-1)
    need = encoded.encoder.overlap_slots_needed
    if need > 0:
        ok &= overlap_slots(e.schedule[ie], r.schedule[jr]) >= need
    rows, limited = rows[ok], np.broadcast_to(limited, ok.shape)[ok]
    if limited.any():
        near = rows[limited]
        ie, jr = at(near)
        both = e.has_location[ie] & r.has_location[jr]
        distance = haversine_km_array(e.lat[ie], e.lon[ie], r.lat[jr], r.lon[jr])
        far = ~(both & (distance <= np.minimum(e.max_km[ie], r.max_km[jr])))
        rows = np.setdiff1d(rows, near[far], assume_unique=True)
    mask = np.zeros(r.n if one_mentee else e.n, dtype=bool)
    mask[rows] = True
    return mask


def _drop_excluded(encoded: EncodedProblem, chunk: PairChunk, flagged: np.ndarray) -> PairChunk:
    """The chunk without its excluded pairs; only mentees with an exclusion are looked up."""
    suspect = np.flatnonzero(flagged[chunk.i])
    if len(suspect) == 0:
        return chunk
    codes = chunk.i[suspect].astype(np.int64) * encoded.mentors.n + chunk.j[suspect]
    drop = suspect[np.isin(codes, encoded.excluded_codes)]
    if len(drop) == 0:
        return chunk
    keep = np.ones(len(chunk), dtype=bool)
    keep[drop] = False
    return chunk.take(keep)


def _passes(
    encoded: EncodedProblem, take_e: np.ndarray, take_r: np.ndarray
) -> Iterator[Iterator[PairChunk]]:
    """The three passes over the selected people, in their fixed order."""
    from services.matcher.pair_blocks import dense_chunks
    from services.matcher.pair_nearby import nearby_chunks

    e, r = encoded.mentees, encoded.mentors
    mentee_keys, mentee_key = side_keys(e)
    mentor_keys, mentor_key = side_keys(r)
    keys = (mentee_key, mentor_key)
    compatible = key_compatibility(mentee_keys, mentor_keys)
    threshold = recovery_thresholds(encoded)
    fe, fr = e.meeting_format, r.meeting_format
    yield dense_chunks(
        encoded,
        compatible,
        keys,
        threshold,
        np.flatnonzero(take_e & (fe != IN_PERSON)),
        np.flatnonzero(take_r & (fr != IN_PERSON)),
    )
    yield nearby_chunks(
        encoded,
        compatible,
        keys,
        threshold,
        np.flatnonzero(take_e & (fe == IN_PERSON) & e.has_location),
        np.flatnonzero(take_r & (fr != ONLINE) & r.has_location),
    )
    yield nearby_chunks(
        encoded,
        compatible,
        keys,
        threshold,
        np.flatnonzero(take_e & (fe == EITHER) & e.has_location),
        np.flatnonzero(take_r & (fr == IN_PERSON) & r.has_location),
    )


def iter_pairs(
    encoded: EncodedProblem,
    *,
    mentee_mask: np.ndarray | None = None,
    mentor_mask: np.ndarray | None = None,
    progress: Callable[[str], None] | None = None,
) -> Iterator[PairChunk]:
    """Every feasible pair among the selected mentees and mentors, in chunks."""
    e, r = encoded.mentees, encoded.mentors
    if e.n == 0 or r.n == 0:
        return
    take_e = np.ones(e.n, dtype=bool) if mentee_mask is None else mentee_mask
    take_r = np.ones(r.n, dtype=bool) if mentor_mask is None else mentor_mask
    flagged = np.zeros(e.n, dtype=bool)
    flagged[encoded.excluded_codes // max(1, r.n)] = True
    for stream in _passes(encoded, take_e, take_r):
        for chunk in stream:
            chunk = _drop_excluded(encoded, chunk, flagged)
            if len(chunk):
                yield chunk
    if progress:
        progress("pairs")


def feasible_pairs(
    encoded: EncodedProblem,
    progress: Callable[[str], None] | None = None,
    *,
    open_mentors_only: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Every (mentee row, mentor row) pair that breaks no hard constraint, as int32 arrays.

    With `open_mentors_only`, mentors without remaining capacity are left out early.
    """
    mask = encoded.mentors.remaining > 0 if open_mentors_only else None
    chunks = list(iter_pairs(encoded, mentor_mask=mask, progress=progress))
    if not chunks:
        empty = np.zeros(0, dtype=np.int32)
        return empty, empty
    return np.concatenate([c.i for c in chunks]), np.concatenate([c.j for c in chunks])
