"""The worker's path agrees with a brute force over the single-pair rules and scores."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from matcher_reference import near_distance_boundary, reference_violations
from matcher_strategies import problems

from services.matcher.incremental import PartnerIndex, best_partner
from services.matcher.problem import parse_problem
from services.matcher.scoring import Weights, combine
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


# Far from the defaults in every shape the explanation uses, and a waiting bonus that
# outweighs any score: what the index was given must be what it scores and explains with.
ODD_WEIGHTS = Weights(
    half_score_km=1.0, full_overlap_minutes=30, full_gap_days=30, waiting_bonus=50
)


def test_the_index_explains_with_its_own_weights() -> None:
    problem = parse_problem(generate(120, 40, seed=3))
    index = PartnerIndex.for_mentors(
        problem.mentors,
        reference_date=problem.reference_date,
        settings=problem.settings,
        weights=ODD_WEIGHTS,
    )
    checked = 0
    for mentee in problem.mentees:
        found = index.best_partner(mentee, explain=True)
        if found is None:
            continue
        shown = {name: np.array([part["score"]]) for name, part in found.explanation.items()}
        # The score is the weighted mean of the components the explanation shows.
        assert combine(shown, ODD_WEIGHTS)[0] == pytest.approx(found.score, abs=0.01)
        checked += 1
    assert checked >= 10


def test_a_mentor_is_offered_the_longest_waiting_feasible_mentee_under_a_big_bonus() -> None:
    problem = parse_problem(generate(60, 10, seed=4))
    index = PartnerIndex.for_mentees(
        problem.mentees,
        reference_date=problem.reference_date,
        settings=problem.settings,
        weights=ODD_WEIGHTS,
    )
    waited = {m.id: min(m.waiting_days, ODD_WEIGHTS.waiting_horizon_days) for m in problem.mentees}
    checked = 0
    for mentor in problem.mentors:
        found = index.best_partner(mentor)
        if found is None:
            continue
        everyone = [m.id for m in problem.mentees]
        feasible = [
            m
            for m in everyone
            if index.best_partner(mentor, excluded=[o for o in everyone if o != m]) is not None
        ]
        assert waited[found.partner_id] == max(waited[m] for m in feasible)
        checked += 1
    assert checked >= 3
