"""The batch solver: feasibility, capacity, one proposal per mentee, max coverage, optimum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from matcher_reference import feasible_set, max_coverage, near_distance_boundary, optimum
from matcher_strategies import problems

from services.matcher.constraints import violations
from services.matcher.encoding import encode_problem
from services.matcher.problem import Problem, parse_problem
from services.matcher.scoring import combine, component_scores, waiting_bonus
from services.matcher.solve import Solution, solve, solve_encoded
from services.matcher.synthetic import generate

SOLVER = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_solution(problem: Problem, solution: Solution) -> None:
    mentees = {p.id: p for p in problem.mentees}
    mentors = {p.id: p for p in problem.mentors}
    proposed_mentees = [p.mentee_id for p in solution.proposals]
    assert len(proposed_mentees) == len(set(proposed_mentees)), "a mentee proposed twice"
    load: dict[str, int] = {}
    for proposal in solution.proposals:
        mentee, mentor = mentees[proposal.mentee_id], mentors[proposal.mentor_id]
        excluded = (mentee.id, mentor.id) in problem.exclusions
        if not near_distance_boundary(mentee, mentor):
            assert not violations(
                mentee, mentor, problem.settings, problem.reference_date, excluded
            )
        assert 0.0 <= proposal.score <= 1.0
        load[mentor.id] = load.get(mentor.id, 0) + 1
    for mentor_id, count in load.items():
        assert count <= mentors[mentor_id].remaining_capacity


def _benefits(problem: Problem, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], float]:
    encoded = encode_problem(problem)
    ordered = sorted(pairs)
    if not ordered:
        return {}
    i = np.array([a for a, _ in ordered])
    j = np.array([b for _, b in ordered])
    benefit = combine(component_scores(encoded, i, j)) + waiting_bonus(encoded, i)
    return dict(zip(ordered, benefit.tolist(), strict=True))


@SOLVER
@given(problems(max_mentees=8, max_mentors=4))
def test_solution_is_feasible_maximal_and_optimal(data: dict) -> None:
    problem = parse_problem(data)
    solution = solve(problem)
    _check_solution(problem, solution)
    pairs = feasible_set(problem)
    coverage, best = optimum(problem, pairs, _benefits(problem, pairs))
    assert len(solution.proposals) == max_coverage(problem, pairs) == coverage
    row_e = {p.id: k for k, p in enumerate(problem.mentees)}
    row_r = {p.id: k for k, p in enumerate(problem.mentors)}
    benefit = _benefits(problem, pairs)
    total = sum(benefit[(row_e[p.mentee_id], row_r[p.mentor_id])] for p in solution.proposals)
    assert total >= best * 0.99 - 1e-9


@SOLVER
@given(problems(max_mentees=10, max_mentors=4, compatible=True))
def test_pruned_candidates_still_reach_max_coverage(data: dict) -> None:
    # top_k=1 and no exact path: the cut certificate alone must restore full coverage.
    problem = parse_problem(data)
    solution = solve_encoded(encode_problem(problem), exact_pair_limit=0, top_k=1, mentor_top_k=1)
    _check_solution(problem, solution)
    assert len(solution.proposals) == max_coverage(problem, feasible_set(problem))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_population_full_coverage_and_no_violation(seed: int) -> None:
    problem = parse_problem(generate(300, 80, seed=seed))
    solution = solve(problem)
    _check_solution(problem, solution)
    pairs = feasible_set(problem)
    best_coverage = max_coverage(problem, pairs)
    assert len(solution.proposals) == best_coverage
    assert 0 < best_coverage < len(problem.mentees)  # interesting: most, not all
    pruned = solve_encoded(encode_problem(problem), exact_pair_limit=0, top_k=3, mentor_top_k=3)
    _check_solution(problem, pruned)
    assert len(pruned.proposals) == best_coverage


def test_pruned_score_is_close_to_exact_on_a_generated_population() -> None:
    problem = parse_problem(generate(1500, 300, seed=7))
    exact = solve(problem)
    pruned = solve_encoded(encode_problem(problem), exact_pair_limit=0, top_k=20, mentor_top_k=20)
    assert exact.stats["exact"] and not pruned.stats["exact"]
    assert len(pruned.proposals) == len(exact.proposals)
    assert pruned.stats["total_score"] >= 0.99 * exact.stats["total_score"]


def test_empty_sides() -> None:
    for data in (generate(0, 5, seed=1), generate(5, 0, seed=1), generate(0, 0, seed=1)):
        solution = solve(parse_problem(data))
        assert solution.proposals == []
        assert solution.stats["proposed"] == 0
