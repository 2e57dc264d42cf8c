"""Raw pair features: numbers only, and the hand score read back from them is the engine's."""

from __future__ import annotations

import numpy as np
import pytest

from services.matcher.encoding import encode_problem
from services.matcher.feasibility import iter_pairs
from services.matcher.features import FEATURES, feature_rows, hand_score, pair_features
from services.matcher.problem import parse_problem
from services.matcher.scoring import Weights, combine, component_scores
from services.matcher.synthetic import generate


def _all_pairs(data: dict) -> tuple:  # type: ignore[type-arg]
    encoded = encode_problem(parse_problem(data))
    chunks = list(iter_pairs(encoded))
    i = np.concatenate([c.i for c in chunks]).astype(np.int64)
    j = np.concatenate([c.j for c in chunks]).astype(np.int64)
    return encoded, i, j


@pytest.mark.parametrize("weights", [Weights(), Weights(pathway=0.9, about=0.0, interests=0.3)])
def test_the_hand_score_read_back_from_features_is_the_engines(weights: Weights) -> None:
    encoded, i, j = _all_pairs(generate(400, 100, seed=5))
    raw = pair_features(encoded, i, j)
    assert set(raw) == set(FEATURES)
    expected = combine(component_scores(encoded, i, j, weights), weights)
    np.testing.assert_allclose(hand_score(raw, weights), expected, atol=1e-12)


def test_features_are_numbers_only_and_text_may_be_left_out() -> None:
    encoded, i, j = _all_pairs(generate(100, 40, seed=2))
    rows = feature_rows(pair_features(encoded, i[:20], j[:20]))
    assert len(rows) == 20
    for row in rows:
        assert list(row) == list(FEATURES)
        assert all(isinstance(v, float) for v in row.values())
    without = pair_features(encoded, i, j, with_text=False)
    assert "text_similarity" not in without
    assert ((without["in_person"] == 0) | (without["distance_km"] >= 0)).all()
