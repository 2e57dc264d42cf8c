"""The pass without a distance limit: compatible key groups compared in dense blocks.

Neither side meets only in person here, so distance never rules a pair out; it still
scores, for the pairs who could also meet (both `either` and close enough), and that
distance is found from unit vectors of the pairs that survive the other rules.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from services.matcher.encoding import EncodedProblem
from services.matcher.feasibility import PairChunk
from services.matcher.geography import chord_km

_BLOCK_PAIRS = 1 << 21  # cells per block: bounds the scratch memory of the pass
_CACHE_CELLS = 1 << 15  # cells per step of the bit counting: its scratch stays in cache


def overlap_matrix(rows: np.ndarray, partners_by_word: np.ndarray) -> np.ndarray:
    """(len(rows), p) int16 shared slots of each row's bitset with each partner's.

    `partners_by_word` is (words, p), one contiguous row per word. The work goes a few rows
    at a time into reused buffers: the same counts as `overlap_slots`, at a third of the
    time, because the scratch never leaves the cache.
    """
    words, p = partners_by_word.shape
    out = np.empty((len(rows), p), dtype=np.int16)
    step = max(1, _CACHE_CELLS // max(1, p))
    scratch = np.empty((step, p), dtype=np.uint64)
    counts = np.empty((step, p), dtype=np.uint8)
    for low in range(0, len(rows), step):
        block = rows[low : low + step]
        m = len(block)
        target, tmp, cnt = out[low : low + m], scratch[:m], counts[:m]
        for word in range(words):
            np.bitwise_and(block[:, word, None], partners_by_word[word][None, :], out=tmp)
            np.bitwise_count(tmp, out=cnt)
            if word == 0:
                target[...] = cnt
            else:
                np.add(target, cnt, out=target)
    return out


def reach_of_either_pairs(encoded: EncodedProblem, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Distance of pairs who could also meet in person, nan for the others."""
    e, r = encoded.mentees, encoded.mentors
    out = np.full(len(i), np.nan)
    both = np.flatnonzero(e.either_located[i] & r.either_located[j])
    if len(both) == 0:
        return out
    ii, jj = i[both], j[both]
    # A chord grows with the distance, so the smaller limit has the smaller chord.
    reach = np.minimum(e.reach_chord[ii], r.reach_chord[jj])
    # One coordinate first: most of these pairs live in different cities.
    ue, ur = e.unit_columns, r.unit_columns
    gap = ue[2][ii] - ur[2][jj]
    close = np.flatnonzero(np.abs(gap) <= reach)
    ii, jj, gap = ii[close], jj[close], gap[close]
    square = gap * gap
    for axis in (0, 1):
        step = ue[axis][ii] - ur[axis][jj]
        square += step * step
    km = chord_km(np.sqrt(square))
    within = km <= np.minimum(e.max_km[ii], r.max_km[jj])
    out[both[close[within]]] = km[within]
    return out


def dense_chunks(
    encoded: EncodedProblem,
    compatible: np.ndarray,
    keys: tuple[np.ndarray, np.ndarray],
    threshold: np.ndarray,
    e_rows: np.ndarray,
    r_rows: np.ndarray,
) -> Iterator[PairChunk]:
    """Pairs with no distance limit: compatible key groups, recovery time and schedule."""
    mentees, mentors = encoded.mentees, encoded.mentors
    mentee_key, mentor_key = keys
    need = encoded.encoder.overlap_slots_needed
    if len(e_rows) == 0 or len(r_rows) == 0:
        return
    r_order = r_rows[np.argsort(mentor_key[r_rows], kind="stable")]
    bounds = np.searchsorted(mentor_key[r_order], np.arange(compatible.shape[1] + 1))
    e_order = e_rows[np.argsort(mentee_key[e_rows], kind="stable")]
    e_bounds = np.searchsorted(mentee_key[e_order], np.arange(compatible.shape[0] + 1))
    mentor_days = mentors.days.astype(np.int64)
    for key in range(compatible.shape[0]):
        group = e_order[e_bounds[key] : e_bounds[key + 1]]
        partner_keys = np.flatnonzero(compatible[key])
        if len(group) == 0 or len(partner_keys) == 0:
            continue
        partners = np.concatenate([r_order[bounds[k] : bounds[k + 1]] for k in partner_keys])
        if len(partners) == 0:
            continue
        partner_days = mentor_days[partners]
        partner_words = np.ascontiguousarray(mentors.schedule[partners].T)
        partners32 = partners.astype(np.int32)
        step = max(1, _BLOCK_PAIRS // len(partners))
        for low in range(0, len(group), step):
            rows = group[low : low + step]
            ok = partner_days[None, :] >= threshold[rows][:, None]
            shared = overlap_matrix(mentees.schedule[rows], partner_words)
            if need > 0:
                ok &= shared >= need
            # One flat scan and int32 arithmetic: four times faster than a 2-D nonzero.
            flat = np.flatnonzero(ok).astype(np.int32)
            ii = flat // np.int32(len(partners))
            jj = flat - ii * np.int32(len(partners))
            if len(ii):
                rows32 = rows.astype(np.int32)
                i, j = rows32[ii], partners32[jj]
                reach = reach_of_either_pairs(encoded, i, j)
                yield PairChunk(i, j, shared.ravel()[flat], reach, rows32, ii)
