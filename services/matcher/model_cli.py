"""`peermatch model fit HISTORY -o MODEL`: fit the learned model on a history file.

Prints the held-out figures of the model beside the hand weights' (and the trees' peer)
on standard output, writes the model as JSON to MODEL. A malformed history exits 2 naming
the record and field; one too small to learn from exits 2 saying how many outcomes it
needs; never a traceback.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from services.matcher.problem import ProblemError

ROWS = (
    ("model", "learned model (logistic)"),
    ("trees", "gradient-boosted trees"),
    ("hand", "hand weights"),
)


def _error(message: str) -> int:
    sys.stderr.write(f"peermatch model fit: error: {message}\n")
    return 2


def figures_table(figures: dict[str, Any]) -> str:
    """The held-out figures, one scorer a line, for a person to read."""
    lines = [
        f"held-out outcomes: {figures['held_out']:,} of {figures['outcomes']:,} "
        f"({figures['split']}); {figures['became_active']:,} of all became active",
        f"{'scorer':<26} {'AUC':>7} {'log loss':>9} {'ranked first':>13}",
    ]
    for key, label in ROWS:
        row = figures[key]
        first = "-" if row["ranked_first"] is None else f"{row['ranked_first']:.1%}"
        lines.append(f"{label:<26} {row['auc']:>7.4f} {row['log_loss']:>9.4f} {first:>13}")
    verdict = (
        "the model beats the hand weights on both AUC and log loss"
        if figures["beats_hand"]
        else "the model does NOT beat the hand weights on both AUC and log loss"
    )
    lines.append(verdict)
    if figures.get("trees_better"):
        lines.append("trees fit clearly better, but only the logistic model is stored (JSON)")
    return "\n".join(lines) + "\n"


def run_fit(history_file: str, output: str) -> int:
    """Fit on HISTORY, write MODEL, print the figures; 0, or 2 on a bad or small history."""
    try:
        if history_file == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(history_file, "rb") as handle:
                raw = handle.read()
    except OSError as exc:
        return _error(f"cannot read {history_file}: {exc.strerror or exc}")
    from services.matcher.fitting import TooFewOutcomes, fit_outcomes
    from services.matcher.history import load_history

    try:
        history = load_history(raw)
        fit = fit_outcomes(
            history.features(), history.labels, history.days, alternatives=history.alternatives
        )
    except ProblemError as exc:
        return _error(str(exc))
    except TooFewOutcomes as exc:
        return _error(f"too small to learn from: {exc}")
    try:
        with open(output, "w") as handle:
            json.dump(fit.model.as_dict(), handle, indent=1)
            handle.write("\n")
    except OSError as exc:
        return _error(f"cannot write {output}: {exc.strerror or exc}")
    sys.stdout.write(figures_table(fit.figures))
    sys.stdout.write(f"model written to {output}\n")
    return 0
