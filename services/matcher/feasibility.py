"""All feasible pairs of a problem, vectorised: the hard constraints as array operations.

Pairs are found in two disjoint passes:
- no distance limit (neither side `in_person`): people are grouped by their categorical
  key (pathway families, gender, accepted genders, languages); only compatible groups are
  compared, in blocks, on recovery time and schedule bitsets;
- distance limited (one side `in_person`, the other not `online`): a k-d tree over unit
  vectors (chord length grows with great-circle distance, so this is the same search as a
  haversine ball tree) proposes nearby pairs, and every rule is then checked on that list.
`online` against `in_person` is never feasible, so nothing else can be missed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from services.matcher.encoding import EITHER, IN_PERSON, ONLINE, EncodedProblem, EncodedSide
from services.matcher.geography import chord_for_km, haversine_km_array

_BLOCK_PAIRS = 1 << 21  # pairs per block: bounds the scratch memory of the dense pass


def _keys(side: EncodedSide) -> tuple[np.ndarray, np.ndarray]:
    """Distinct categorical keys (family, gender, preference, languages) and row -> key."""
    columns = np.column_stack(
        [
            side.family.astype(np.uint64),
            side.gender_bit.astype(np.uint64),
            side.preference.astype(np.uint64),
            side.languages,
        ]
    )
    if side.n == 0:
        return columns, np.zeros(0, dtype=np.int64)
    keys, inverse = np.unique(columns, axis=0, return_inverse=True)
    return keys, inverse.ravel().astype(np.int64)


def _key_compatibility(mentee_keys: np.ndarray, mentor_keys: np.ndarray) -> np.ndarray:
    """(mentee keys x mentor keys) bool: pathway family, gender both ways, a language."""
    e = mentee_keys[:, None, :]
    r = mentor_keys[None, :, :]
    family = (e[..., 0] & r[..., 0]) != 0
    mentee_accepted = (e[..., 1] & r[..., 2]) != 0
    mentor_accepted = (r[..., 1] & e[..., 2]) != 0
    language = ((e[..., 3:] & r[..., 3:]) != 0).any(axis=-1)
    return family & mentee_accepted & mentor_accepted & language


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


def _dense_pass(
    encoded: EncodedProblem,
    compatible: np.ndarray,
    mentee_key: np.ndarray,
    mentor_key: np.ndarray,
    threshold: np.ndarray,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Pairs with no distance limit: compatible key groups, recovery and schedule."""
    mentees, mentors = encoded.mentees, encoded.mentors
    need = encoded.encoder.overlap_slots_needed
    e_rows = np.flatnonzero(mentees.meeting_format != IN_PERSON)
    r_rows = np.flatnonzero(mentors.meeting_format != IN_PERSON)
    found_i: list[np.ndarray] = []
    found_j: list[np.ndarray] = []
    if len(e_rows) == 0 or len(r_rows) == 0:
        return found_i, found_j
    r_order = r_rows[np.argsort(mentor_key[r_rows], kind="stable")]
    r_keys_sorted = mentor_key[r_order]
    n_keys = compatible.shape[1]
    bounds = np.searchsorted(r_keys_sorted, np.arange(n_keys + 1))
    e_order = e_rows[np.argsort(mentee_key[e_rows], kind="stable")]
    e_keys_sorted = mentee_key[e_order]
    e_bounds = np.searchsorted(e_keys_sorted, np.arange(compatible.shape[0] + 1))
    mentor_days = mentors.days.astype(np.int64)
    for key in range(compatible.shape[0]):
        group = e_order[e_bounds[key] : e_bounds[key + 1]]
        if len(group) == 0:
            continue
        partner_keys = np.flatnonzero(compatible[key])
        if len(partner_keys) == 0:
            continue
        partners = np.concatenate([r_order[bounds[k] : bounds[k + 1]] for k in partner_keys])
        if len(partners) == 0:
            continue
        partner_days = mentor_days[partners]
        partner_schedule = mentors.schedule[partners]
        step = max(1, _BLOCK_PAIRS // len(partners))
        for low in range(0, len(group), step):
            rows = group[low : low + step]
            ok = partner_days[None, :] >= threshold[rows][:, None]
            if need > 0:
                ok &= overlap_slots(mentees.schedule[rows][:, None, :], partner_schedule) >= need
            ii, jj = np.nonzero(ok)
            if len(ii):
                found_i.append(rows[ii])
                found_j.append(partners[jj])
    return found_i, found_j


def _nearby(
    encoded: EncodedProblem, e_rows: np.ndarray, r_rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs within each mentee's own distance limit (checked exactly later)."""
    empty = np.zeros(0, dtype=np.int64)
    if len(e_rows) == 0 or len(r_rows) == 0:
        return empty, empty
    from scipy.spatial import cKDTree  # only runs that have in-person people pay for it

    mentees, mentors = encoded.mentees, encoded.mentors
    tree = cKDTree(mentors.xyz(r_rows))
    mentor_reach = float(mentors.max_km[r_rows].max())
    radii = np.array([chord_for_km(min(km, mentor_reach)) for km in mentees.max_km[e_rows]])
    hits = tree.query_ball_point(mentees.xyz(e_rows), r=radii, return_sorted=False)
    counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
    total = int(counts.sum())
    if total == 0:
        return empty, empty
    flat = np.fromiter((k for h in hits for k in h), dtype=np.int64, count=total)
    return np.repeat(e_rows, counts), r_rows[flat]


def check_pairs(
    encoded: EncodedProblem, i: np.ndarray, j: np.ndarray, threshold: np.ndarray
) -> np.ndarray:
    """Bool per pair: every hard constraint except exclusions, on explicit pair lists."""
    e, r = encoded.mentees, encoded.mentors
    ok = (e.family[i] & r.family[j]) != 0
    ok &= (e.gender_bit[i] & r.preference[j]) != 0
    ok &= (r.gender_bit[j] & e.preference[i]) != 0
    ok &= ((e.languages[i] & r.languages[j]) != 0).any(axis=1)
    ok &= r.days[j].astype(np.int64) >= threshold[i]
    fe, fr = e.meeting_format[i], r.meeting_format[j]
    limited = (fe == IN_PERSON) | (fr == IN_PERSON)
    ok &= ~(limited & ((fe == ONLINE) | (fr == ONLINE)))
    if limited.any():
        both = e.has_location[i] & r.has_location[j]
        distance = haversine_km_array(e.lat[i], e.lon[i], r.lat[j], r.lon[j])
        near = both & (distance <= np.minimum(e.max_km[i], r.max_km[j]))
        ok &= ~limited | near
    need = encoded.encoder.overlap_slots_needed
    if need > 0:
        ok &= overlap_slots(e.schedule[i], r.schedule[j]) >= need
    return ok


def feasible_pairs(
    encoded: EncodedProblem, progress: Callable[[str], None] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Every (mentee row, mentor row) pair that breaks no hard constraint, sorted."""
    mentees, mentors = encoded.mentees, encoded.mentors
    threshold = recovery_thresholds(encoded)
    mentee_keys, mentee_key = _keys(mentees)
    mentor_keys, mentor_key = _keys(mentors)
    found_i: list[np.ndarray] = []
    found_j: list[np.ndarray] = []
    if mentees.n and mentors.n:
        compatible = _key_compatibility(mentee_keys, mentor_keys)
        found_i, found_j = _dense_pass(encoded, compatible, mentee_key, mentor_key, threshold)
        if progress:
            progress("pairs without a distance limit")
        fe, fr = mentees.meeting_format, mentors.meeting_format
        pairs = [
            _nearby(encoded, np.flatnonzero(fe == IN_PERSON), np.flatnonzero(fr != ONLINE)),
            _nearby(encoded, np.flatnonzero(fe == EITHER), np.flatnonzero(fr == IN_PERSON)),
        ]
        for i, j in pairs:
            keep = check_pairs(encoded, i, j, threshold)
            found_i.append(i[keep])
            found_j.append(j[keep])
        if progress:
            progress("pairs within reach")
    if not found_i:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    i = np.concatenate(found_i).astype(np.int64)
    j = np.concatenate(found_j).astype(np.int64)
    codes = i * mentors.n + j
    if len(encoded.excluded_codes):
        keep = ~np.isin(codes, encoded.excluded_codes)
        codes = codes[keep]
    codes.sort()
    return codes // mentors.n, codes % mentors.n
