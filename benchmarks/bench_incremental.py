"""p50/p95 of the worker's path: one new mentee against 20,000 mentors, in process.

Also times `PartnerIndex.explain_waiting`, what the API runs for a member's own
`matching_status`: why they wait and what single change would open a match.

.venv/bin/python benchmarks/bench_incremental.py [--mentors 20000] [--queries 2000]
.venv/bin/python benchmarks/bench_incremental.py --model benchmarks/out/bench-model.json
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    """Build the mentor index once, then time best_partner for each arriving mentee."""
    import numpy as np

    from services.matcher.incremental import PartnerIndex
    from services.matcher.problem import load_problem
    from services.matcher.synthetic import generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--explained", type=int, default=500, help="mentees to explain")
    parser.add_argument("--model", default=None, help="a model file (peermatch model fit)")
    args = parser.parse_args()
    from services.matcher.learned import load_model

    model = load_model(Path(args.model).read_bytes()) if args.model else None
    import msgspec

    problem = load_problem(
        msgspec.json.encode(generate(args.queries, args.mentors, seed=args.seed))
    )
    started = time.perf_counter()
    index = PartnerIndex.for_mentors(
        problem.mentors,
        reference_date=problem.reference_date,
        settings=problem.settings,
        model=model,
    )
    built = time.perf_counter() - started
    for mentee in problem.mentees[:20]:  # warm caches (timezone offsets, allocator)
        index.best_partner(mentee)
    times = []
    found = 0
    for mentee in problem.mentees:
        start = time.perf_counter()
        match = index.best_partner(mentee)
        times.append(time.perf_counter() - start)
        found += match is not None
    ms = np.array(times) * 1000
    print(f"index of {args.mentors:,} mentors built in {built:.2f} s")
    print(
        f"best_partner over {len(ms):,} new mentees: p50 {np.percentile(ms, 50):.2f} ms,"
        f" p95 {np.percentile(ms, 95):.2f} ms, p99 {np.percentile(ms, 99):.2f} ms,"
        f" max {ms.max():.2f} ms; {found:,} found a feasible mentor"
    )
    times = []
    for mentee in problem.mentees[: args.explained]:
        start = time.perf_counter()
        index.explain_waiting(mentee)
        times.append(time.perf_counter() - start)
    ms = np.array(times) * 1000
    print(
        f"explain_waiting over {len(ms):,} mentees: p50 {np.percentile(ms, 50):.2f} ms,"
        f" p95 {np.percentile(ms, 95):.2f} ms, max {ms.max():.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
