"""The distance-limited pass: a grid proposes nearby pairs, then every other rule.

People are binned by their own distance limit. For a mentee bin and a mentor bin, with
radius r the smaller of the two bins' largest limits (as a chord of the unit sphere), the
mentors' unit vectors are hashed into cubes of side r: two points within r lie in the
same or neighbouring cubes, so each mentee looks up 27 cubes in the sorted cube keys (two
binary searches for all of them at once). This is the radius search a k-d tree would do,
in numpy, and it spares the solve path scipy.spatial's import. The categorical rules are
then one lookup per candidate in the key-compatibility table, then recovery time,
schedule and the exact limit of each pair.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from services.matcher.columns import flat_positions
from services.matcher.encoding import EncodedProblem
from services.matcher.feasibility import PairChunk, overlap_slots
from services.matcher.geography import chord_for_km, chord_km

_MENTEES_PER_SEARCH = 1024
_NEIGHBOURS = np.array([(x, y, z) for x in (-1, 0, 1) for y in (-1, 0, 1) for z in (-1, 0, 1)])


class _Cubes:
    """Points hashed into cubes of one side; `near(points)` lists candidate pairs."""

    def __init__(self, points: np.ndarray, radius: float) -> None:
        self.side = max(radius, 1e-5)  # smaller cubes would overflow the keys (and gain nothing)
        self.span = int(np.ceil(2.0 / self.side)) + 3
        keys = self.keys(points)
        self.order = np.argsort(keys, kind="stable")
        self.sorted = keys[self.order]
        self.shifts = (_NEIGHBOURS[:, 0] * self.span + _NEIGHBOURS[:, 1]) * self.span
        self.shifts += _NEIGHBOURS[:, 2]

    def keys(self, points: np.ndarray) -> np.ndarray:
        """One int64 key per point: its cube's coordinates, shifted to be positive."""
        cube = np.floor((points + 1.0) / self.side).astype(np.int64) + 1
        return (cube[:, 0] * self.span + cube[:, 1]) * self.span + cube[:, 2]

    def near(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(query position, point position) of every point in a cube next to a query's:
        all pairs closer than the radius, and some further (the caller measures)."""
        wanted = (self.keys(points)[:, None] + self.shifts[None, :]).ravel()
        low = np.searchsorted(self.sorted, wanted, side="left")
        counts = np.searchsorted(self.sorted, wanted, side="right") - low
        query = np.repeat(np.arange(len(wanted)) // len(self.shifts), counts)
        return query, self.order[flat_positions(low, counts)]


def radius_bins(max_km: np.ndarray, n_bins: int = 8) -> list[tuple[np.ndarray, float]]:
    """Positions grouped by distance limit, each group with the largest limit in it."""
    values = np.unique(max_km)
    if len(values) > n_bins:
        values = np.unique(np.quantile(max_km, np.linspace(0, 1, n_bins + 1)[1:], method="higher"))
    which = np.searchsorted(values, max_km)  # the smallest bin edge at or above each limit
    return [
        (np.flatnonzero(which == b), float(values[b]))
        for b in range(len(values))
        if (which == b).any()
    ]


def nearby_chunks(
    encoded: EncodedProblem,
    compatible: np.ndarray,
    keys: tuple[np.ndarray, np.ndarray],
    threshold: np.ndarray,
    e_rows: np.ndarray,
    r_rows: np.ndarray,
) -> Iterator[PairChunk]:
    """Feasible pairs among located people whose pair has a distance limit."""
    if len(e_rows) == 0 or len(r_rows) == 0:
        return
    e, r = encoded.mentees, encoded.mentors
    mentee_key, mentor_key = keys
    need = encoded.encoder.overlap_slots_needed
    r_bins = [(r_rows[rows], reach) for rows, reach in radius_bins(r.max_km[r_rows])]
    for rows, reach in radius_bins(e.max_km[e_rows]):
        e_bin = e_rows[rows]
        for r_sub, r_reach in r_bins:
            radius = chord_for_km(min(reach, r_reach))
            cubes = _Cubes(r.unit[r_sub], radius)
            for low in range(0, len(e_bin), _MENTEES_PER_SEARCH):
                e_sub = e_bin[low : low + _MENTEES_PER_SEARCH]
                local, found = cubes.near(e.unit[e_sub])
                i, j = e_sub[local], r_sub[found]
                keep = np.flatnonzero(compatible[mentee_key[i], mentor_key[j]])
                i, j, local = i[keep], j[keep], local[keep]
                if len(i) == 0:
                    continue
                square = np.zeros(len(i))
                for axis in range(3):
                    step = e.unit_columns[axis][i] - r.unit_columns[axis][j]
                    square += step * step
                km = chord_km(np.sqrt(square))
                ok = (km <= np.minimum(e.max_km[i], r.max_km[j])) & (r.days[j] >= threshold[i])
                i, j, local, km = i[ok], j[ok], local[ok], km[ok]
                shared = overlap_slots(e.schedule[i], r.schedule[j])
                ok = shared >= need
                if ok.any():
                    yield PairChunk(
                        i[ok].astype(np.int32),
                        j[ok].astype(np.int32),
                        shared[ok],
                        km[ok],
                        e_sub.astype(np.int32),
                        local[ok].astype(np.int32),
                    )
