"""Scores in [0, 1], readable explanations, TF-IDF equal to scikit-learn's, the k-d search."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from services.matcher.encoding import encode_problem
from services.matcher.explanations import explain_pairs
from services.matcher.geography import EARTH_RADIUS_KM, chord_for_km, unit_vectors
from services.matcher.problem import parse_problem
from services.matcher.scoring import COMPONENTS, DEFAULT_WEIGHTS, combine, component_scores
from services.matcher.synthetic import generate
from services.matcher.text import TextModel, pair_cosines


def test_weights_are_visible_and_components_sum_to_one() -> None:
    weights = DEFAULT_WEIGHTS.as_dict()
    assert abs(sum(weights[name] for name in COMPONENTS) - 1.0) < 1e-9


def test_scores_in_unit_interval_and_explanations_readable() -> None:
    data = generate(150, 40, seed=11)
    problem = parse_problem(data)
    encoded = encode_problem(problem)
    i = np.repeat(np.arange(150), 40)
    j = np.tile(np.arange(40), 150)
    parts = component_scores(encoded, i, j)
    assert set(parts) == set(COMPONENTS)
    for values in parts.values():
        assert ((values >= 0) & (values <= 1)).all()
    total = combine(parts)
    assert ((total >= 0) & (total <= 1)).all()
    scores, explanations = explain_pairs(encoded, i[:300], j[:300])
    assert np.allclose(scores, total[:300])
    abouts = [p["about"] for p in data["mentees"] + data["mentors"] if p["about"]]
    for explanation in explanations:
        assert list(explanation) == list(COMPONENTS)
        for part in explanation.values():
            detail = part["detail"]
            assert isinstance(detail, str) and 5 < len(detail) < 90
            assert not any(about in detail for about in abouts)
            assert not re.search(r"\d+\.\d+", detail)  # no raw coordinates or floats
    assert any(x["pathway"]["detail"] == "both AA" for x in explanations)
    assert any(
        re.fullmatch(r"\d+ hours? a week in common", x["schedule"]["detail"]) for x in explanations
    )
    assert any(re.fullmatch(r"about \d+ km apart", x["distance"]["detail"]) for x in explanations)


texts = st.lists(
    st.text(alphabet=st.sampled_from("abc de fgh ÉÀ 12_-."), max_size=30), min_size=1, max_size=8
)


@settings(max_examples=60, deadline=None)
@given(texts)
def test_tfidf_cosines_equal_scikit_learn(corpus: list[str]) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    ours = TextModel.fit(corpus).transform(corpus)
    try:
        theirs = TfidfVectorizer().fit_transform(corpus)
    except ValueError:  # scikit-learn refuses an empty vocabulary; ours gives zero vectors
        assert ours.nnz == 0
        return
    n = len(corpus)
    i, j = np.repeat(np.arange(n), n), np.tile(np.arange(n), n)
    expected = np.asarray(theirs[i].multiply(theirs[j]).sum(axis=1)).ravel()
    assert np.allclose(pair_cosines(ours, ours, i, j), expected.clip(0, 1), atol=1e-9)


def test_chord_search_equals_haversine_ball_tree() -> None:
    from sklearn.neighbors import BallTree

    rng = np.random.default_rng(5)
    lat = np.radians(rng.uniform(44.5, 46.5, 400))
    lon = np.radians(rng.uniform(-123.5, -121.5, 400))
    points = np.column_stack((lat, lon))
    km = 25.0
    ball = BallTree(points, metric="haversine")
    want = ball.query_radius(points, r=km / EARTH_RADIUS_KM)
    from scipy.spatial import cKDTree

    tree = cKDTree(unit_vectors(lat, lon))
    got = tree.query_ball_point(unit_vectors(lat, lon), r=chord_for_km(km))
    for k in range(400):
        assert set(want[k].tolist()) <= set(got[k])  # the padded chord may add, never miss


def test_distance_component_rewards_meeting_in_person_only_when_possible() -> None:
    from services.matcher import score_pair

    def person(pid: str, lat: float, fmt: str) -> dict:
        record = {
            "id": pid,
            "gender": "man",
            "gender_preference": [],
            "pathways": ["na"],
            "recovery_date": "2012-05-01" if pid.startswith("r") else None,
            "languages": ["en"],
            "location": {"latitude": lat, "longitude": -122.68},
            "max_distance_km": 25,
            "meeting_format": fmt,
            "timezone": "America/Los_Angeles",
            "availability": [{"day": "sat", "start": "09:00", "end": "12:00"}],
        }
        if pid.startswith("r"):
            record["capacity"] = 2
        return record

    def distance(mentee: dict, mentor: dict) -> dict:
        problem = parse_problem({"mentees": [mentee], "mentors": [mentor]})
        scored = score_pair(problem.mentees[0], problem.mentors[0], problem.reference_date)
        return scored.explanation["distance"]

    near = distance(person("e", 45.52, "either"), person("r", 45.55, "in_person"))
    assert near["score"] > 0.8 and near["detail"] == "about 3 km apart"
    far = distance(person("e", 45.52, "either"), person("r", 47.6, "either"))
    assert far == {"score": 0.5, "detail": "meeting online, so distance does not matter"}
    online = distance(person("e", 45.52, "online"), person("r", 45.52, "either"))
    assert online["score"] == 0.5


@settings(max_examples=40, deadline=None)
@given(texts, texts)
def test_the_three_ways_of_computing_cosines_agree(left: list[str], right: list[str]) -> None:
    import services.matcher.text as text

    model = TextModel.fit(left + right)
    a, b = model.transform(left), model.transform(right)
    i, j = np.repeat(np.arange(len(left)), len(right)), np.tile(np.arange(len(right)), len(left))
    table = pair_cosines(a, b, i, j)
    limits = (text._TABLE_LIMIT, text._DENSE_LIMIT)
    try:
        text._TABLE_LIMIT = 0  # dense rows
        dense = pair_cosines(a, b, i, j)
        text._DENSE_LIMIT = 0  # sorted-key lookups
        looked_up = pair_cosines(a, b, i, j)
    finally:
        text._TABLE_LIMIT, text._DENSE_LIMIT = limits
    assert np.allclose(table, dense, atol=1e-6) and np.allclose(table, looked_up, atol=1e-12)


def test_prescore_levels_are_the_score_without_text_within_one_level() -> None:
    from services.matcher.feasibility import iter_pairs
    from services.matcher.prescore import LEVELS, Prescorer
    from services.matcher.scoring import waiting_bonus

    encoded = encode_problem(parse_problem(generate(800, 200, seed=5)))
    prescorer = Prescorer(encoded, DEFAULT_WEIGHTS)
    top = 1.0 + DEFAULT_WEIGHTS.waiting_bonus
    for chunk in iter_pairs(encoded):
        parts = component_scores(encoded, chunk.i, chunk.j, with_text=False)
        value = combine(parts) + waiting_bonus(encoded, chunk.i)
        want = np.rint(value * (LEVELS - 1) / top).astype(int)
        assert np.abs(prescorer.levels(chunk).astype(int) - want).max() <= 1


def test_explanations_are_never_sharper_than_the_cards() -> None:
    """A gap in years or a distance under the card's would let the other side work out a
    recovery date or a home (the probe found "about 11 years more" beside "10 years or
    more", and "less than 1 km" beside "under 2 km")."""
    from datetime import date, timedelta

    from services.core.profiles.views import recovery_band as card_band
    from services.matcher.explanations import _distance_detail, recovery_band

    today = date(2026, 12, 1)
    for days in (0, 200, 400, 1000, 3000, 4100, 9000):
        assert recovery_band(days) == card_band(today - timedelta(days=days), today)
    for km in (0.1, 0.9, 1.5, 1.99):
        assert _distance_detail(True, km) == "under 2 km apart"
