"""Benchmark `peermatch solve` against the largest coverage and the exact optimum.

For each instance size it generates a synthetic population, runs `peermatch solve` as a
separate process (whole-process wall time and peak memory, start-up and imports included),
computes the largest possible coverage (a max flow over ALL feasible pairs) and, side by
side in the same run, two peers on the same instance, each in its own process with a time
limit: an exact min-cost flow over all feasible pairs and the `matching` library's
hospital-residents solver with preference lists built from the same scores.

    .venv/bin/python benchmarks/bench_solve.py                       # all three sizes
    .venv/bin/python benchmarks/bench_solve.py --sizes 2000x500,10000x2000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "benchmarks" / "out"
DEFAULT_SIZES = "2000x500,10000x2000,100000x20000"
PEER_MEMORY_LIMIT = 16 << 30  # bytes of address space a peer may take (machine has 24 GiB)


def _peermatch() -> list[str]:
    script = Path(sys.executable).parent / "peermatch"
    return [str(script)] if script.exists() else [sys.executable, "-m", "services.cli"]


def _instance(n_mentees: int, n_mentors: int, seed: int) -> Path:
    path = OUT / f"solve-{n_mentees}x{n_mentors}-seed{seed}.json"
    if not path.exists():
        with open(path, "w") as handle:
            subprocess.run(
                [
                    *(sys.executable, "-m", "services.matcher.synthetic"),
                    *("--mentees", str(n_mentees), "--mentors", str(n_mentors)),
                    *("--seed", str(seed)),
                ],
                stdout=handle,
                check=True,
                cwd=ROOT,
            )
    return path


def _run_measured(command: list[str], stdout_path: Path, timeout: float) -> dict[str, Any]:
    """Run a command; wall time, peak RSS of that process, exit status or timeout."""
    started = time.perf_counter()
    with open(stdout_path, "w") as out, open(stdout_path.with_suffix(".err"), "w") as err:
        # No preexec_fn: subprocess can then vfork, and the child's peak RSS is its own,
        # not a copy of this (larger) benchmark process.
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=ROOT)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                _, status, usage = os.wait4(process.pid, 0)
                return {"timeout": True, "seconds": time.perf_counter() - started}
            time.sleep(0.02)
    return {
        "timeout": False,
        "seconds": time.perf_counter() - started,
        "peak_mib": usage.ru_maxrss / 1024,
        "status": os.waitstatus_to_exitcode(status),
    }


# --- the benchmark's own view of an instance ------------------------------------------------


def _analyse(path: Path, output: dict[str, Any]) -> dict[str, Any]:
    """Largest coverage (max flow over all feasible pairs), PeerMatch objective, violations."""
    import numpy as np
    from ortools.graph.python import max_flow

    from services.matcher.encoding import encode_problem
    from services.matcher.feasibility import check_pairs, feasible_pairs, recovery_thresholds
    from services.matcher.problem import load_problem
    from services.matcher.scoring import combine, component_scores, waiting_bonus

    problem = load_problem(path.read_bytes())
    encoded = encode_problem(problem)
    i, j = feasible_pairs(encoded, open_mentors_only=True)
    n_e, n_r = encoded.mentees.n, encoded.mentors.n
    solver = max_flow.SimpleMaxFlow()
    source, sink = n_e + n_r, n_e + n_r + 1
    solver.add_arcs_with_capacity(
        np.concatenate([np.full(n_e, source), i, n_e + np.arange(n_r)]).astype(np.int32),
        np.concatenate([np.arange(n_e), n_e + j, np.full(n_r, sink)]).astype(np.int32),
        np.concatenate([np.ones(n_e + len(i)), encoded.mentors.remaining]).astype(np.int64),
    )
    if solver.solve(source, sink) != solver.OPTIMAL:
        raise RuntimeError("max flow failed")
    best = int(solver.optimal_flow())
    n_feasible = len(i)
    del i, j, solver
    row_e = {pid: k for k, pid in enumerate(encoded.mentees.ids)}
    row_r = {pid: k for k, pid in enumerate(encoded.mentors.ids)}
    pe = np.array([row_e[p["mentee_id"]] for p in output["proposals"]], dtype=np.int64)
    pr = np.array([row_r[p["mentor_id"]] for p in output["proposals"]], dtype=np.int64)
    ok = check_pairs(encoded, pe, pr, recovery_thresholds(encoded))
    excluded = {(e, r) for e, r in problem.exclusions}
    bad = int((~ok).sum()) + sum(
        (p["mentee_id"], p["mentor_id"]) in excluded for p in output["proposals"]
    )
    bad += int(len(set(pe.tolist())) != len(pe))
    bad += int((np.bincount(pr, minlength=n_r) > encoded.mentors.remaining).sum())
    objective = float(
        (combine(component_scores(encoded, pe, pr)) + waiting_bonus(encoded, pe)).sum()
    )
    return {"max_flow": best, "feasible": n_feasible, "objective": objective, "violations": bad}


# --- peers, each run as `bench_solve.py --peer NAME FILE` in its own process -----------------


def _all_pairs_with_benefit(path: Path) -> tuple[Any, Any, Any, Any]:
    """Every feasible pair and its benefit, with the engine's own reading, rules and score
    (the figures each pair's check computed are reused, as PeerMatch's exact path does)."""
    import numpy as np

    from services.matcher.encoding import encode_problem
    from services.matcher.feasibility import iter_pairs
    from services.matcher.problem import load_problem
    from services.matcher.scoring import combine, component_scores, waiting_bonus

    encoded = encode_problem(load_problem(path.read_bytes()))
    parts: list[tuple[Any, Any, Any]] = []
    for c in iter_pairs(encoded, mentor_mask=encoded.mentors.remaining > 0):
        scores = component_scores(encoded, c.i, c.j, slots=c.slots, reach=c.reach_km)
        parts.append((c.i, c.j, combine(scores) + waiting_bonus(encoded, c.i)))
    if not parts:
        empty = np.zeros(0, dtype=np.int32)
        return encoded, empty, empty, np.zeros(0)
    i, j, benefit = (np.concatenate(column) for column in zip(*parts, strict=True))
    return encoded, i, j, benefit


def _peer_exact(path: Path) -> dict[str, Any]:
    from services.matcher.assignment import assign

    encoded, i, j, benefit = _all_pairs_with_benefit(path)
    prepared = time.perf_counter()
    result = assign(encoded.mentees.n, encoded.mentors.n, i, j, benefit, encoded.mentors.remaining)
    objective = float(benefit[result.chosen].sum())
    return {
        "proposed": result.flow,
        "objective": objective,
        "solver_seconds": time.perf_counter() - prepared,
    }


def _peer_hospital_residents(path: Path) -> dict[str, Any]:
    import numpy as np
    from matching.games import HospitalResident

    encoded, i, j, benefit = _all_pairs_with_benefit(path)
    prepared = time.perf_counter()
    e_ids, r_ids = encoded.mentees.ids, encoded.mentors.ids
    by_mentee = np.lexsort((-benefit, i))
    residents: dict[str, list[str]] = {}
    for a, b in zip(i[by_mentee].tolist(), j[by_mentee].tolist(), strict=True):
        residents.setdefault(e_ids[a], []).append(r_ids[b])
    by_mentor = np.lexsort((-benefit, j))
    hospitals: dict[str, list[str]] = {}
    for a, b in zip(i[by_mentor].tolist(), j[by_mentor].tolist(), strict=True):
        hospitals.setdefault(r_ids[b], []).append(e_ids[a])
    capacities = {r_ids[b]: int(encoded.mentors.remaining[b]) for b in range(encoded.mentors.n)}
    capacities = {k: v for k, v in capacities.items() if k in hospitals}
    # The library recurses once per proposal: a raised recursion limit alone would overflow
    # the C stack, so the game runs in a thread with a large stack.
    sys.setrecursionlimit(10_000_000)
    threading.stack_size(1 << 30)
    result: dict[str, Any] = {}

    def run() -> None:
        game = HospitalResident.create_from_dictionaries(residents, hospitals, capacities)
        result["matching"] = game.solve(optimal="resident")

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    matching = result["matching"]
    value = {
        (e_ids[a], r_ids[b]): v
        for a, b, v in zip(i.tolist(), j.tolist(), benefit.tolist(), strict=True)
    }
    pairs = [(str(m), str(h)) for h, ms in matching.items() for m in ms]
    return {
        "proposed": len(pairs),
        "objective": float(sum(value[(m, h)] for m, h in pairs)),
        "solver_seconds": time.perf_counter() - prepared,
    }


PEERS = {"exact": _peer_exact, "hr": _peer_hospital_residents}
PEER_NAMES = {"exact": "exact min-cost flow", "hr": "matching HospitalResident"}


def _run_peer(name: str, path: Path, timeout: float) -> dict[str, Any]:
    out = OUT / f"{path.stem}.{name}.json"
    measured = _run_measured([sys.executable, __file__, "--peer", name, str(path)], out, timeout)
    if measured["timeout"]:
        return {**measured, "note": f"did not finish in {timeout / 60:g} min"}
    if measured["status"] != 0:
        err = out.with_suffix(".err").read_text().strip()
        if "MemoryError" in err:
            reason = "ran out of memory"
        elif measured["status"] < 0:
            reason = f"crashed (signal {-measured['status']})"
        else:
            reason = f"failed (exit {measured['status']}: {err[-80:]})"
        return {**measured, "note": f"{reason} (limit {PEER_MEMORY_LIMIT >> 30} GiB)"}
    return {**measured, **json.loads(out.read_text()), "note": ""}


def _revision() -> str:
    """The commit measured, and whether the work tree had changes on top of it."""

    def git(*command: str) -> str:
        done = subprocess.run(["git", *command], capture_output=True, text=True, cwd=ROOT)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = [line[3:] for line in git("status", "--porcelain").splitlines() if line[3:].strip()]
    engine = [p for p in changed if p.startswith(("services/matcher", "benchmarks/bench_solve"))]
    note = f" + uncommitted changes ({len(engine)} engine files)" if engine else ""
    return f"measured at commit {commit}{note}"


def _fmt(value: Any, spec: str = "") -> str:
    return "-" if value is None else format(value, spec)


def main() -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="comma list of MENTEESxMENTORS")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per peer")
    parser.add_argument("--peers", default="exact,hr", help="comma list of peers, or none")
    parser.add_argument("--peer", help=argparse.SUPPRESS)
    parser.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer:
        resource.setrlimit(resource.RLIMIT_AS, (PEER_MEMORY_LIMIT, PEER_MEMORY_LIMIT))
        json.dump(PEERS[args.peer](Path(args.file)), sys.stdout)
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    print(_revision(), flush=True)
    peers = [p for p in args.peers.split(",") if p and p != "none"]
    header = (
        f"{'instance':>14} | {'solver':<27} | {'wall s':>7} | {'peak MiB':>8} | {'proposed':>8} |"
        f" {'max flow':>8} | {'coverage':>8} | {'objective':>11} | {'of exact':>8} | note"
    )
    rows = [header, "-" * len(header)]
    for size in args.sizes.split(","):
        n_e, n_r = (int(x) for x in size.lower().split("x"))
        path = _instance(n_e, n_r, args.seed)
        out = OUT / f"{path.stem}.peermatch.json"
        ours = _run_measured([*_peermatch(), "solve", str(path)], out, 3600)
        output = json.loads(out.read_text())
        facts = _analyse(path, output)
        note = (
            f"{facts['violations']} violations, {facts['feasible']:,} feasible pairs,"
            f" {output['stats']['candidate_pairs']:,} candidates,"
            f" {len(output['unmatched']):,} unmatched with reasons"
        )
        results = {
            "PeerMatch (peermatch solve)": {
                **ours,
                "proposed": output["stats"]["proposed"],
                "objective": facts["objective"],
                "note": note,
            }
        }
        for peer in peers:
            results[PEER_NAMES[peer]] = _run_peer(peer, path, args.timeout)
        exact = results.get(PEER_NAMES["exact"], {}).get("objective")
        for solver, r in results.items():
            proposed = r.get("proposed")
            coverage = None if proposed is None else 100.0 * proposed / max(1, facts["max_flow"])
            share = None
            if exact and r.get("objective") is not None:
                share = 100.0 * r["objective"] / exact
            rows.append(
                f"{size:>14} | {solver:<27} | {_fmt(r.get('seconds'), '7.2f')} |"
                f" {_fmt(r.get('peak_mib'), '8.0f')} | {_fmt(proposed, '8d')} |"
                f" {facts['max_flow']:8d} | {_fmt(coverage, '7.2f')}% |"
                f" {_fmt(r.get('objective'), '11.2f')} | {_fmt(share, '7.2f')}% |"
                f" {r.get('note', '')}"
            )
        print("\n".join(rows[-len(results) :]), flush=True, file=sys.stderr)
    print("\n".join(rows))
    print(
        "\nwall s and peak MiB: whole process (start-up, imports, JSON in and out). objective:"
        " sum of score + waiting bonus, what the solver maximises after coverage. max flow:"
        " the largest coverage over ALL feasible pairs, computed by this benchmark."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
