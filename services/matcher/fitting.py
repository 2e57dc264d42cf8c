"""Fitting the learned model on outcomes, and judging it against the hand weights.

The outcomes are split by time: the latest quarter of the proposals is held out (a model
is always used on proposals that come after what it learned from). On the earlier part
three scorers are fitted and then judged on the same held-out outcomes:

- the hand weights' score (`features.hand_score`), calibrated by a one-feature logistic
  regression on the training part, so that its log loss is a fair figure;
- a logistic regression on the standardised derived features (`learned.MODEL_FEATURES`),
  L2-regularised with the strength chosen by cross-validated log loss, then calibrated
  (Platt: a one-feature logistic on its cross-validated log-odds, folded back into the
  coefficients, so the calibrated model is still a linear one);
- a `HistGradientBoostingClassifier` on the same features, as the flexible peer.

Figures: AUC, log loss, and (when the mentees' other feasible partners are known, as in a
history file) the share of the held-out introductions that became active whose partner the
scorer ranks first among all of that mentee's feasible partners. The stored model is the
logistic one, refitted on every outcome: it is a few numbers, cheap to apply to every
feasible pair and readable by a coordinator. The trees' figures are reported beside it,
and `trees_better` says when they clearly fit better (AUC 0.02 higher and a lower log
loss): a reason to store them too some day, not done yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from services.matcher.features import hand_score
from services.matcher.history import Alternatives
from services.matcher.learned import MODEL_FEATURES, Columns, LearnedModel, design_matrix
from services.matcher.scoring import DEFAULT_WEIGHTS, Weights

MIN_OUTCOMES = 40
MIN_EACH = 10  # outcomes that became active, and that did not
HELD_OUT_SHARE = 0.25
C_GRID = np.logspace(-3, 2, 8)


class TooFewOutcomes(ValueError):
    """The history is too small to learn from; the message says how many it needs."""


@dataclass
class Fit:
    """The model to store and the held-out figures of every scorer."""

    model: LearnedModel
    figures: dict[str, Any]

    @property
    def beats_hand(self) -> bool:
        """Whether the model's held-out AUC and log loss are both better than the hand's."""
        return bool(self.figures["beats_hand"])


def check_size(
    labels: np.ndarray, *, min_outcomes: int = MIN_OUTCOMES, min_each: int = MIN_EACH
) -> None:
    """Raise TooFewOutcomes unless there is enough to learn from."""
    positive = int(labels.sum())
    negative = len(labels) - positive
    if len(labels) < min_outcomes or positive < min_each or negative < min_each:
        raise TooFewOutcomes(
            f"needs at least {min_outcomes} outcomes, with at least {min_each} that became "
            f"active and {min_each} that did not; this history has {len(labels)} "
            f"({positive} became active, {negative} did not)"
        )


BY_TIME = "by time: the latest quarter of the proposals held out"
STRATIFIED = "stratified: a quarter of each kind of outcome held out (the latest were one kind)"


def split_by_time(days: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Train and held-out positions, and how they were split: the latest share of the
    proposals is held out, unless that leaves one part without both kinds of outcome."""
    order = np.argsort(days, kind="stable")
    cut = round(len(order) * (1 - HELD_OUT_SHARE))
    train, test = order[:cut], order[cut:]
    train_counts = np.bincount(labels[train], minlength=2)
    if len(set(labels[test].tolist())) < 2 or train_counts.min() < 2:
        # One kind of outcome only at the end: a stratified split instead (seeded).
        rng = np.random.default_rng(0)
        test_mask = np.zeros(len(labels), dtype=bool)
        for value in (0, 1):
            rows = np.flatnonzero(labels == value)
            take = min(max(1, round(len(rows) * HELD_OUT_SHARE)), len(rows) - 2)
            test_mask[rng.choice(rows, size=take, replace=False)] = True
        return np.flatnonzero(~test_mask), np.flatnonzero(test_mask), STRATIFIED
    return train, test, BY_TIME


def _folds(labels: np.ndarray) -> StratifiedKFold:
    smallest = int(min(labels.sum(), len(labels) - labels.sum()))
    return StratifiedKFold(n_splits=max(2, min(5, smallest)), shuffle=True, random_state=0)


