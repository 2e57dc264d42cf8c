"""Assignment on a sparse candidate set: most mentees first, then the highest total benefit.

OR-Tools' `solve_max_flow_with_min_cost` returns, among the flows of maximum value, one of
least cost; with costs = -benefit that is exactly MATCHING.md's order of priorities.

When the candidate set is a pruned subset of the feasible pairs, its maximum flow may be
smaller than the true one. `certify_coverage` closes that gap with a cut certificate: the
source side S of a minimum cut of the candidate graph is also a cut of the full graph of
capacity (candidate max flow) + (feasible non-candidate arcs from S to outside S). When no
such arc exists the candidate max flow is the true maximum; otherwise those arcs are added
and the check repeats (each round adds arcs, so it ends).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COST_SCALE = 1_000_000  # benefits are rounded to 1e-6 for the integer solver


@dataclass
class Assignment:
    """Chosen pairs as row indices, their positions in the input pair list, and the flow."""

    mentee_rows: np.ndarray
    mentor_rows: np.ndarray
    flow: int
    chosen: np.ndarray


def _graph(
    n_mentees: int, n_mentors: int, i: np.ndarray, j: np.ndarray, remaining: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Arcs source->mentee, mentee->mentor, mentor->sink; the pair arcs come first."""
    # Presence by counting, not np.unique: no sort of millions of pairs.
    mentees = np.flatnonzero(np.bincount(i, minlength=n_mentees))
    mentors = np.flatnonzero(np.bincount(j, minlength=n_mentors))
    source = n_mentees + n_mentors
    sink = source + 1
    tails = np.concatenate([i, np.full(len(mentees), source), n_mentees + mentors])
    heads = np.concatenate([n_mentees + j, mentees, np.full(len(mentors), sink)])
    caps = np.concatenate(
        [np.ones(len(i) + len(mentees), dtype=np.int64), remaining[mentors].astype(np.int64)]
    )
    return tails.astype(np.int32), heads.astype(np.int32), caps, mentees, source, sink


def max_flow_cut(
    n_mentees: int, n_mentors: int, i: np.ndarray, j: np.ndarray, remaining: np.ndarray
) -> tuple[int, np.ndarray, np.ndarray]:
    """Max flow value over the pairs and the source side of a minimum cut (mentees, mentors)."""
    from ortools.graph.python import max_flow

    in_source_e = np.zeros(n_mentees, dtype=bool)
    in_source_r = np.zeros(n_mentors, dtype=bool)
    if len(i) == 0:
        in_source_e[:] = True
        return 0, in_source_e, in_source_r
    tails, heads, caps, _, source, sink = _graph(n_mentees, n_mentors, i, j, remaining)
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(tails, heads, caps)
    status = solver.solve(source, sink)
    if status != solver.OPTIMAL:
        raise RuntimeError(f"max flow failed with status {status}")
    side = np.asarray(solver.get_source_side_min_cut(), dtype=np.int64)
    side = side[side < source]
    in_source_e[side[side < n_mentees]] = True
    in_source_r[side[side >= n_mentees] - n_mentees] = True
    # Mentees with no candidate arc are not in the graph at all; reachable from the source
    # in the full graph, they belong to the source side.
    in_source_e[np.bincount(i, minlength=n_mentees) == 0] = True
    return int(solver.optimal_flow()), in_source_e, in_source_r


def certify_coverage(
    n_mentees: int,
    n_mentors: int,
    pairs: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    remaining: np.ndarray,
    max_rounds: int = 20,
) -> int:
    """Grow candidate masks over all feasible pairs until their max flow is the true one.

    `pairs` holds chunks (i, j, candidate mask) of every feasible pair; the masks grow in
    place. Returns the certified maximum flow.
    """
    for _ in range(max_rounds):
        flow, side_e, side_r = max_flow_cut(
            n_mentees,
            n_mentors,
            np.concatenate([i[m] for i, _, m in pairs] or [np.zeros(0, np.int32)]),
            np.concatenate([j[m] for _, j, m in pairs] or [np.zeros(0, np.int32)]),
            remaining,
        )
        crossed = False
        for i, j, mask in pairs:
            crossing = side_e[i] & ~side_r[j] & ~mask
            if crossing.any():
                mask |= crossing
                crossed = True
        if not crossed:
            return flow
    for _, _, mask in pairs:
        mask[:] = True
    return max_flow_cut(
        n_mentees,
        n_mentors,
        np.concatenate([i for i, _, _ in pairs]),
        np.concatenate([j for _, j, _ in pairs]),
        remaining,
    )[0]


def assign(
    n_mentees: int,
    n_mentors: int,
    i: np.ndarray,
    j: np.ndarray,
    benefit: np.ndarray,
    remaining: np.ndarray,
) -> Assignment:
    """Maximum number of pairs, then maximum total benefit, under mentor capacities."""
    from ortools.graph.python import min_cost_flow

    empty = np.zeros(0, dtype=np.int64)
    positions = np.flatnonzero(remaining[j] > 0)
    i, j, benefit = i[positions], j[positions], benefit[positions]
    if len(i) == 0:
        return Assignment(empty, empty, 0, empty)
    tails, heads, caps, mentees, source, sink = _graph(n_mentees, n_mentors, i, j, remaining)
    costs = np.zeros(len(tails), dtype=np.int64)
    costs[: len(i)] = -np.rint(benefit * COST_SCALE).astype(np.int64)
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    solver.set_node_supply(source, len(mentees))
    solver.set_node_supply(sink, -len(mentees))
    status = solver.solve_max_flow_with_min_cost()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min cost flow failed with status {status}")
    flows = solver.flows(np.arange(len(i), dtype=np.int32))
    chosen = np.flatnonzero(flows > 0)
    return Assignment(i[chosen], j[chosen], len(chosen), positions[chosen])
