"""The batch solve: feasible pairs, candidate choice, scores, assignment, explanations.

Candidates: when the feasible pairs are few enough (`exact_pair_limit`), all of them, and
the result is the exact optimum. Otherwise each mentee's best `top_k` mentors and each
mentor's best `top_k` mentees by a pre-score without the text component (MATCHING.md: the
mentee side alone lets popular mentors crowd the others out), grown by the cut
certificate of `assignment.certify_coverage` so the coverage is still the true maximum.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from services.matcher.assignment import assign, certify_coverage
from services.matcher.encoding import EncodedProblem, encode_problem
from services.matcher.feasibility import feasible_pairs
from services.matcher.problem import Problem
from services.matcher.scoring import (
    DEFAULT_WEIGHTS,
    Weights,
    combine,
    component_scores,
    explain_pairs,
    waiting_bonus,
)

Progress = Callable[[str], None]


@dataclass
class Proposal:
    """One proposed introduction with its score and explanation."""

    mentee_id: str
    mentor_id: str
    score: float
    explanation: dict[str, dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        """The proposal as in MATCHING.md's output."""
        return {
            "mentee_id": self.mentee_id,
            "mentor_id": self.mentor_id,
            "score": round(self.score, 4),
            "explanation": self.explanation,
        }


@dataclass
class Solution:
    """Proposals and figures about the run."""

    proposals: list[Proposal]
    stats: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The solution as MATCHING.md's output JSON object."""
        return {"proposals": [p.as_dict() for p in self.proposals], "stats": self.stats}


LEVELS = 256  # pre-scores are quantised to this many levels for the top-k thresholds
_CHUNK = 1 << 21


def prescore_levels(
    encoded: EncodedProblem, i: np.ndarray, j: np.ndarray, weights: Weights
) -> np.ndarray:
    """Score plus waiting bonus without the text component, quantised to uint8 levels."""
    top = 1.0 + weights.waiting_bonus
    levels = np.empty(len(i), dtype=np.uint8)
    for low in range(0, len(i), _CHUNK):
        ii, jj = i[low : low + _CHUNK], j[low : low + _CHUNK]
        value = combine(component_scores(encoded, ii, jj, weights, with_text=False), weights)
        value += waiting_bonus(encoded, ii, weights)
        levels[low : low + _CHUNK] = np.rint(value * ((LEVELS - 1) / top))
    return levels


def top_k_mask(group: np.ndarray, levels: np.ndarray, k: int, n_groups: int) -> np.ndarray:
    """Pairs at or above the k-th best level of their group (ties at that level are kept).

    A per-group histogram of levels finds each threshold without sorting the pairs.
    """
    if len(group) == 0:
        return np.zeros(0, dtype=bool)
    counts = np.bincount(
        group.astype(np.int64) * LEVELS + levels, minlength=n_groups * LEVELS
    ).reshape(n_groups, LEVELS)
    at_or_above = np.cumsum(counts[:, ::-1], axis=1)  # column t: pairs with level >= 255 - t
    reached = at_or_above >= k
    threshold = np.where(reached[:, -1], LEVELS - 1 - np.argmax(reached, axis=1), 0)
    return levels >= threshold[group]


def choose_candidates(
    encoded: EncodedProblem,
    i: np.ndarray,
    j: np.ndarray,
    weights: Weights,
    top_k: int,
) -> tuple[np.ndarray, int]:
    """Candidate mask over the feasible pairs (top-k both ways) and the true max flow."""
    levels = prescore_levels(encoded, i, j, weights)
    mask = top_k_mask(i, levels, top_k, encoded.mentees.n)
    mask |= top_k_mask(j, levels, top_k, encoded.mentors.n)
    del levels
    return certify_coverage(
        encoded.mentees.n, encoded.mentors.n, mask, i, j, encoded.mentors.remaining
    )


def solve_encoded(
    encoded: EncodedProblem,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    exact_pair_limit: int = 3_000_000,
    top_k: int = 50,
    progress: Progress | None = None,
) -> Solution:
    """Solve an encoded problem (see `solve`)."""
    started = time.perf_counter()
    mentees, mentors = encoded.mentees, encoded.mentors
    # Mentors without room take no part; dropping them early keeps every later step smaller.
    i, j = feasible_pairs(encoded, progress, open_mentors_only=True)
    n_feasible = len(i)
    max_flow: int | None = None
    if len(i) > exact_pair_limit:
        keep, max_flow = choose_candidates(encoded, i, j, weights, top_k)
        i, j = i[keep], j[keep]
        if progress:
            progress("candidates")
    score = combine(component_scores(encoded, i, j, weights), weights)
    benefit = score + waiting_bonus(encoded, i, weights)
    if progress:
        progress("scores")
    result = assign(mentees.n, mentors.n, i, j, benefit, mentors.remaining)
    if progress:
        progress("assignment")
    order = np.argsort(result.mentee_rows, kind="stable")
    rows_e, rows_r = result.mentee_rows[order], result.mentor_rows[order]
    scores, explanations = explain_pairs(encoded, rows_e, rows_r, weights)
    proposals = [
        Proposal(mentees.ids[e], mentors.ids[r], s, x)
        for e, r, s, x in zip(
            rows_e.tolist(), rows_r.tolist(), scores.tolist(), explanations, strict=True
        )
    ]
    if progress:
        progress("explanations")
    stats = {
        "mentees": mentees.n,
        "mentors": mentors.n,
        "proposed": len(proposals),
        "feasible_pairs": n_feasible,
        "candidate_pairs": len(i),
        "exact": max_flow is None,
        "max_coverage": len(proposals) if max_flow is None else max_flow,
        "total_score": round(float(scores.sum()), 4),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return Solution(proposals, stats)


def solve(
    problem: Problem,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    exact_pair_limit: int = 3_000_000,
    top_k: int = 50,
    progress: Progress | None = None,
) -> Solution:
    """Propose introductions: the most mentees possible, then the best total score."""
    started = time.perf_counter()
    encoded = encode_problem(problem)
    if progress:
        progress("encoded")
    solution = solve_encoded(
        encoded, weights, exact_pair_limit=exact_pair_limit, top_k=top_k, progress=progress
    )
    solution.stats["seconds"] = round(time.perf_counter() - started, 3)
    return solution
