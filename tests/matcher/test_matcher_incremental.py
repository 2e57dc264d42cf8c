"""The worker's path agrees with a brute force over the single-pair rules and scores."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from matcher_reference import near_distance_boundary, reference_violations
from matcher_strategies import problems

from services.matcher.incremental import PartnerIndex, best_partner
from services.matcher.problem import parse_problem
from services.matcher.synthetic import generate


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_mentees=3, max_mentors=6, compatible=True))
def test_best_mentor_is_feasible_and_best(data: dict) -> None:
    problem = parse_problem(data)
    if not problem.mentors:
        return
    index = PartnerIndex.for_mentors(
        problem.mentors, reference_date=problem.reference_date, settings=problem.settings
    )
    for mentee in problem.mentees:
        if any(near_distance_boundary(mentee, m) for m in problem.mentors):
            continue
        feasible = [
            m
            for m in problem.mentors
            if m.remaining_capacity > 0
            and not reference_violations(mentee, m, problem.settings, problem.reference_date)
        ]
        found = index.best_partner(mentee, explain=True)
        if not feasible:
            assert found is None
            continue
        assert found is not None
        assert found.partner_id in {m.id for m in feasible}
        # Brute force: score each feasible mentor alone with the same index, take the best.
        scores = []
        for mentor in feasible:
            others = [m.id for m in feasible if m.id != mentor.id]
            alone = index.best_partner(mentee, excluded=others)
            assert alone is not None and alone.partner_id == mentor.id
            scores.append(alone.score)
        assert found.score == pytest.approx(max(scores))
        assert set(found.explanation) >= {"pathway", "schedule"}
        rest = [m.id for m in feasible]
        assert index.best_partner(mentee, excluded=rest) is None


def test_capacity_updates_and_mentee_side() -> None:
    problem = parse_problem(generate(50, 300, seed=2))
    index = PartnerIndex.for_mentors(problem.mentors, reference_date=problem.reference_date)
    mentee = next(m for m in problem.mentees if index.best_partner(m) is not None)
    first = index.best_partner(mentee)
    assert first is not None
    index.set_remaining(first.partner_id, 0)
    second = index.best_partner(mentee)
    assert second is None or second.partner_id != first.partner_id
    mentor = problem.mentors[0]
    match = best_partner(
        mentor, problem.mentees, side="mentees", reference_date=problem.reference_date
    )
    if match is not None:
        chosen = next(m for m in problem.mentees if m.id == match.partner_id)
        assert not reference_violations(chosen, mentor, problem.settings, problem.reference_date)


def test_newcomer_with_finer_schedule_rescales_index() -> None:
    data = generate(1, 40, seed=3)
    problem = parse_problem(data)
    index = PartnerIndex.for_mentors(problem.mentors, reference_date=problem.reference_date)
    step = index.encoder.slot_step
    odd = dict(data["mentees"][0])
    odd["availability"] = [{"day": "tue", "start": "18:07", "end": "21:00"}]
    newcomer = parse_problem({**data, "mentees": [odd], "exclusions": []}).mentees[0]
    index.best_partner(newcomer)
    assert index.encoder.slot_step == 1 and step > 1
    overlaps = np.bitwise_count(index.encoded.schedule).sum(axis=1)
    assert overlaps.max() > 0
