"""Raw pair features, the learned model and the engine with it: the hand score read back
from features equals the engine's, a fitted model beats the hand weights on a simulated
truth, survives JSON, and ranks feasible pairs only (coverage stays the maximum)."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from matcher_reference import feasible_set, max_coverage
from matcher_strategies import problems

from services.matcher.constraints import violations
from services.matcher.encoding import encode_problem
from services.matcher.features import FEATURES, hand_score, pair_features
from services.matcher.fitting import Fit, TooFewOutcomes, fit_outcomes
from services.matcher.history import load_history
from services.matcher.incremental import PartnerIndex
from services.matcher.learned import CHANCE, LearnedModel, ModelError, load_model
from services.matcher.problem import ProblemError, parse_problem
from services.matcher.scoring import COMPONENTS
from services.matcher.simulate import feasible_pairs, simulate_outcomes, true_chance
from services.matcher.solve import solve, solve_encoded
from services.matcher.synthetic import generate


def _all_pairs(data: dict) -> tuple:  # type: ignore[type-arg]
    encoded = encode_problem(parse_problem(data))
    i, j = feasible_pairs(encoded)
    return encoded, i, j


def history_data(n_mentees: int = 1500, n_mentors: int = 300, seed: int = 3) -> dict:  # type: ignore[type-arg]
    """A generated population with simulated outcomes (a history file's data)."""
    data = generate(n_mentees, n_mentors, seed=seed)
    encoded = encode_problem(parse_problem(data))
    data["outcomes"] = simulate_outcomes(
        encoded, lambda i, j: pair_features(encoded, i, j), seed=seed
    )
    return data


@cache
def fitted() -> Fit:
    """One fit on a simulated history, shared by the tests that only read it."""
    history = load_history(json.dumps(history_data()).encode())
    return fit_outcomes(
        history.features(), history.labels, history.days, alternatives=history.alternatives
    )


def test_the_model_beats_the_hand_weights_on_the_simulated_truth() -> None:
    fit = fitted()
    model, hand = fit.figures["model"], fit.figures["hand"]
    assert fit.figures["held_out"] > 0
    assert model["auc"] > hand["auc"] + 0.03
    assert model["log_loss"] < hand["log_loss"]
    assert fit.beats_hand
    assert fit.figures["chosen"] == "logistic"
    # What matters most in the truth is learned as mattering most.
    weights = fit.model.weights()
    assert weights["same_gender"] > 0.3 and weights["exact_pathway"] > 0.3
    assert max(weights, key=lambda k: abs(weights[k])) in ("same_gender", "exact_pathway")


def test_a_model_survives_json_and_a_broken_one_is_refused() -> None:
    model = fitted().model
    again = load_model(json.dumps(model.as_dict()).encode())
    encoded, i, j = _all_pairs(generate(200, 50, seed=9))
    raw = pair_features(encoded, i, j)
    np.testing.assert_allclose(again.predict(raw), model.predict(raw))
    chance = model.predict(raw)
    assert ((chance > 0) & (chance < 1)).all()
    data = model.as_dict()
    for broken, field in (
        ({**data, "coef": data["coef"][:-1]}, "coef"),
        ({**data, "features": ["shoe_size"]}, "features[0]"),
        ({**data, "scale": [0.0] * len(data["scale"])}, "scale"),
        ({**data, "format": "pickle"}, "format"),
    ):
        with pytest.raises(ModelError, match=field.replace("[", r"\[")):
            LearnedModel.from_dict(broken)
    with pytest.raises(ModelError, match="not JSON"):
        load_model(b"{")


def test_a_small_or_malformed_history_is_refused_by_name() -> None:
    data = history_data(60, 20, seed=1)
    data["outcomes"] = data["outcomes"][:12]
    history = load_history(json.dumps(data).encode())
    with pytest.raises(TooFewOutcomes, match="needs at least 40 outcomes"):
        fit_outcomes(history.features(), history.labels, history.days)
    record = dict(data["outcomes"][0])
    for change, message in (
        ({"outcome": "maybe"}, 'outcomes[0] (mentee_id "e'),
        ({"outcome": "maybe"}, 'field "outcome": unknown value "maybe"'),
        ({"mentor_id": "nobody"}, 'field "mentor_id": no mentor "nobody"'),
        ({"proposed_at": "yesterday"}, 'field "proposed_at": must be a date'),
        ({"declined_by": "both"}, 'field "declined_by"'),
    ):
        data["outcomes"] = [{**record, **change}]
        with pytest.raises(ProblemError, match=message.replace("(", r"\(").replace("[", r"\[")):
            load_history(json.dumps(data).encode())
    data.pop("outcomes")
    with pytest.raises(ProblemError, match='field "outcomes"'):
        load_history(json.dumps(data).encode())


def test_the_engine_with_a_model_maximises_the_chance_and_explains_it() -> None:
    model = fitted().model
    problem = parse_problem(generate(300, 80, seed=11))
    hand, learned = solve(problem), solve(problem, model=model)
    assert len(learned.proposals) == len(hand.proposals)
    encoded = encode_problem(problem)
    row_e = {pid: k for k, pid in enumerate(encoded.mentees.ids)}
    row_r = {pid: k for k, pid in enumerate(encoded.mentors.ids)}

    def total_chance(solution) -> float:  # type: ignore[no-untyped-def]
        i = np.array([row_e[p.mentee_id] for p in solution.proposals])
        j = np.array([row_r[p.mentor_id] for p in solution.proposals])
        return float(model.predict(pair_features(encoded, i, j)).sum())

    assert total_chance(learned) > total_chance(hand)
    for proposal in learned.proposals:
        assert set(proposal.explanation) == {*COMPONENTS, CHANCE}
        assert proposal.explanation[CHANCE]["score"] == pytest.approx(proposal.score, abs=1e-3)
        assert "%" in proposal.explanation[CHANCE]["detail"]
        assert set(proposal.features) == set(FEATURES)
    assert all(CHANCE not in p.explanation for p in hand.proposals)


def test_the_index_with_a_model_picks_the_likeliest_feasible_mentor() -> None:
    model = fitted().model
    data = generate(60, 200, seed=4)
    for person in data["mentees"] + data["mentors"]:
        # The index weighs words on the mentors' texts only, the problem on everyone's:
        # without texts the two compare the same figures exactly.
        person["about"] = ""
    problem = parse_problem(data)
    index = PartnerIndex.for_mentors(
        problem.mentors, reference_date=problem.reference_date, model=model
    )
    batch = solve(problem, model=model)
    encoded = encode_problem(problem)
    found = 0
    for k, mentee in enumerate(problem.mentees):
        match = index.best_partner(mentee, explain=True)
        if match is None:
            continue
        found += 1
        feasible = np.array(
            [
                r
                for r, mentor in enumerate(problem.mentors)
                if mentor.remaining_capacity > 0
                and not violations(mentee, mentor, problem.settings, problem.reference_date)
            ]
        )
        raw = pair_features(encoded, np.full(len(feasible), k), feasible)
        chance = dict(zip(feasible.tolist(), model.predict(raw).tolist(), strict=True))
        mine = chance[encoded.mentors.ids.index(match.partner_id)]
        assert match.score == pytest.approx(mine, abs=1e-9)
        assert mine == pytest.approx(max(chance.values()), abs=1e-9)
        assert match.explanation[CHANCE]["score"] == pytest.approx(match.score, abs=1e-3)
        assert set(match.features) == set(FEATURES)
    assert found > 10 and batch.proposals


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_mentees=10, max_mentors=4, compatible=True))
def test_coverage_with_a_model_equals_coverage_without(data: dict) -> None:  # type: ignore[type-arg]
    problem = parse_problem(data)
    model = fitted().model
    best = max_coverage(problem, feasible_set(problem))
    hand = solve(problem)
    learned = solve(problem, model=model)
    pruned = solve_encoded(
        encode_problem(problem), exact_pair_limit=0, top_k=1, mentor_top_k=1, model=model
    )
    assert len(learned.proposals) == len(hand.proposals) == len(pruned.proposals) == best


def test_the_simulated_truth_is_not_the_hand_weights() -> None:
    encoded, i, j = _all_pairs(generate(400, 100, seed=6))
    raw = pair_features(encoded, i, j)
    truth, hand = true_chance(raw), hand_score(raw)
    assert np.corrcoef(truth, hand)[0, 1] < 0.8
