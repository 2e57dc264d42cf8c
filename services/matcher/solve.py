"""The batch solve: feasible pairs, candidate choice, scores, assignment, explanations.

The feasible pairs stream from `feasibility.iter_pairs` into `candidates.collect`, which
keeps all of them (exact) or a certified top-k both ways; the assignment then takes the
most mentees possible and, among those assignments, the highest total benefit. Each
mentee left waiting is told why (`waiting.py`), computed for them alone after the
assignment, against the mentors who still have room.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from services.matcher.assignment import assign
from services.matcher.candidates import collect
from services.matcher.encoding import EncodedProblem, encode_problem
from services.matcher.explanations import explain_pairs
from services.matcher.feasibility import iter_pairs
from services.matcher.features import feature_rows, pair_features
from services.matcher.learned import LearnedModel, add_chance
from services.matcher.problem import Problem
from services.matcher.scoring import (
    DEFAULT_WEIGHTS,
    Weights,
    combine,
    component_scores,
    waiting_bonus,
)
from services.matcher.waiting import WaitingReason, explain_unmatched

Progress = Callable[[str], None]
# Up to this many feasible pairs, all of them are scored and assigned (the exact optimum);
# beyond it, each mentee's best TOP_K mentors and each mentor's best mentees (see
# `candidates.mentor_depth`), certified to keep the maximum coverage.
EXACT_PAIR_LIMIT = 100_000
TOP_K = 10


@dataclass
class Proposal:
    """One proposed introduction with its score and explanation."""

    mentee_id: str
    mentor_id: str
    score: float
    explanation: dict[str, dict[str, Any]]
    # The pair's raw features (`features.FEATURES`), what an introduction keeps to learn from.
    features: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The proposal as in the solve output (docs/SOLVE_FORMAT.md)."""
        return {
            "mentee_id": self.mentee_id,
            "mentor_id": self.mentor_id,
            "score": round(self.score, 4),
            "explanation": self.explanation,
        }


@dataclass
class Solution:
    """Proposals, why the others still wait, and figures about the run."""

    proposals: list[Proposal]
    stats: dict[str, Any] = field(default_factory=dict)
    unmatched: list[WaitingReason] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The solution as the solve output's JSON object (docs/SOLVE_FORMAT.md)."""
        return {
            "proposals": [p.as_dict() for p in self.proposals],
            "unmatched": [u.as_dict() for u in self.unmatched],
            "stats": self.stats,
        }


def solve_encoded(
    encoded: EncodedProblem,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    exact_pair_limit: int = EXACT_PAIR_LIMIT,
    top_k: int = TOP_K,
    mentor_top_k: int | None = None,
    progress: Progress | None = None,
    explain: bool = True,
    model: LearnedModel | None = None,
) -> Solution:
    """Solve an encoded problem (see `solve`)."""
    started = time.perf_counter()
    mentees, mentors = encoded.mentees, encoded.mentors
    # Mentors without room take no part; dropping them early keeps every later step smaller.
    chunks = iter_pairs(encoded, mentor_mask=mentors.remaining > 0, progress=progress)
    chosen = collect(
        encoded,
        chunks,
        weights,
        exact_pair_limit=exact_pair_limit,
        top_k=top_k,
        mentor_top_k=mentor_top_k,
        progress=progress,
        model=model,
    )
    pairs = chosen.pairs
    if model is None:
        score = combine(
            component_scores(
                encoded, pairs.i, pairs.j, weights, slots=pairs.slots, reach=pairs.reach_km
            ),
            weights,
        )
    else:  # the learned chance ranks the feasible pairs instead of the hand weights
        score = model.predict(
            pair_features(encoded, pairs.i, pairs.j, slots=pairs.slots, reach=pairs.reach_km)
        )
    benefit = score + waiting_bonus(encoded, pairs.i, weights)
    if progress:
        progress("scores")
    result = assign(mentees.n, mentors.n, pairs.i, pairs.j, benefit, mentors.remaining)
    del pairs, score, benefit
    if progress:
        progress("assignment")
    order = np.argsort(result.mentee_rows, kind="stable")
    rows_e, rows_r = result.mentee_rows[order], result.mentor_rows[order]
    scores, explanations = explain_pairs(encoded, rows_e, rows_r, weights)
    raw = pair_features(encoded, rows_e, rows_r)
    if model is not None:
        scores = model.predict(raw)
        add_chance(explanations, scores)
    proposals = [
        Proposal(mentees.ids[e], mentors.ids[r], s, x, f)
        for e, r, s, x, f in zip(
            rows_e.tolist(),
            rows_r.tolist(),
            scores.tolist(),
            explanations,
            feature_rows(raw),
            strict=True,
        )
    ]
    if progress:
        progress("explanations")
    unmatched: list[WaitingReason] = []
    if explain:
        unmatched = explain_unmatched(encoded, rows_e, rows_r, chosen.feasible_per_mentee)
    if progress:
        progress("reasons")
    reasons: dict[str, int] = {}
    for reason in unmatched:
        reasons[reason.code] = reasons.get(reason.code, 0) + 1
    stats = {
        "mentees": mentees.n,
        "mentors": mentors.n,
        "proposed": len(proposals),
        "unmatched": mentees.n - len(proposals),
        "unmatched_by_reason": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        "feasible_pairs": chosen.n_feasible,
        "candidate_pairs": len(chosen.pairs),
        "exact": chosen.max_flow is None,
        "max_coverage": len(proposals) if chosen.max_flow is None else chosen.max_flow,
        "total_score": round(float(scores.sum()), 4),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return Solution(proposals, stats, unmatched)


def solve(
    problem: Problem,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    exact_pair_limit: int = EXACT_PAIR_LIMIT,
    top_k: int = TOP_K,
    mentor_top_k: int | None = None,
    progress: Progress | None = None,
    explain: bool = True,
    model: LearnedModel | None = None,
) -> Solution:
    """Propose introductions: the most mentees possible, then the best total score.

    With `explain` (the default), `Solution.unmatched` says why each other mentee waits.
    `mentor_top_k` None lets the depth of the mentors' lists follow their feasible pairs.
    With a learned `model`, each feasible pair's score is its predicted chance of becoming
    a mentorship (coverage still comes first, the waiting bonus still applies).
    """
    started = time.perf_counter()
    encoded = encode_problem(problem)
    if progress:
        progress("encoded")
    solution = solve_encoded(
        encoded,
        weights,
        exact_pair_limit=exact_pair_limit,
        top_k=top_k,
        mentor_top_k=mentor_top_k,
        progress=progress,
        explain=explain,
        model=model,
    )
    solution.stats["seconds"] = round(time.perf_counter() - started, 3)
    return solution
