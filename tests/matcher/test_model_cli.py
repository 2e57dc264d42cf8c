"""`peermatch model fit` and `peermatch solve --model` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from test_matcher_learned import history_data

from services.matcher.synthetic import generate

ROOT = Path(__file__).resolve().parents[2]
PEERMATCH = [sys.executable, "-c", "import sys; from services.cli import main; sys.exit(main())"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PEERMATCH, *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def test_fit_prints_figures_beside_the_hand_weights_and_solve_uses_the_model(
    tmp_path: Path,
) -> None:
    history, model = tmp_path / "history.json", tmp_path / "model.json"
    history.write_text(json.dumps(history_data(1200, 250, seed=5)))
    fitted = _run("model", "fit", str(history), "-o", str(model))
    assert fitted.returncode == 0, fitted.stderr
    for label in ("learned model (logistic)", "hand weights", "AUC", "log loss", "ranked first"):
        assert label in fitted.stdout
    stored = json.loads(model.read_text())
    assert stored["kind"] == "logistic" and stored["figures"]["held_out"] > 0

    people = tmp_path / "people.json"
    people.write_text(json.dumps(generate(80, 25, seed=2)))
    hand = _run("solve", str(people), "--quiet")
    learned = _run("solve", str(people), "--quiet", "--model", str(model))
    assert hand.returncode == learned.returncode == 0, learned.stderr
    hand_out, learned_out = json.loads(hand.stdout), json.loads(learned.stdout)
    assert learned_out["stats"]["proposed"] == hand_out["stats"]["proposed"] > 0
    assert all("predicted_chance" in p["explanation"] for p in learned_out["proposals"])
    assert not any("predicted_chance" in p["explanation"] for p in hand_out["proposals"])


def test_a_malformed_or_small_history_and_a_bad_model_exit_2_without_traceback(
    tmp_path: Path,
) -> None:
    data = history_data(60, 20, seed=1)
    path, model = tmp_path / "history.json", tmp_path / "model.json"
    path.write_text(json.dumps(data))
    small = _run("model", "fit", str(path), "-o", str(model))
    assert small.returncode == 2
    assert "needs at least 40 outcomes" in small.stderr and "Traceback" not in small.stderr
    assert not model.exists()

    data["outcomes"][1]["outcome"] = "sort of"
    path.write_text(json.dumps(data))
    broken = _run("model", "fit", str(path), "-o", str(model))
    assert broken.returncode == 2
    assert "outcomes[1]" in broken.stderr and 'field "outcome"' in broken.stderr
    assert "Traceback" not in broken.stderr

    model.write_text('{"format": "peermatch-model/1", "kind": "logistic", "features": []}')
    people = tmp_path / "people.json"
    people.write_text(json.dumps(generate(5, 3, seed=1)))
    refused = _run("solve", str(people), "--model", str(model))
    assert refused.returncode == 2 and refused.stdout == ""
    assert 'field "features"' in refused.stderr and "Traceback" not in refused.stderr
