"""Benchmark the learned model against the hand weights and an oracle on a hidden truth.

1. A history: a synthetic population (`--history`, seed 3) whose mentees were each proposed
   one random feasible mentor over the past year; whether each became a mentorship is
   drawn from hidden true preferences (`services/matcher/simulate.py`: same gender and the
   exact fellowship matter a lot, shared time with diminishing returns, text some,
   distance little; unlike the hand weights).
2. `fit_outcomes` on it, exactly as `peermatch model fit` runs: held-out (latest quarter)
   AUC, log loss and share ranked first, model vs trees vs the calibrated hand score.
3. A fresh population (`--fresh`, seed 11) solved three ways: the hand weights, the model,
   and an oracle that ranks by the true chance. Printed: the expected number of
   introductions that become mentorships under the truth (the sum of the true chances of
   the proposals), and the share of the hand-to-oracle gap the model closes.
4. The 10,000 x 2,000 solve as its own process, hand weights and `--model`: whole-process
   wall time and peak memory (targets 1.5 s, 300 MiB).

    .venv/bin/python benchmarks/bench_model.py
    .venv/bin/python benchmarks/bench_model.py --history 3000x600 --fresh 2000x500 --no-timing
    .venv/bin/python benchmarks/bench_model.py --timing-only       # three timing rounds
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_solve import OUT, _instance, _peermatch, _run_measured  # noqa: E402

from services.matcher.encoding import encode_problem  # noqa: E402
from services.matcher.features import pair_features  # noqa: E402
from services.matcher.fitting import fit_outcomes  # noqa: E402
from services.matcher.history import load_history  # noqa: E402
from services.matcher.problem import parse_problem  # noqa: E402
from services.matcher.simulate import simulate_outcomes, true_chance  # noqa: E402
from services.matcher.solve import solve_encoded  # noqa: E402
from services.matcher.synthetic import generate  # noqa: E402


class Oracle:
    """Ranks pairs by the hidden true chance (what a perfect model would do)."""

    def predict(self, raw: dict[str, np.ndarray]) -> np.ndarray:
        """The true chance of each pair."""
        return true_chance(raw)


def _size(text: str) -> tuple[int, int]:
    mentees, mentors = text.lower().split("x")
    return int(mentees), int(mentors)


def _expected_active(encoded: Any, solution: Any) -> float:
    """Sum of the true chances of the proposals: mentorships expected under the truth."""
    row_e = {pid: k for k, pid in enumerate(encoded.mentees.ids)}
    row_r = {pid: k for k, pid in enumerate(encoded.mentors.ids)}
    i = np.array([row_e[p.mentee_id] for p in solution.proposals], dtype=np.int64)
    j = np.array([row_r[p.mentor_id] for p in solution.proposals], dtype=np.int64)
    return float(true_chance(pair_features(encoded, i, j)).sum())


def _history(size: tuple[int, int], seed: int) -> bytes:
    data = generate(*size, seed=seed)
    encoded = encode_problem(parse_problem(data))
    data["outcomes"] = simulate_outcomes(
        encoded, lambda i, j: pair_features(encoded, i, j), seed=seed
    )
    return json.dumps(data).encode()


def _timing(model_path: Path, seed: int) -> None:
    path = _instance(10_000, 2_000, seed)
    print("\n10,000 x 2,000 `peermatch solve` as its own process (targets 1.5 s, 300 MiB):")
    print(f"{'run':<16} {'wall s':>7} {'peak MiB':>9} {'proposed':>9}")
    for label, extra in (("hand weights", []), ("--model", ["--model", str(model_path)])):
        out = OUT / f"model-solve-{label.strip('-').replace(' ', '-')}.json"
        run = _run_measured([*_peermatch(), "solve", str(path), "--quiet", *extra], out, 120)
        proposed = json.loads(out.read_text())["stats"]["proposed"] if run["status"] == 0 else "-"
        print(f"{label:<16} {run['seconds']:>7.2f} {run['peak_mib']:>9.0f} {proposed!s:>9}")


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--history", default="4000x800", help="history population MENTEESxMENTORS")
    parser.add_argument("--fresh", default="4000x800", help="fresh population MENTEESxMENTORS")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--no-timing", action="store_true", help="skip the 10,000x2,000 runs")
    parser.add_argument(
        "--timing-only",
        action="store_true",
        help="only the 10,000x2,000 runs, with the model of the last full run (a small parent "
        "process: a large one inflates the child's peak memory as measured)",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    model_path = OUT / "bench-model.json"
    if args.timing_only:
        for _ in range(3):
            _timing(model_path, 1)
        return 0

    started = time.perf_counter()
    history = load_history(_history(_size(args.history), args.seed))
    fit = fit_outcomes(
        history.features(), history.labels, history.days, alternatives=history.alternatives
    )
    figures = fit.figures
    print(
        f"history {args.history}: {figures['outcomes']:,} outcomes, "
        f"{figures['became_active']:,} became active; held out {figures['held_out']:,} "
        f"(latest quarter); fitted in {time.perf_counter() - started:.1f} s"
    )
    print(f"{'held-out':<26} {'AUC':>7} {'log loss':>9} {'ranked first':>13}")
    for key, label in (
        ("model", "model (logistic)"),
        ("trees", "trees (HGB)"),
        ("hand", "hand weights"),
    ):
        row = figures[key]
        print(
            f"{label:<26} {row['auc']:>7.4f} {row['log_loss']:>9.4f} {row['ranked_first']:>13.1%}"
        )
    model_path.write_text(json.dumps(fit.model.as_dict()))

    fresh = encode_problem(parse_problem(generate(*_size(args.fresh), seed=args.seed + 8)))
    runs: dict[str, float] = {}
    proposed: dict[str, int] = {}
    for label, model in (("hand weights", None), ("model", fit.model), ("oracle", Oracle())):
        solution = solve_encoded(fresh, explain=False, model=model)  # type: ignore[arg-type]
        runs[label] = _expected_active(fresh, solution)
        proposed[label] = len(solution.proposals)
    print(f"\nfresh population {args.fresh}: expected mentorships under the hidden truth")
    print(f"{'ranked by':<16} {'proposed':>9} {'expected active':>16}")
    for label, value in runs.items():
        print(f"{label:<16} {proposed[label]:>9,} {value:>16.1f}")
    gap = runs["oracle"] - runs["hand weights"]
    closed = (runs["model"] - runs["hand weights"]) / gap if gap > 0 else float("nan")
    print(f"the model closes {closed:.1%} of the gap between the hand weights and the oracle")
    if not args.no_timing:
        _timing(model_path, 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