def fit_logistic(x: np.ndarray, labels: np.ndarray) -> LearnedModel:
    """Standardise, choose the L2 strength by cross-validated log loss, fit, calibrate."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    z = (x - mean) / scale
    folds = _folds(labels)
    best_c, best_loss = C_GRID[0], np.inf
    for c in C_GRID:
        p = cross_val_predict(
            LogisticRegression(C=c, max_iter=2000), z, labels, cv=folds, method="predict_proba"
        )[:, 1]
        loss = log_loss(labels, p, labels=[0, 1])
        if loss < best_loss:
            best_c, best_loss = c, loss
    base = LogisticRegression(C=best_c, max_iter=2000)
    held = cross_val_predict(base, z, labels, cv=folds, method="decision_function")
    platt = LogisticRegression(C=1e6, max_iter=2000).fit(held[:, None], labels)
    a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    base.fit(z, labels)
    return LearnedModel(
        features=MODEL_FEATURES,
        mean=mean,
        scale=scale,
        coef=a * base.coef_[0],
        intercept=a * float(base.intercept_[0]) + b,
        training_size=len(labels),
    )


def _calibrated_hand(score: np.ndarray, labels: np.ndarray) -> LogisticRegression:
    return LogisticRegression(C=1e6, max_iter=2000).fit(score[:, None], labels)


def _top_share(alternatives: Alternatives | None, scorer: Any, n_positive: int) -> float | None:
    """Share of held-out introductions that became active whose partner ranks first."""
    if alternatives is None or n_positive == 0:
        return None
    s = np.asarray(scorer(alternatives.raw), dtype=np.float64)
    owner, actual = alternatives.owner, alternatives.actual
    mine = np.full(n_positive, -np.inf)
    np.maximum.at(mine, owner[actual], s[actual])
    above = np.bincount(owner, weights=(s > mine[owner]) & ~actual, minlength=n_positive)
    tied = np.bincount(owner, weights=(s == mine[owner]) & ~actual, minlength=n_positive)
    first = np.where(above == 0, 1.0 / (1.0 + tied), 0.0)  # a tie shares the first place
    return round(float(first.mean()), 4)


def _figures(labels: np.ndarray, p: np.ndarray, top: float | None) -> dict[str, Any]:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return {
        "auc": round(float(roc_auc_score(labels, p)), 4),
        "log_loss": round(float(log_loss(labels, p, labels=[0, 1])), 4),
        "ranked_first": top,
    }


def fit_outcomes(
    raw: Columns,
    labels: np.ndarray,
    days: np.ndarray,
    *,
    alternatives: Callable[[np.ndarray], Alternatives] | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
    min_outcomes: int = MIN_OUTCOMES,
    min_each: int = MIN_EACH,
) -> Fit:
    """Fit on outcomes (raw features, 1 = became active, proposal day numbers) and judge
    the model, the trees and the hand weights on the same held-out outcomes.

    `alternatives(positions)` gives the feasible partners of the held-out outcomes at
    those positions (the ones that became active), for the ranking figure; without it
    that figure is None. Raises TooFewOutcomes on a small history."""
    labels = np.asarray(labels, dtype=np.int64)
    check_size(labels, min_outcomes=min_outcomes, min_each=min_each)
    train, test, split = split_by_time(np.asarray(days), labels)
    x = design_matrix(raw)
    y_train, y_test = labels[train], labels[test]
    positives = test[y_test == 1]
    n_positive = len(positives)
    others = alternatives(positives) if alternatives is not None else None

    logistic = fit_logistic(x[train], y_train)
    trees = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, random_state=0)
    trees.fit(x[train], y_train)
    hand = hand_score(raw, weights)
    calibration = _calibrated_hand(hand[train], y_train)
    test_raw = {name: values[test] for name, values in raw.items()}

    def hand_chance(columns: Columns) -> np.ndarray:
        return calibration.predict_proba(hand_score(columns, weights)[:, None])[:, 1]

    def tree_chance(columns: Columns) -> np.ndarray:
        return trees.predict_proba(design_matrix(columns))[:, 1]

    figures: dict[str, Any] = {
        "outcomes": len(labels),
        "became_active": int(labels.sum()),
        "train": len(train),
        "held_out": len(test),
        "split": split,
        "model": _figures(
            y_test, logistic.predict(test_raw), _top_share(others, logistic.predict, n_positive)
        ),
        "trees": _figures(
            y_test, tree_chance(test_raw), _top_share(others, tree_chance, n_positive)
        ),
        "hand": _figures(
            y_test, hand_chance(test_raw), _top_share(others, hand_chance, n_positive)
        ),
    }
    model, trees_fig, hand_fig = figures["model"], figures["trees"], figures["hand"]
    figures["beats_hand"] = bool(
        model["auc"] > hand_fig["auc"] and model["log_loss"] < hand_fig["log_loss"]
    )
    figures["trees_better"] = bool(
        trees_fig["auc"] >= model["auc"] + 0.02 and trees_fig["log_loss"] < model["log_loss"]
    )
    figures["chosen"] = "logistic"
    final = fit_logistic(x, labels)
    stored = LearnedModel(
        features=final.features,
        mean=final.mean,
        scale=final.scale,
        coef=final.coef,
        intercept=final.intercept,
        figures=figures,
        training_size=len(labels),
    )
    return Fit(stored, figures)
