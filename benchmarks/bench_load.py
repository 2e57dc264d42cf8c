"""A crowd on loopback: many people registering, saving profiles and reading at once.

The workload (issue 9, "the embedded default holds a crowd"): `--people` simulated people,
`--concurrency` at a time, each with its own HTTP client (httpx, keep-alive), run in
threads. Each person reads `GET /privacy-notice` once (and sends its version as
`consent_version` when it answers 200), registers, logs in, saves a mentee profile (three in
four) or a mentor profile (one in four, left awaiting vetting), reads `GET /me` and
`GET /me/introductions`, and, for mentees, polls `GET /me/introductions?status=proposed`
every 250 ms until a proposal shows up (save-to-proposal time, for at most 60 s). Before the
crowd arrives, the organization's coordinator and `--mentors` approved mentors are stored
straight into the database (nothing is queued for them), and the mentees are picked from
the synthetic generator so that each has a feasible mentor with a free place.

Printed per setup: throughput, p50/p95 per call, every failure (a transport error or an
unexpected status; there must be none), save-to-proposal p50/p95; then, side by side in
the same run, authenticated reads (`GET /me`, `GET /me/introductions`) against a bare
FastAPI endpoint served by the same uvicorn process and app (same middleware) that returns
the same JSON without touching the database, `--read-clients` clients for
`--read-seconds` seconds each, in two alternating rounds.

Setups (`--only` picks one):
- `sqlite`: what `make run` runs: SQLite files, the embedded database-backed broker, one
  uvicorn process and a Celery worker with `-B --pool=threads --concurrency=2`;
- `postgres`: a fresh PostgreSQL and Redis on free loopback ports
  (`bench_proposal_latency.stack`), one uvicorn process, a prefork worker of two children.

    .venv/bin/python benchmarks/bench_load.py
    .venv/bin/python benchmarks/bench_load.py --people 200 --concurrency 32 --only sqlite

Everything started is stopped at the end, also on Ctrl-C or an error, and the temporary
folder is removed (`--keep` keeps it, with the logs). No email, name or free text is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from bench_proposal_latency import (  # noqa: E402
    API,
    ORGANIZATION,
    PASSWORD,
    ROOT,
    _interrupt,
    free_port,
    mentee_body,
    migrate,
    normalize,
    pick_samples,
    seed_population,
    service_env,
    spawn,
    stack,
    start_worker,
    stop,
    wait_until,
)

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PROPOSAL_POLL_SECONDS = 0.25
PROPOSAL_TIMEOUT = 60.0
TARGET_P95_S = 2.0
TARGET_SHARE = 0.40
BARE = "/bench/bare"
CALLS = ("register", "login", "save", "me", "introductions", "poll")


# --- the server: the real app plus a bare endpoint -----------------------------------------


def create_bench_app() -> Any:
    """The app as `make run` serves it, plus `GET /bench/bare/{name}` for the comparison.

    The bare endpoint is a plain sync FastAPI route (the thread pool hop, the middleware and
    the JSON encoding are the same as for the real routes) returning a stored body; the
    benchmark stores the real route's answer with `PUT /bench/bare/{name}` first.
    """
    from fastapi import Body

    from services.api.app import create_app

    app = create_app()
    bodies: dict[str, Any] = {}

    @app.put(f"{BARE}/{{name}}", include_in_schema=False)
    def store(name: str, body: Any = Body(...)) -> dict[str, str]:
        bodies[name] = body
        return {"stored": name}

    @app.get(f"{BARE}/{{name}}", include_in_schema=False)
    def bare(name: str) -> Any:
        return bodies[name]

    return app


def start_bench_api(env: dict[str, str], log: Path) -> tuple[Any, str]:
    """uvicorn serving `create_bench_app` on a free loopback port; its base URL."""
    port = free_port()
    command = [
        *(sys.executable, "-m", "uvicorn", "bench_load:create_bench_app", "--factory"),
        *("--app-dir", str(HERE), "--host", "127.0.0.1", "--port", str(port)),
        *("--no-access-log", "--log-level", "warning"),
    ]
    process = spawn(command, env, log)
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        if process.poll() is not None:
            return True
        try:
            return httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(healthy, timeout=60, what="the API")
    if process.poll() is not None:
        raise RuntimeError("the API exited at start; see its log under the temp folder")
    return process, base


def start_embedded_worker(env: dict[str, str], log: Path) -> Any:
    """The worker exactly as `peermatch run` starts it (threads, with beat), the queue
    declared first as it does (else the worker, beat and the API's relay race to create it)."""
    from services.core.broker import declare_queue

    declare_queue(env["BROKER_URL"])
    command = [
        *(sys.executable, "-m", "celery", "-A", "workers.app", "worker", "-B"),
        *("--pool=threads", "--concurrency=2", "--loglevel=INFO"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]
    process = spawn(command, env, log)
    wait_until(
        lambda: process.poll() is not None or "ready." in log.read_text(errors="replace"),
        timeout=120,
        what="the Celery worker",
    )
    if process.poll() is not None:
        raise RuntimeError("the Celery worker exited at start; see its log under the temp folder")
    return process


def bench_env(database_url: str, broker_url: str, tmp: Path) -> dict[str, str]:
    """The services' environment: the latency benchmark's, with the auth limits lifted."""
    env = service_env(database_url, broker_url, tmp)
    # Every simulated person comes from 127.0.0.1: the per-client limits would stop them.
    env.update(AUTH_CLIENT_LIMIT="1000000", LOGIN_FAILURE_LIMIT="1000000")
    return env


# --- the crowd -----------------------------------------------------------------------------


@dataclass
class Stats:
    """Everything measured for one setup."""

    calls: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: Counter[str] = field(default_factory=Counter)
    proposals: list[float] = field(default_factory=list)
    not_proposed: int = 0
    wall: float = 0.0
    people: int = 0
    reads: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    tokens: list[dict[str, str]] = field(default_factory=list)  # of people who got through
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, call: str, seconds: float) -> None:
        with self.lock:
            self.calls[call].append(seconds)

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures[what] += 1


class Failed(Exception):
    """A call answered something unexpected (already counted)."""


def call(
    stats: Stats,
    client: httpx.Client,
    name: str,
    method: str,
    url: str,
    expect: tuple[int, ...],
    **kwargs: Any,
) -> httpx.Response:
    """One timed request; a transport error or an unexpected status is counted and raised."""
    started = time.perf_counter()
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as error:
        stats.fail(f"{name}: {type(error).__name__}")
        raise Failed from error
    stats.record(name, time.perf_counter() - started)
    if response.status_code not in expect:
        stats.fail(f"{name}: {response.status_code}")
        raise Failed
    return response


def consent_version(base: str) -> str | None:
    """The current privacy notice's version (GET /privacy-notice), else the configured one."""
    for path in (f"{API}/privacy-notice", "/privacy-notice"):
        with contextlib.suppress(httpx.HTTPError, KeyError, ValueError):
            response = httpx.get(f"{base}{path}", timeout=10)
            if response.status_code == 200:
                return str(response.json()["version"])
    from services.core.settings import Settings

    version = getattr(Settings.model_fields.get("privacy_notice_version"), "default", None)
    if version is None:
        return None
    # A server that predates consent refuses the field: probe once with an untimed account.
    probe = {
        "email": f"probe-{uuid.uuid4().hex[:8]}@{ORGANIZATION}.example.org",
        "password": PASSWORD,
        "display_name": "Probe",
        "organization": ORGANIZATION,
        "consent_version": str(version),
    }
    response = httpx.post(f"{base}{API}/auth/register", json=probe, timeout=30)
    refused = response.status_code == 422 and "consent_version" in response.text
    return None if refused else str(version)


def mentor_body(k: int) -> dict[str, Any]:
    """A valid mentor profile (Portland), left awaiting vetting."""
    from tests.factories import mentor_body as body

    return body(alias=f"Mentor {k}")


def person(
    stats: Stats,
    base: str,
    k: int,
    profile: tuple[str, dict[str, Any]],
    version: str | None,
    tokens: list[dict[str, str]],
) -> None:
    """One person's visit, start to end; stops at the first failure (counted)."""
    role, body = profile
    email = f"crowd-{k}-{uuid.uuid4().hex[:8]}@{ORGANIZATION}.example.org"
    account: dict[str, Any] = {
        "email": email,
        "password": PASSWORD,
        "display_name": "Crowd member",
        "organization": ORGANIZATION,
    }
    if version is not None:
        account["consent_version"] = version
    with httpx.Client(base_url=base, timeout=120.0) as client:
        try:
            call(stats, client, "register", "POST", f"{API}/auth/register", (201,), json=account)
            token = call(
                stats,
                client,
                "login",
                "POST",
                f"{API}/auth/token",
                (200,),
                data={"username": email, "password": PASSWORD},
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            saved_at = time.perf_counter()
            call(
                stats,
                client,
                "save",
                "PUT",
                f"{API}/me/{role}-profile",
                (200, 201),
                json=body,
                headers=headers,
            )
            call(stats, client, "me", "GET", f"{API}/me", (200,), headers=headers)
            call(
                stats,
                client,
                "introductions",
                "GET",
                f"{API}/me/introductions",
                (200,),
                headers=headers,
            )
            with stats.lock:
                tokens.append(headers)
            if role != "mentee":
                return
            while time.perf_counter() - saved_at < PROPOSAL_TIMEOUT:
                found = call(
                    stats,
                    client,
                    "poll",
                    "GET",
                    f"{API}/me/introductions",
                    (200,),
                    params={"status": "proposed"},
                    headers=headers,
                )
                if found.json():
                    with stats.lock:
                        stats.proposals.append(time.perf_counter() - saved_at)
                    return
                time.sleep(PROPOSAL_POLL_SECONDS)
            with stats.lock:
                stats.not_proposed += 1
        except Failed:
            return


def crowd(stats: Stats, base: str, profiles: list[tuple[str, dict[str, Any]]], width: int) -> None:
    """Run every person, `width` at a time (a new person starts as soon as one is done)."""
    version = consent_version(base)
    tokens = stats.tokens
    queue = iter(enumerate(profiles))
    take = threading.Lock()

    def lane() -> None:
        while True:
            with take:
                item = next(queue, None)
            if item is None:
                return
            k, profile = item
            person(stats, base, k, profile, version, tokens)

    started = time.perf_counter()
    lanes = [threading.Thread(target=lane, name=f"lane-{n}") for n in range(width)]
    for thread in lanes:
        thread.start()
    for thread in lanes:
        thread.join()
    stats.wall = time.perf_counter() - started
    stats.people = len(profiles)


def reads(stats: Stats, base: str, clients: int, seconds: float) -> None:
    """Requests per second of the real reads and of the bare endpoint, alternating rounds."""
    tokens = stats.tokens
    if not tokens:
        return
    with httpx.Client(base_url=base, timeout=30) as client:
        for name, path in (("me", f"{API}/me"), ("introductions", f"{API}/me/introductions")):
            real = client.get(path, headers=tokens[0])
            real.raise_for_status()
            client.put(f"{BARE}/{name}", json=real.json()).raise_for_status()
    routes = {
        "GET /me": f"{API}/me",
        "bare /me": f"{BARE}/me",
        "GET /me/introductions": f"{API}/me/introductions",
        "bare /me/introductions": f"{BARE}/introductions",
    }
    for _round in range(2):
        for label, path in routes.items():
            stats.reads[label].append(rate(base, path, tokens, clients, seconds, stats))


def rate(
    base: str,
    path: str,
    tokens: list[dict[str, str]],
    clients: int,
    seconds: float,
    stats: Stats,
) -> float:
    """Requests per second from `clients` keep-alive clients hitting one path."""
    done = [0] * clients
    barrier = threading.Barrier(clients + 1)
    deadline: list[float] = [0.0]

    def hit(n: int) -> None:
        headers = tokens[n % len(tokens)]
        with httpx.Client(base_url=base, timeout=30) as client:
            client.get(path, headers=headers)  # connect before the clock starts
            barrier.wait()
            while time.perf_counter() < deadline[0]:
                try:
                    response = client.get(path, headers=headers)
                except httpx.HTTPError as error:
                    stats.fail(f"read {path}: {type(error).__name__}")
                    continue
                if response.status_code != 200:
                    stats.fail(f"read {path}: {response.status_code}")
                    continue
                done[n] += 1

    threads = [threading.Thread(target=hit, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + 3600
    barrier.wait()
    started = time.perf_counter()
    deadline[0] = started + seconds
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - started)


# --- the setups ----------------------------------------------------------------------------


def population(args: argparse.Namespace) -> tuple[list[dict[str, Any]], list[tuple[str, Any]]]:
    """The stored mentors and, per person, the profile they save (mentees all feasible)."""
    from services.matcher.synthetic import generate

    today = dt.datetime.now(dt.UTC).date()
    mentees_wanted = args.people - args.people // 4
    data = generate(
        max(4 * mentees_wanted, 200), args.mentors, seed=args.seed, reference_date=today
    )
    mentors = [normalize(r, "mentor") for r in data["mentors"]]
    candidates = [normalize(r, "mentee") for r in data["mentees"]]
    chosen, _looked = pick_samples(candidates, mentors, mentees_wanted, today)
    if len(chosen) < mentees_wanted:
        print(f"only {len(chosen)} generated mentees have a feasible mentor; using them")
    mentees = iter(chosen)
    profiles: list[tuple[str, Any]] = []
    for k in range(args.people):
        record = next(mentees, None) if k % 4 != 3 else None
        if record is not None:
            profiles.append(("mentee", mentee_body(record, f"Crowd {k}")))
        else:
            profiles.append(("mentor", mentor_body(k)))
    return mentors, profiles


@contextlib.contextmanager
def sqlite_setup(tmp: Path) -> Iterator[dict[str, Any]]:
    """The embedded default's URLs, files under `tmp`."""
    with contextlib.ExitStack() as cleanup:
        yield {
            "database_url": f"sqlite:///{tmp / 'peermatch.db'}",
            "broker_url": f"sqla+sqlite:///{tmp / 'broker.db'}",
            "cleanup": cleanup,
        }


def run_setup(name: str, args: argparse.Namespace, tmp: Path) -> Stats:
    """Start one setup, store the mentors, let the crowd in, compare the reads, stop it."""
    mentors, profiles = population(args)
    stats = Stats()
    setup = sqlite_setup if name == "sqlite" else stack
    with setup(tmp) as servers:
        cleanup: contextlib.ExitStack = servers["cleanup"]
        migrate(servers["database_url"])
        seed_population(servers["database_url"], [], mentors)
        env = bench_env(servers["database_url"], servers["broker_url"], tmp)
        starter = start_embedded_worker if name == "sqlite" else start_worker
        worker = starter(env, tmp / "worker.log")
        cleanup.callback(stop, worker)
        api, base = start_bench_api(env, tmp / "api.log")
        cleanup.callback(stop, api)
        print(f"{name}: {len(profiles)} people, {args.concurrency} at a time ...", flush=True)
        crowd(stats, base, profiles, args.concurrency)
        print(f"{name}: reads against the bare endpoint ...", flush=True)
        reads(stats, base, args.read_clients, args.read_seconds)
    return stats


# --- the report ----------------------------------------------------------------------------


def percentiles(seconds: list[float]) -> str:
    """'n, p50 ms, p95 ms' of a list of seconds."""
    if not seconds:
        return f"{0:>6} {'-':>9} {'-':>9}"
    p50, p95 = np.percentile(np.array(seconds) * 1000, [50, 95])
    return f"{len(seconds):>6,} {p50:>9,.1f} {p95:>9,.1f}"


def report(name: str, args: argparse.Namespace, stats: Stats) -> None:
    """Print one setup's figures."""
    total = sum(len(v) for v in stats.calls.values())
    print()
    print(
        f"== {name}: {stats.people} people, {args.concurrency} concurrent; {total:,} requests"
        f" in {stats.wall:.1f} s ({total / stats.wall:,.1f} req/s,"
        f" {stats.people / stats.wall:,.2f} people/s)"
    )
    print(f"{'call':<28} {'n':>6} {'p50 ms':>9} {'p95 ms':>9}")
    for call_name in CALLS:
        print(f"{call_name:<28} {percentiles(stats.calls.get(call_name, []))}")
    within = sum(1 for s in stats.proposals if s <= TARGET_P95_S)
    proposals = np.array(stats.proposals) if stats.proposals else None
    p95 = float(np.percentile(proposals, 95)) if proposals is not None else float("nan")
    p50 = float(np.percentile(proposals, 50)) if proposals is not None else float("nan")
    print(
        f"save -> proposal: {len(stats.proposals):,} proposed, p50 {p50:.2f} s, p95 {p95:.2f} s"
        f" (aim < {TARGET_P95_S:.0f} s), {within:,} within {TARGET_P95_S:.0f} s,"
        f" {stats.not_proposed:,} not proposed within {PROPOSAL_TIMEOUT:.0f} s"
    )
    failures = sum(stats.failures.values())
    detail = ", ".join(f"{k} x{v}" for k, v in sorted(stats.failures.items()))
    print(f"failures: {failures:,}" + (f" ({detail})" if detail else ""))
    if stats.reads:
        print(
            f"reads, {args.read_clients} clients, {args.read_seconds:.0f} s each,"
            " two alternating rounds (req/s):"
        )
        for real, bare in (
            ("GET /me", "bare /me"),
            ("GET /me/introductions", "bare /me/introductions"),
        ):
            shares = [r / b for r, b in zip(stats.reads[real], stats.reads[bare], strict=True)]
            print(
                f"  {real:<22} {' / '.join(f'{r:,.0f}' for r in stats.reads[real]):>13}"
                f"   bare {' / '.join(f'{b:,.0f}' for b in stats.reads[bare]):>13}"
                f"   share {' / '.join(f'{s:.0%}' for s in shares)}"
                f" (aim {TARGET_SHARE:.0%})"
            )


def main() -> int:
    """Parse the flags, run each setup, print its figures."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--people", type=int, default=200, help="simulated people")
    parser.add_argument("--concurrency", type=int, default=32, help="people at a time")
    parser.add_argument(
        "--only",
        choices=("sqlite", "postgres"),
        default=None,
        help="run one setup only (None: both)",
    )
    parser.add_argument("--mentors", type=int, default=300, help="approved mentors stored first")
    parser.add_argument("--read-clients", type=int, default=8, help="clients for the read test")
    parser.add_argument("--read-seconds", type=float, default=4.0, help="seconds per read round")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (logs)")
    args = parser.parse_args()
    if args.people < 1 or args.concurrency < 1 or args.read_clients < 1:
        parser.error("--people, --concurrency and --read-clients must be 1 or more")
    signal.signal(signal.SIGTERM, _interrupt)
    failed = 0
    for name in ("sqlite", "postgres"):
        if args.only not in (None, name):
            continue
        tmp = Path(tempfile.mkdtemp(prefix=f"peermatch-load-{name}-"))
        try:
            stats = run_setup(name, args, tmp)
        finally:
            if args.keep:
                print(f"temp folder kept: {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
        report(name, args, stats)
        failed += sum(stats.failures.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
