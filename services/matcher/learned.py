"""A learned model: the chance that a proposal becomes an active mentorship.

Fitted by `fitting.py` (scikit-learn) on an organization's history, it is kept and applied
here without scikit-learn (importing it costs over a second of a 1.5 s solve): a
standardised, regularised and calibrated logistic regression is a few numbers per feature,
stored as JSON (feature names, means, scales, coefficients, intercept; the held-out
figures and the training size beside them), and applying it to millions of pairs is one
matrix-vector product.

The model reads derived columns of the raw pair features (`features.py`): logarithms where
a figure's effect flattens (an hour of shared time matters more at one hour than at ten),
counts capped where more adds little. `MODEL_FEATURES` names them; a stored model names
the ones it uses, so a model file stays readable after this list grows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from services.matcher.features import TEXT_FEATURE

FORMAT = "peermatch-model/1"
Columns = dict[str, np.ndarray]

_DERIVED: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "log_overlap_hours": ("overlap_minutes", lambda x: np.log1p(x / 60.0)),
    "in_person": ("in_person", lambda x: x),
    "log_distance_km": ("distance_km", np.log1p),
    "log_mentee_recovery_years": ("mentee_recovery_days", lambda x: np.log1p(x / 365.25)),
    "log_mentor_recovery_years": ("mentor_recovery_days", lambda x: np.log1p(x / 365.25)),
    "exact_pathway": ("exact_pathway", lambda x: x),
    "same_gender": ("same_gender", lambda x: x),
    "mentee_states_gender": ("mentee_states_gender", lambda x: x),
    "mentor_states_gender": ("mentor_states_gender", lambda x: x),
    "shared_interests": ("shared_interests", lambda x: np.minimum(x, 5.0)),
    "shared_languages": ("shared_languages", lambda x: np.minimum(x, 3.0)),
    "same_first_language": ("same_first_language", lambda x: x),
    TEXT_FEATURE: (TEXT_FEATURE, lambda x: x),
}
MODEL_FEATURES: tuple[str, ...] = tuple(_DERIVED)


class ModelError(ValueError):
    """A model file or stored model that cannot be used; the message names the field."""


def model_columns(raw: Columns, names: tuple[str, ...] = MODEL_FEATURES) -> Columns:
    """The derived columns a model reads, from raw pair features (missing ones left out)."""
    out: Columns = {}
    for name in names:
        source, transform = _DERIVED[name]
        if source in raw:
            out[name] = transform(np.asarray(raw[source], dtype=np.float64))
    return out


def design_matrix(raw: Columns, names: tuple[str, ...] = MODEL_FEATURES) -> np.ndarray:
    """(pairs, features) float64 matrix of the derived columns, in `names` order."""
    columns = model_columns(raw, names)
    return np.column_stack([columns[name] for name in names])


@dataclass(frozen=True)
class LearnedModel:
    """A calibrated logistic model over named derived features, with its figures."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    figures: dict[str, Any] = field(default_factory=dict)
    training_size: int = 0
    kind: str = "logistic"

    def logits(self, raw: Columns) -> np.ndarray:
        """Log-odds of each pair; a column left out (the text, when it is not known yet)
        counts as its training mean, so it moves no pair."""
        columns = model_columns(raw, self.features)
        n = len(next(iter(raw.values()))) if raw else 0
        total = np.full(n, self.intercept, dtype=np.float64)
        for k, name in enumerate(self.features):
            values = columns.get(name)
            if values is not None:
                total += (values - self.mean[k]) * (self.coef[k] / self.scale[k])
        return total

    def predict(self, raw: Columns) -> np.ndarray:
        """Chance in (0, 1) that each pair becomes an active mentorship."""
        return np.asarray(1.0 / (1.0 + np.exp(-self.logits(raw))))

    def weights(self) -> dict[str, float]:
        """Each feature's coefficient per standard deviation (what a coordinator sees):
        positive raises the chance, and larger means it matters more."""
        return {name: round(float(c), 4) for name, c in zip(self.features, self.coef, strict=True)}

    def as_dict(self) -> dict[str, Any]:
        """The model as JSON-able data (the model file, the `model_versions` row)."""
        return {
            "format": FORMAT,
            "kind": self.kind,
            "features": list(self.features),
            "mean": [float(x) for x in self.mean],
            "scale": [float(x) for x in self.scale],
            "coef": [float(x) for x in self.coef],
            "intercept": float(self.intercept),
            "figures": self.figures,
            "training_size": self.training_size,
        }

    @classmethod
    def from_dict(cls, data: Any) -> LearnedModel:
        """Read a model from JSON data; ModelError names what is wrong."""
        if not isinstance(data, dict):
            raise ModelError("a model is a JSON object")
        if data.get("format") != FORMAT:
            raise ModelError(f'field "format": expected "{FORMAT}"')
        if data.get("kind") != "logistic":
            raise ModelError('field "kind": expected "logistic"')
        names = data.get("features")
        if not isinstance(names, list) or not names:
            raise ModelError('field "features": expected a non-empty list of names')
        for k, name in enumerate(names):
            if name not in _DERIVED:
                raise ModelError(f'field "features[{k}]": unknown feature {str(name)[:40]!r}')
        arrays = {}
        for key in ("mean", "scale", "coef"):
            values = data.get(key)
            if (
                not isinstance(values, list)
                or len(values) != len(names)
                or not all(isinstance(v, int | float) and np.isfinite(v) for v in values)
            ):
                raise ModelError(f'field "{key}": expected {len(names)} finite numbers')
            arrays[key] = np.asarray(values, dtype=np.float64)
        if (arrays["scale"] <= 0).any():
            raise ModelError('field "scale": every scale must be above 0')
        intercept = data.get("intercept")
        if not isinstance(intercept, int | float) or not np.isfinite(intercept):
            raise ModelError('field "intercept": expected a finite number')
        figures = data.get("figures") or {}
        size = data.get("training_size") or 0
        return cls(
            features=tuple(names),
            mean=arrays["mean"],
            scale=arrays["scale"],
            coef=arrays["coef"],
            intercept=float(intercept),
            figures=figures if isinstance(figures, dict) else {},
            training_size=int(size) if isinstance(size, int) else 0,
        )


def load_model(raw: bytes) -> LearnedModel:
    """A model from a model file's bytes; ModelError when it is not one."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"not JSON ({exc})") from None
    return LearnedModel.from_dict(data)


CHANCE = "predicted_chance"


def chance_detail(chance: float) -> str:
    """The explanation's sentence for the predicted chance."""
    return (
        f"about {round(chance * 100)}% of introductions like this one became a mentorship"
        " in this organization"
    )


def add_chance(explanations: list[dict[str, dict[str, Any]]], chances: np.ndarray) -> None:
    """Add the predicted chance to each pair's per-component explanation."""
    for explanation, chance in zip(explanations, chances.tolist(), strict=True):
        explanation[CHANCE] = {"score": round(chance, 3), "detail": chance_detail(chance)}


__all__ = [
    "CHANCE",
    "MODEL_FEATURES",
    "LearnedModel",
    "ModelError",
    "add_chance",
    "chance_detail",
    "design_matrix",
    "load_model",
    "model_columns",
]
