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
    mentor_open: np.ndarray,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Pairs with no distance limit: compatible key groups, recovery and schedule."""
    mentees, mentors = encoded.mentees, encoded.mentors
    need = encoded.encoder.overlap_slots_needed
    e_rows = np.flatnonzero(mentees.meeting_format != IN_PERSON)
    r_rows = np.flatnonzero((mentors.meeting_format != IN_PERSON) & mentor_open)
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
        partners32 = partners.astype(np.int32)
        step = max(1, _BLOCK_PAIRS // len(partners))
        for low in range(0, len(group), step):
            rows = group[low : low + step]
            ok = partner_days[None, :] >= threshold[rows][:, None]
            if need > 0:
                ok &= overlap_slots(mentees.schedule[rows][:, None, :], partner_schedule) >= need
            ii, jj = np.nonzero(ok)
            if len(ii):
                found_i.append(rows.astype(np.int32)[ii])
                found_j.append(partners32[jj])
    return found_i, found_j


def _radius_bins(max_km: np.ndarray, n_bins: int = 8) -> list[tuple[np.ndarray, float]]:
    """Rows grouped by distance limit, each with the largest limit in its group."""
    values = np.unique(max_km)
    if len(values) > n_bins:
        values = np.unique(np.quantile(max_km, np.linspace(0, 1, n_bins + 1)[1:], method="higher"))
    which = np.searchsorted(values, max_km)  # the smallest bin edge at or above each limit
    return [
        (np.flatnonzero(which == b), float(values[b]))
        for b in range(len(values))
        if (which == b).any()
    ]


def _nearby(
    encoded: EncodedProblem, e_rows: np.ndarray, r_rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs closer than the smaller distance limit of their bins (checked exactly later)."""
    empty = np.zeros(0, dtype=np.int32)
    if len(e_rows) == 0 or len(r_rows) == 0:
        return empty, empty
    from scipy.spatial import cKDTree  # only runs that have in-person people pay for it

    mentees, mentors = encoded.mentees, encoded.mentors
    r_bins = [
        (r_rows[rows], reach, cKDTree(mentors.xyz(r_rows[rows])))
        for rows, reach in _radius_bins(mentors.max_km[r_rows])
    ]
    found_i: list[np.ndarray] = [empty]
    found_j: list[np.ndarray] = [empty]
    for rows, reach in _radius_bins(mentees.max_km[e_rows]):
        e_sub = e_rows[rows]
        tree = cKDTree(mentees.xyz(e_sub))
        for r_sub, r_reach, r_tree in r_bins:
            radius = chord_for_km(min(reach, r_reach))
            hits = tree.sparse_distance_matrix(r_tree, radius, output_type="ndarray")
            if len(hits):
                found_i.append(e_sub[hits["i"]].astype(np.int32))
                found_j.append(r_sub[hits["j"]].astype(np.int32))
    return np.concatenate(found_i), np.concatenate(found_j)


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


def feasible_pairs(
    encoded: EncodedProblem,
    progress: Callable[[str], None] | None = None,
    *,
    open_mentors_only: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Every (mentee row, mentor row) pair that breaks no hard constraint, as int32 arrays.

    With `open_mentors_only`, mentors without remaining capacity are left out early.
    """
    mentees, mentors = encoded.mentees, encoded.mentors
    threshold = recovery_thresholds(encoded)
    mentor_open = mentors.remaining > 0 if open_mentors_only else np.ones(mentors.n, dtype=bool)
    mentee_keys, mentee_key = _keys(mentees)
    mentor_keys, mentor_key = _keys(mentors)
    found_i: list[np.ndarray] = []
    found_j: list[np.ndarray] = []
    if mentees.n and mentors.n:
        compatible = _key_compatibility(mentee_keys, mentor_keys)
        found_i, found_j = _dense_pass(
            encoded, compatible, mentee_key, mentor_key, threshold, mentor_open
        )
        if progress:
            progress("pairs without a distance limit")
        fe, fr = mentees.meeting_format, mentors.meeting_format
        pairs = [
            _nearby(
                encoded,
                np.flatnonzero(fe == IN_PERSON),
                np.flatnonzero((fr != ONLINE) & mentor_open),
            ),
            _nearby(
                encoded,
                np.flatnonzero(fe == EITHER),
                np.flatnonzero((fr == IN_PERSON) & mentor_open),
            ),
        ]
        for i, j in pairs:
            keep = check_pairs(encoded, i, j, threshold)
            found_i.append(i[keep])
            found_j.append(j[keep])
        if progress:
            progress("pairs within reach")
    if not found_i:
        empty = np.zeros(0, dtype=np.int32)
        return empty, empty
    i = np.concatenate(found_i)
    j = np.concatenate(found_j)
    del found_i, found_j
    if len(encoded.excluded_codes):
        # Only pairs of mentees who have an exclusion are looked up.
        excluded_rows = np.zeros(mentees.n, dtype=bool)
        excluded_rows[encoded.excluded_codes // max(1, mentors.n)] = True
        suspect = np.flatnonzero(excluded_rows[i])
        codes = i[suspect].astype(np.int64) * mentors.n + j[suspect]
        drop = suspect[np.isin(codes, encoded.excluded_codes)]
        if len(drop):
            keep_mask = np.ones(len(i), dtype=bool)
            keep_mask[drop] = False
            i, j = i[keep_mask], j[keep_mask]
    return i, j
