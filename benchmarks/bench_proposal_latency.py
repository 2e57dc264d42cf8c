"""Save-to-proposal latency over HTTP, with 10,000 profiles stored, against a global re-solve.

What is measured: the wall time from a member's `PUT /api/v1/me/mentee-profile` (sent over
HTTP) until `GET /api/v1/me/introductions?status=proposed` (polled over HTTP every 10 ms)
first returns a proposal. Everything in between is the production path, for real: the API
(uvicorn, one process) commits the profile with an outbox row, its relay thread publishes
`matching.profile_saved` to Redis, a Celery worker process (prefork, concurrency 2) runs
`match_profile` against PostgreSQL and commits the introduction. Target: p95 under 2 s.

Side by side, in the same run and on the same organization, the peer approach: re-solving
globally on every save. Its cost is one full batch run (`POST /api/v1/matching/runs`, polled
until `succeeded`), reported as the run's own `seconds` and the wall time seen by the client.

How: a fresh PostgreSQL (tests/support/postgres.py) and redis-server on free loopback ports,
all files under one temporary folder. The stored population (default 8,000 mentees and 2,000
approved mentors, from `services.matcher.synthetic.generate`) is bulk-inserted straight into
the database, so nothing is queued for it. The timed mentees come from the same generator
and are picked so that a feasible mentor with a free place exists for each; each is
registered and logged in over HTTP (not timed) before its save is timed, one at a time.
Everything started is stopped at the end, also on Ctrl-C or an error. No email, name, free
text or location is printed.

    .venv/bin/python benchmarks/bench_proposal_latency.py
    .venv/bin/python benchmarks/bench_proposal_latency.py --stored-mentees 8000 \
        --stored-mentors 2000 --samples 100 --seed 7
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

API = "/api/v1"
SECRET = "benchmark-secret-that-is-long-enough-for-hs256-0123456789"
PASSWORD = "benchmark password for everyone"
ORGANIZATION = "bench"
TARGET_P95_MS = 2000.0
POLL_SECONDS = 0.01
PROPOSAL_TIMEOUT = 30.0
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TASK_LINE = re.compile(r"Task matching\.profile_saved\[[^\]]+\] succeeded in ([0-9.eE+-]+)s")


# --- processes -----------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll `check` every 50 ms until it is true; raise after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def port_open(port: int) -> bool:
    """True when something accepts connections on 127.0.0.1:port."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a process in its own session (so we can stop its whole group), output to log."""
    with log.open("ab") as sink:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """SIGTERM the main process (a warm shutdown), then SIGKILL whatever of its group is left."""
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    """redis-server on a free loopback port, no persistence."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    command = [
        shutil.which("redis-server") or "/usr/bin/redis-server",
        *("--bind", "127.0.0.1", "--port", str(port)),
        *("--save", "", "--appendonly", "no", "--dir", str(workdir)),
    ]
    process = spawn(command, dict(os.environ), workdir / "redis.log")
    wait_until(
        lambda: port_open(port) or process.poll() is not None, timeout=30, what="redis-server"
    )
    if process.poll() is not None:
        raise RuntimeError("redis-server did not start; see its log under the temp folder")
    return process, port


def migrate(url: str) -> None:
    """Run every migration up to head, as `alembic upgrade head` would."""
    from alembic.config import Config

    from alembic import command

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def create_database(host: str, port: int, user: str, name: str) -> str:
    """CREATE DATABASE on the fresh server; the SQLAlchemy URL of it."""
    import psycopg

    with psycopg.connect(
        host=host, port=port, user=user, dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://{user}@{host}:{port}/{name}"


def service_env(database_url: str, broker_url: str, tmp: Path) -> dict[str, str]:
    """The environment the API and the worker run with."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "BROKER_URL", "SECRET_KEY")
    }
    env.update(
        DATABASE_URL=database_url,
        BROKER_URL=broker_url,
        SECRET_KEY=SECRET,
        ENVIRONMENT="test",
        DEFAULT_ORGANIZATION=ORGANIZATION,
        OUTBOX_RELAY="true",
        OUTBOX_RELAY_SECONDS="0.2",
        MAIL_DIR=str(tmp / "mail"),
        EMAIL_BACKEND="file",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A Celery worker process, prefork with two children, as in production."""
    command = [
        *(sys.executable, "-m", "celery", "-A", "workers.app", "worker"),
        *("--pool=prefork", "--concurrency=2", "--loglevel=INFO"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        *("-n", f"bench-{uuid.uuid4().hex[:6]}@%h"),
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


def start_api(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """uvicorn serving the app factory on a free loopback port; its base URL."""
    port = free_port()
    command = [
        *(sys.executable, "-m", "uvicorn", "services.api.app:create_app", "--factory"),
        *("--host", "127.0.0.1", "--port", str(port)),
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


# --- the population ------------------------------------------------------------------------


def clean_availability(windows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Drop windows that overlap an earlier one on the same day (the API refuses overlaps)."""
    kept: list[dict[str, str]] = []
    for window in windows:
        clash = any(
            other["day"] == window["day"]
            and window["start"] < other["end"]
            and other["start"] < window["end"]
            for other in kept
        )
        if not clash:
            kept.append(window)
    return sorted(kept, key=lambda w: (DAYS.index(w["day"]), w["start"]))


def normalize(record: dict[str, Any], role: str) -> dict[str, Any]:
    """A generator record as the service stores it: coarsened place, no overlapping windows."""
    out = dict(record)
    out["availability"] = clean_availability(record["availability"])
    out.setdefault("max_distance_km", 25)
    if "location" in record:
        out["location"] = {
            "latitude": round(record["location"]["latitude"], 2),
            "longitude": round(record["location"]["longitude"], 2),
        }
    if role == "mentor":
        out["active_mentees"] = 0  # nothing is proposed in the database yet
    return out


def profile_row(
    record: dict[str, Any],
    role: str,
    *,
    user_id: uuid.UUID,
    organization_id: uuid.UUID,
    alias: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """A `profiles` row for a normalized generator record."""
    location = record.get("location")
    recovery = record.get("recovery_date")
    mentor = role == "mentor"
    return {
        "id": uuid.uuid4(),
        "user_id": user_id,
        "organization_id": organization_id,
        "role": role,
        "alias": alias,
        "gender": record["gender"],
        "gender_preference": list(record["gender_preference"]),
        "pathways": list(record["pathways"]),
        "recovery_date": dt.date.fromisoformat(recovery) if recovery else None,
        "languages": list(record["languages"]),
        "latitude": location["latitude"] if location else None,
        "longitude": location["longitude"] if location else None,
        "max_distance_km": int(record["max_distance_km"]),
        "meeting_format": record["meeting_format"],
        "timezone": record["timezone"],
        "availability": list(record["availability"]),
        "interests": list(record.get("interests", [])),
        "about": record.get("about", ""),
        "capacity": int(record["capacity"]) if mentor else None,
        "paused": False,
        "vetting_status": "approved" if mentor else None,
        "vetted_at": now if mentor else None,
        "waiting_since": None
        if mentor
        else now - dt.timedelta(days=int(record.get("waiting_days", 0))),
        "created_at": now,
        "updated_at": now,
    }


def seed_population(
    database_url: str, mentees: list[dict[str, Any]], mentors: list[dict[str, Any]]
) -> tuple[float, str]:
    """Create the organization and its coordinator, then bulk-insert users and profiles."""
    from sqlalchemy import insert

    from services.core.accounts.security import hash_password
    from services.core.accounts.service import create_coordinator
    from services.core.db import make_engine, make_session_factory, transaction
    from services.core.models import Profile, User

    started = time.perf_counter()
    engine = make_engine(database_url)
    try:
        factory = make_session_factory(engine)
        coordinator_email = f"coordinator@{ORGANIZATION}.example.org"
        with transaction(factory) as session:
            coordinator = create_coordinator(
                session=session,
                email=coordinator_email,
                password=PASSWORD,
                organization=ORGANIZATION,
            )
            organization_id = coordinator.organization_id
        password_hash = hash_password(PASSWORD)  # once, shared by every stored account
        now = dt.datetime.now(dt.UTC)
        users: list[dict[str, Any]] = []
        profiles: list[dict[str, Any]] = []
        for role, records in (("mentee", mentees), ("mentor", mentors)):
            for k, record in enumerate(records):
                user_id = uuid.uuid4()
                users.append(
                    {
                        "id": user_id,
                        "email": f"stored-{role}-{k}@{ORGANIZATION}.example.org",
                        "password_hash": password_hash,
                        "display_name": "Stored member",
                        "role": "member",
                        "organization_id": organization_id,
                        "created_at": now,
                    }
                )
                profiles.append(
                    profile_row(
                        record,
                        role,
                        user_id=user_id,
                        organization_id=organization_id,
                        alias=f"{role[0].upper()}{k}",
                        now=now,
                    )
                )
        with transaction(factory) as session:
            for start in range(0, len(users), 2000):
                session.execute(insert(User), users[start : start + 2000])
            for start in range(0, len(profiles), 2000):
                session.execute(insert(Profile), profiles[start : start + 2000])
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    finally:
        engine.dispose()
    return time.perf_counter() - started, coordinator_email


def pick_samples(
    candidates: list[dict[str, Any]],
    mentors: list[dict[str, Any]],
    wanted: int,
    today: dt.date,
) -> tuple[list[dict[str, Any]], int]:
    """The first `wanted` candidates with a feasible mentor left, placing each in turn."""
    from services.matcher import PartnerIndex, parse_participant

    people = [parse_participant(m, "mentor", today) for m in mentors]
    index = PartnerIndex.for_mentors(people, reference_date=today)
    remaining = {p.id: p.capacity for p in people}
    picked: list[dict[str, Any]] = []
    looked = 0
    for record in candidates:
        if len(picked) == wanted:
            break
        looked += 1
        found = index.best_partner(parse_participant(record, "mentee", today))
        if found is None:
            continue
        remaining[found.partner_id] -= 1
        index.set_remaining(found.partner_id, remaining[found.partner_id])
        picked.append(record)
    return picked, looked


def mentee_body(record: dict[str, Any], alias: str) -> dict[str, Any]:
    """The JSON body of `PUT /me/mentee-profile` for a normalized generator record."""
    body: dict[str, Any] = {
        "alias": alias,
        "gender": record["gender"],
        "gender_preference": record["gender_preference"],
        "pathways": record["pathways"],
        "recovery_date": record.get("recovery_date"),
        "languages": record["languages"],
        "location": record.get("location"),
        "max_distance_km": record["max_distance_km"],
        "meeting_format": record["meeting_format"],
        "timezone": record["timezone"],
        "availability": record["availability"],
        "interests": record.get("interests", []),
        "about": record.get("about", ""),
    }
    return body


# --- the measurements ----------------------------------------------------------------------


@dataclass
class Sample:
    """One timed save: how long until the proposal was visible, and the PUT alone."""

    save_ms: float
    total_ms: float | None  # None: no proposal within the timeout
    polls: int


@dataclass
class Results:
    """Everything the report prints."""

    samples: list[Sample] = field(default_factory=list)
    warmups: int = 0
    batch: dict[str, Any] = field(default_factory=dict)
    batch_wall: float = 0.0
    login_retries: int = 0  # a 401 just after a 201 registration (see `register`)


def login(client: httpx.Client, email: str) -> dict[str, str]:
    """Log in over HTTP; the Authorization header."""
    response = client.post(f"{API}/auth/token", data={"username": email, "password": PASSWORD})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def register(client: httpx.Client, k: int, results: Results) -> dict[str, str]:
    """Register a new member of the organization over HTTP and log in (not timed).

    The API commits a request's transaction only after its response was sent, so a login
    right after the 201 can miss the new account: such a 401 is retried and counted.
    """
    email = f"new-mentee-{k}-{uuid.uuid4().hex[:6]}@{ORGANIZATION}.example.org"
    response = client.post(
        f"{API}/auth/register",
        json={
            "email": email,
            "password": PASSWORD,
            "display_name": "New member",
            "organization": ORGANIZATION,
        },
    )
    if response.status_code != 201:
        raise RuntimeError(f"registration answered {response.status_code}")
    deadline = time.monotonic() + 10
    while True:
        try:
            return login(client, email)
        except httpx.HTTPStatusError as error:
            if error.response.status_code != 401 or time.monotonic() > deadline:
                raise
            results.login_retries += 1
            time.sleep(0.05)


def time_one(client: httpx.Client, headers: dict[str, str], body: dict[str, Any]) -> Sample:
    """PUT the profile, then poll for a proposal every 10 ms; the times seen by the client."""
    started = time.perf_counter()
    response = client.put(f"{API}/me/mentee-profile", json=body, headers=headers)
    saved = time.perf_counter()
    if response.status_code not in (200, 201):
        raise RuntimeError(f"saving a profile answered {response.status_code}")
    polls = 0
    while True:
        polls += 1
        found = client.get(
            f"{API}/me/introductions", params={"status": "proposed"}, headers=headers
        )
        found.raise_for_status()
        now = time.perf_counter()
        if found.json():
            return Sample((saved - started) * 1000, (now - started) * 1000, polls)
        if now - started > PROPOSAL_TIMEOUT:
            return Sample((saved - started) * 1000, None, polls)
        time.sleep(POLL_SECONDS)


def batch_run(
    client: httpx.Client, headers: dict[str, str], timeout: float
) -> tuple[dict[str, Any], float]:
    """Start a full matching run and poll it until it is done; its record and wall seconds."""
    started = time.perf_counter()
    response = client.post(f"{API}/matching/runs", headers=headers)
    if response.status_code != 202:
        raise RuntimeError(f"starting a matching run answered {response.status_code}")
    run_id = response.json()["id"]
    while True:
        run = client.get(f"{API}/matching/runs/{run_id}", headers=headers)
        run.raise_for_status()
        record: dict[str, Any] = run.json()
        if record["status"] in ("succeeded", "failed"):
            return record, time.perf_counter() - started
        if time.perf_counter() - started > timeout:
            record["status"] = f"{record['status']} (gave up after {timeout:.0f} s)"
            return record, time.perf_counter() - started
        time.sleep(0.1)


# --- the report ----------------------------------------------------------------------------


def table(rows: list[list[str]], header: list[str]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]

    def line(cells: list[str]) -> str:
        parts = [
            cell.ljust(widths[c]) if c == 0 else cell.rjust(widths[c])
            for c, cell in enumerate(cells)
        ]
        return "| " + " | ".join(parts) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def spread(values: list[float]) -> list[str]:
    """n, p50, p95, p99, max and mean of milliseconds, formatted."""
    if not values:
        return ["0", "-", "-", "-", "-", "-"]
    ms = np.array(values)
    figures = [*np.percentile(ms, [50, 95, 99]), ms.max(), ms.mean()]
    return [f"{len(ms):,}", *(f"{f:,.1f}" for f in figures)]


def report(
    args: argparse.Namespace, results: Results, task_seconds: list[float], seeded: float
) -> None:
    """Print the figures as tables; nothing personal."""
    stored = args.stored_mentees + args.stored_mentors
    seen = [s.total_ms for s in results.samples if s.total_ms is not None]
    timeouts = sum(s.total_ms is None for s in results.samples)
    p95 = float(np.percentile(seen, 95)) if seen else float("inf")
    print()
    print("PeerMatch: save a mentee profile (HTTP) -> its proposal visible (HTTP)")
    python = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else ""
    print("command: " + shlex.join([python or sys.executable, *sys.argv]))
    print(
        "stack: PostgreSQL + Redis on 127.0.0.1, uvicorn API (outbox relay 0.2 s),"
        f" Celery worker prefork x2; {os.cpu_count()} CPUs"
    )
    print()
    print(
        table(
            [
                [
                    "stored profiles",
                    f"{stored:,} ({args.stored_mentees:,} mentees"
                    f" + {args.stored_mentors:,} approved mentors)",
                ],
                ["population seeded in", f"{seeded:.1f} s (bulk insert, nothing queued)"],
                ["samples (timed, one at a time)", f"{len(results.samples):,}"],
                ["warm-up saves (not timed)", f"{results.warmups:,}"],
                ["proposals seen", f"{len(seen):,} of {len(results.samples):,}"],
                [f"timeouts (> {PROPOSAL_TIMEOUT:.0f} s)", f"{timeouts:,}"],
                ["login 401 just after register (retried)", f"{results.login_retries:,}"],
                [
                    f"p95 target < {TARGET_P95_MS:,.0f} ms",
                    f"{'MET' if p95 < TARGET_P95_MS else 'MISSED'} (p95 {p95:,.1f} ms)",
                ],
            ],
            ["run", "value"],
        )
    )
    print()
    rows = [
        ["save -> proposal visible", *spread(seen)],
        ["  PUT mentee-profile alone", *spread([s.save_ms for s in results.samples])],
        ["  worker task (profile_saved)", *spread([t * 1000 for t in task_seconds])],
    ]
    print(table(rows, ["latency (ms)", "n", "p50", "p95", "p99", "max", "mean"]))
    polls = [s.polls for s in results.samples]
    print(
        "worker task times are Celery's own, from the worker's log (warm-up saves included);"
        f" GET polls per sample: median {np.median(polls) if polls else 0:.0f}"
    )
    print()
    batch = results.batch
    seconds = batch.get("seconds")
    tasks_ms = [seconds * 1000 for seconds in task_seconds]
    wall_ms = f"{results.batch_wall * 1000:,.1f}"
    print(
        table(
            [
                [
                    "incremental: save -> proposal (HTTP)",
                    f"{len(seen):,}",
                    *pct_pair(seen),
                    pct_pair(tasks_ms)[0],
                    "1 each",
                    f"{len(seen):,}",
                ],
                [
                    "peer: full batch run (re-solve all)",
                    "1",
                    wall_ms,
                    wall_ms,
                    "-" if seconds is None else f"{seconds * 1000:,.1f}",
                    f"{batch.get('mentees_considered', 0):,}",
                    f"{batch.get('proposals_created', 0):,}",
                ],
            ],
            [
                "side by side, same organization",
                "runs",
                "p50 ms",
                "p95 ms",
                "server ms",
                "mentees",
                "proposals",
            ],
        )
    )
    print(
        f"peer run status: {batch.get('status', '-')}; wall = POST /matching/runs until GET"
        " says succeeded (polled every 100 ms); server ms = the run's own `seconds`;"
        " incremental server ms = p50 of the worker task"
    )
    if seen and results.batch_wall:
        factor = results.batch_wall * 1000 / float(np.percentile(seen, 50))
        print(
            f"re-solving globally on every save would cost about {factor:,.0f}x the median"
            " incremental latency (wall time of one batch run vs p50 of one save)"
        )


def pct_pair(values: list[float]) -> list[str]:
    """p50 and p95 of milliseconds, formatted."""
    if not values:
        return ["-", "-"]
    p50, p95 = np.percentile(np.array(values), [50, 95])
    return [f"{p50:,.1f}", f"{p95:,.1f}"]


def task_times(log: Path) -> list[float]:
    """Seconds each `matching.profile_saved` task took, read from the worker's log."""
    return [float(m) for m in TASK_LINE.findall(log.read_text(errors="replace"))]


# --- main ----------------------------------------------------------------------------------


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    """Turn SIGTERM into an exception so every `finally` runs and everything is stopped."""
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def stack(tmp: Path) -> Iterator[dict[str, Any]]:
    """PostgreSQL and Redis on loopback, stopped (and their files removed) on the way out."""
    from tests.support.postgres import start_postgres

    with contextlib.ExitStack() as cleanup:
        server = start_postgres(tmp / "postgres")
        cleanup.callback(server.stop)
        redis, redis_port = start_redis(tmp / "redis")
        cleanup.callback(stop, redis)
        database_url = create_database(server.host, server.port, server.user, "peermatch_bench")
        yield {
            "database_url": database_url,
            "broker_url": f"redis://127.0.0.1:{redis_port}/0",
            "cleanup": cleanup,
        }


def main() -> int:
    """Set up the stack, store the population, time the samples, run the peer, report."""
    from services.matcher.synthetic import generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored-mentees", type=int, default=8_000)
    parser.add_argument("--stored-mentors", type=int, default=2_000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=2, help="untimed saves before timing")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch-timeout", type=float, default=900.0)
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (logs)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _interrupt)

    today = dt.datetime.now(dt.UTC).date()
    wanted = args.samples + args.warmup
    pool = max(4 * wanted, 200)
    data = generate(
        args.stored_mentees + pool, args.stored_mentors, seed=args.seed, reference_date=today
    )
    mentees = [normalize(r, "mentee") for r in data["mentees"]]
    mentors = [normalize(r, "mentor") for r in data["mentors"]]
    stored_mentees, candidates = mentees[: args.stored_mentees], mentees[args.stored_mentees :]
    chosen, looked = pick_samples(candidates, mentors, wanted, today)
    if len(chosen) < wanted:
        print(f"only {len(chosen)} of {looked} candidate mentees have a feasible mentor")
    print(
        f"{len(chosen)} new mentees with a feasible mentor, picked from {looked} generated;"
        " starting PostgreSQL, Redis, the worker and the API ...",
        flush=True,
    )

    tmp = Path(tempfile.mkdtemp(prefix="peermatch-bench-"))
    results = Results()
    task_seconds: list[float] = []
    try:
        with stack(tmp) as servers:
            cleanup: contextlib.ExitStack = servers["cleanup"]
            migrate(servers["database_url"])
            seeded, coordinator_email = seed_population(
                servers["database_url"], stored_mentees, mentors
            )
            print(f"stored {len(stored_mentees) + len(mentors):,} profiles in {seeded:.1f} s")
            env = service_env(servers["database_url"], servers["broker_url"], tmp)
            worker_log = tmp / "worker.log"
            worker = start_worker(env, worker_log)
            cleanup.callback(stop, worker)
            api, base = start_api(env, tmp / "api.log")
            cleanup.callback(stop, api)
            with httpx.Client(base_url=base, timeout=120.0) as client:
                for k, record in enumerate(chosen):
                    headers = register(client, k, results)
                    sample = time_one(client, headers, mentee_body(record, f"New {k}"))
                    if k < args.warmup:
                        results.warmups += 1
                        continue
                    results.samples.append(sample)
                    done = len(results.samples)
                    if done % 10 == 0 or done == args.samples:
                        print(f"  {done}/{args.samples} samples", flush=True)
                print("peer: full batch matching run ...", flush=True)
                coordinator = login(client, coordinator_email)
                results.batch, results.batch_wall = batch_run(
                    client, coordinator, args.batch_timeout
                )
            task_seconds = task_times(worker_log)
    finally:
        if args.keep:
            print(f"temp folder kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    report(args, results, task_seconds, seeded)
    return 0


if __name__ == "__main__":
    sys.exit(main())
