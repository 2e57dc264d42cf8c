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

Burst mode (`--burst N`, off by default): after the sequential samples and the batch run
(or after the batch run alone with `--samples 0`), `--workers W` worker processes run in
total (default 3: the first one plus W - 1 more, same command, each with its own name and
log), and the benchmark waits until the outbox is relayed and no task is queued or running
(the batch run's proposals queue thousands of notifications). N new mentees are then
registered and logged in (not timed), and their N saves are fired at the same moment: one
thread per mentee, each with its own HTTP client, all released by one barrier. For each
mentee: the time from the moment its PUT was sent until its proposal is first visible
(polled every 20 ms, for at most 30 s), and the PUT alone. The burst runs after the batch
run so that the organization is settled: whoever of the stored mentees could be placed
was, so no waiting mentee is placed ahead of the burst ("who waited longer is proposed
first") and takes its places. The N mentees come from their own generated pool (seed + 1)
and are picked together against the free places read from the database just before the
burst, so that each is sure to find a free feasible place in whatever order the workers
take them: the free places of each picked mentee's feasible mentors outnumber the other
picked (or waiting) mentees who could take one of them. When fewer than N such mentees
exist, the number that could be guaranteed is printed and used.

    .venv/bin/python benchmarks/bench_proposal_latency.py
    .venv/bin/python benchmarks/bench_proposal_latency.py --stored-mentees 8000 \
        --stored-mentors 2000 --samples 100 --seed 7
    .venv/bin/python benchmarks/bench_proposal_latency.py --samples 0 --burst 50 --workers 3
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
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import numpy as np

from services.core.settings import Settings

NOTICE_VERSION = Settings.model_fields["privacy_notice_version"].default

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
BURST_POLL_SECONDS = 0.25
BURST_WITHIN_MS = 5000.0
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TASK_LINE = re.compile(r"Task matching\.profile_saved\[[^\]]+\] succeeded in ([0-9.eE+-]+)s")
RETRY_LINE = re.compile(r"Task matching\.profile_saved\[[^\]]+\] retry:")
MISSED_LINE = re.compile(r"no proposal for mentee\(s\)")
ERROR_LINE = re.compile(r"\b(ERROR|CRITICAL)\b|Traceback")


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
            "consent_version": NOTICE_VERSION,
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


# --- the burst -----------------------------------------------------------------------------


@dataclass
class BurstPick:
    """What the burst's mentees were picked against: the free places just before it."""

    free_mentors: int = 0
    free_places: int = 0
    waiting: int = 0  # mentees waiting in the database (holding nothing)
    rivals: int = 0  # of them, with a free feasible place: they could take a burst place
    looked: int = 0
    reachable: int = 0  # looked-at candidates with at least one free feasible place
    wanted: int = 0


@dataclass
class BurstSample:
    """One mentee of the burst: when its PUT was sent, the PUT alone, until its proposal."""

    sent: float = 0.0  # perf_counter when the PUT was sent
    save_ms: float | None = None
    total_ms: float | None = None  # None: no proposal within PROPOSAL_TIMEOUT
    polls: int = 0
    error: str | None = None
    later: bool = False  # proposed after the timeout (one last look once all are done)


@dataclass
class Burst:
    """Everything the burst section prints."""

    workers: int = 0
    pick: BurstPick = field(default_factory=BurstPick)
    samples: list[BurstSample] = field(default_factory=list)
    after_seed: float = 0.0  # seconds from the end of seeding to the burst's barrier
    tasks: list[int] = field(default_factory=list)  # profile_saved tasks per worker, in it
    task_ms: list[float] = field(default_factory=list)
    retries: int = 0
    missed: int = 0
    errors: int = 0
    login_retries: int = 0
    drain_seconds: float = 0.0  # waited before the burst for the workers to be idle
    drained: int = 0  # the most tasks seen waiting then


def pick_burst(
    database_url: str,
    coordinator_email: str,
    candidates: list[dict[str, Any]],
    wanted: int,
    today: dt.date,
) -> tuple[list[dict[str, Any]], BurstPick]:
    """Up to `wanted` candidates sure to be proposed whatever order the workers take them.

    The free places are read from the database as the worker sees them (vetted, unpaused
    mentors; capacity less open proposals and active mentorships). `pick_samples` places
    its picks one after another in its own order against every stored mentor's full
    capacity; a burst is placed in whatever order the tasks get the organization's lock,
    after other saves and a batch run took places. So a candidate is taken only if the
    free places of its feasible mentors exceed the number of others (picked mentees, and
    waiting mentees with a free feasible place) who share one of those mentors, and only
    if every earlier pick still satisfies this with the candidate added.
    """
    from sqlalchemy import select

    from services.core.db import make_engine, make_session_factory, transaction
    from services.core.matching.eligibility import eligible_mentees, eligible_mentors
    from services.core.matching.participants import to_participant
    from services.core.models import User
    from services.matcher import Problem, parse_participant
    from services.matcher.encoding import encode_problem
    from services.matcher.feasibility import feasible_pairs

    engine = make_engine(database_url)
    try:
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            organization_id = session.scalar(
                select(User.organization_id).where(User.email == coordinator_email)
            )
            # Vetted, unpaused mentors with a free place, as the worker sees them.
            mentors = [
                to_participant(m, holding=load, today=today)
                for m, load in eligible_mentors(session=session, organization_id=organization_id)
            ]
            waiting = [
                to_participant(m, today=today)
                for m in eligible_mentees(session=session, organization_id=organization_id)
            ]
    finally:
        engine.dispose()
    pick = BurstPick(
        free_mentors=len(mentors),
        free_places=sum(m.remaining_capacity for m in mentors),
        waiting=len(waiting),
        wanted=wanted,
    )
    people = [parse_participant(r, "mentee", today) for r in candidates]
    if not mentors or not people:
        return [], pick
    problem = Problem(reference_date=today, mentees=(*waiting, *people), mentors=tuple(mentors))
    encoded = encode_problem(problem)
    i, j = feasible_pairs(encoded, open_mentors_only=True)
    reach = np.zeros((encoded.mentees.n, encoded.mentors.n), dtype=bool)
    reach[i, j] = True
    places = encoded.mentors.remaining.astype(np.int64)
    rivals = reach[: len(waiting)]
    rivals = rivals[rivals.any(axis=1)]
    pick.rivals = len(rivals)
    mine_all = reach[len(waiting) :]
    # For each candidate: how many waiting mentees share one of its free feasible mentors.
    rival_counts = (
        ((mine_all.astype(np.float32) @ rivals.T.astype(np.float32)) > 0).sum(axis=1)
        if len(rivals)
        else np.zeros(len(people), dtype=np.int64)
    )
    chosen: list[int] = []  # rows into `people`
    need: list[int] = []  # for each pick: 1 + others who could take one of its places
    has: list[int] = []  # for each pick: free places of its feasible mentors
    for k in range(len(people)):
        if len(chosen) == wanted:
            break
        pick.looked += 1
        mine = mine_all[k]
        own = int(places[mine].sum())
        if own == 0:
            continue
        pick.reachable += 1
        shared = [n for n, c in enumerate(chosen) if (mine_all[c] & mine).any()]
        rival_count = int(rival_counts[k])
        if own < 1 + rival_count + len(shared):
            continue
        if any(has[n] < need[n] + 1 for n in shared):
            continue
        for n in shared:
            need[n] += 1
        chosen.append(k)
        need.append(1 + rival_count + len(shared))
        has.append(own)
    return [candidates[k] for k in chosen], pick


def wait_idle(database_url: str, broker_url: str, timeout: float) -> tuple[float, int]:
    """Wait until the outbox is relayed and no task waits in the broker or is being run.

    Seconds waited, and the most tasks seen waiting (the batch run's notifications).
    """
    import redis
    from sqlalchemy import func, select

    from services.core.db import make_engine
    from services.core.models import OutboxMessage

    started = time.perf_counter()
    most = 0
    quiet = 0
    engine = make_engine(database_url)
    broker = redis.Redis.from_url(broker_url)
    try:
        while quiet < 3:  # idle three times in a row, 0.5 s apart
            with engine.connect() as connection:
                outbox = connection.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.dispatched_at.is_(None))
                )
            queued = sum(int(broker.llen(key)) for key in broker.scan_iter("peermatch*"))
            running = int(broker.hlen("unacked"))
            most = max(most, queued + running)
            quiet = quiet + 1 if not (outbox or queued or running) else 0
            if time.perf_counter() - started > timeout:
                print(f"burst: the queue did not drain in {timeout:.0f} s; going on", flush=True)
                break
            time.sleep(0.5)
    finally:
        broker.close()
        engine.dispose()
    return time.perf_counter() - started, most


def burst_one(
    base: str,
    headers: dict[str, str],
    body: dict[str, Any],
    barrier: threading.Barrier,
    sample: BurstSample,
) -> None:
    """One mentee's thread: connect, wait at the barrier, PUT, poll for its proposal."""
    try:
        with httpx.Client(base_url=base, timeout=120.0) as client:
            client.get("/healthz").raise_for_status()  # connected before the start
            barrier.wait()
            started = sample.sent = time.perf_counter()
            response = client.put(f"{API}/me/mentee-profile", json=body, headers=headers)
            sample.save_ms = (time.perf_counter() - started) * 1000
            if response.status_code not in (200, 201):
                sample.error = f"PUT answered {response.status_code}"
                return
            while True:
                sample.polls += 1
                found = client.get(
                    f"{API}/me/introductions", params={"status": "proposed"}, headers=headers
                )
                found.raise_for_status()
                now = time.perf_counter()
                if found.json():
                    sample.total_ms = (now - started) * 1000
                    return
                if now - started > PROPOSAL_TIMEOUT:
                    return
                time.sleep(BURST_POLL_SECONDS)
    except threading.BrokenBarrierError:
        sample.error = sample.error or "barrier broken"
    except Exception as error:  # counted and shown by type only
        sample.error = type(error).__name__
        barrier.abort()


def run_burst(
    args: argparse.Namespace,
    client: httpx.Client,
    base: str,
    env: dict[str, str],
    tmp: Path,
    cleanup: contextlib.ExitStack,
    database_url: str,
    coordinator_email: str,
    seeded_at: float,
    today: dt.date,
) -> Burst:
    """Start the other workers, pick and register the mentees, fire all saves at once."""
    burst = Burst(workers=args.workers)
    registered = Results()  # only for its count of login retries
    logs = [tmp / "worker.log"] + [tmp / f"worker-{k}.log" for k in range(2, args.workers + 1)]
    print(f"burst: starting {args.workers - 1} more worker process(es) ...", flush=True)
    for log in logs[1:]:
        cleanup.callback(stop, start_worker(env, log))
    # The batch run's proposals queued notifications: let them go out first, so the burst
    # meets idle workers and the free places are final.
    burst.drain_seconds, burst.drained = wait_idle(
        database_url, env["BROKER_URL"], args.batch_timeout
    )
    print(
        f"burst: waited {burst.drain_seconds:.1f} s for the workers to be idle"
        f" (up to {burst.drained:,} tasks waiting)",
        flush=True,
    )
    before = [log.stat().st_size for log in logs]  # what the logs held before the burst
    pool = max(50 * args.burst, 5000)
    generated = generate_mentees(pool, args.seed + 1, today)
    chosen, pick = pick_burst(database_url, coordinator_email, generated, args.burst, today)
    burst.pick = pick
    print(
        f"burst: {pick.free_places:,} free places at {pick.free_mentors:,} mentors;"
        f" {pick.rivals:,} of {pick.waiting:,} waiting mentees could still take one;"
        f" {len(chosen)} of {pick.looked:,} generated mentees picked"
        f" ({pick.reachable:,} had a free feasible place)",
        flush=True,
    )
    if len(chosen) < args.burst:
        print(
            f"burst: only {len(chosen)} of {args.burst} saves can be guaranteed a free"
            f" feasible place in any order; the burst is {len(chosen)} saves",
            flush=True,
        )
    if not chosen:
        return burst
    people = [
        (register(client, 100_000 + k, registered), mentee_body(record, f"Burst {k}"))
        for k, record in enumerate(chosen)
    ]
    burst.login_retries = registered.login_retries
    print(f"burst: {len(people)} mentees registered; firing all saves at once ...", flush=True)
    barrier = threading.Barrier(len(people), timeout=120)
    burst.samples = [BurstSample() for _ in people]
    threads = [
        threading.Thread(target=burst_one, args=(base, headers, body, barrier, sample), daemon=True)
        for (headers, body), sample in zip(people, burst.samples, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = [s.sent for s in burst.samples if s.sent]
    burst.after_seed = (min(sent) - seeded_at) if sent else 0.0
    for (headers, _), sample in zip(people, burst.samples, strict=True):
        if sample.total_ms is None and sample.error is None:
            found = client.get(
                f"{API}/me/introductions", params={"status": "proposed"}, headers=headers
            )
            sample.later = found.status_code == 200 and bool(found.json())
    time.sleep(1.0)  # let the last task lines reach the logs
    for log, offset in zip(logs, before, strict=True):
        with log.open("rb") as handle:
            handle.seek(offset)
            text = handle.read().decode(errors="replace")
        times = [float(m) for m in TASK_LINE.findall(text)]
        burst.tasks.append(len(times))
        burst.task_ms.extend(t * 1000 for t in times)
        burst.retries += len(RETRY_LINE.findall(text))
        burst.missed += len(MISSED_LINE.findall(text))
        burst.errors += len(ERROR_LINE.findall(text))
    return burst


def generate_mentees(n: int, seed: int, today: dt.date) -> list[dict[str, Any]]:
    """`n` normalized mentees of their own generated pool (no mentors)."""
    from services.matcher.synthetic import generate

    data = generate(n, 0, seed=seed, reference_date=today)
    return [normalize(r, "mentee") for r in data["mentees"]]


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
    seen = [s.total_ms for s in results.samples if s.total_ms is not None]
    timeouts = sum(s.total_ms is None for s in results.samples)
    p95 = float(np.percentile(seen, 95)) if seen else float("inf")
    print_header()
    print(
        table(
            [
                *population_rows(args, seeded),
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


def population_rows(args: argparse.Namespace, seeded: float) -> list[list[str]]:
    """The report's first rows: what was stored, and how long that took."""
    stored = args.stored_mentees + args.stored_mentors
    return [
        [
            "stored profiles",
            f"{stored:,} ({args.stored_mentees:,} mentees"
            f" + {args.stored_mentors:,} approved mentors)",
        ],
        ["population seeded in", f"{seeded:.1f} s (bulk insert, nothing queued)"],
    ]


def print_header() -> None:
    """The report's title, command line and stack."""
    print()
    print("PeerMatch: save a mentee profile (HTTP) -> its proposal visible (HTTP)")
    python = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else ""
    print("command: " + shlex.join([python or sys.executable, *sys.argv]))
    print(
        "stack: PostgreSQL + Redis on 127.0.0.1, uvicorn API (outbox relay 0.2 s),"
        f" Celery worker prefork x2; {os.cpu_count()} CPUs"
    )
    print()


def report_setup(args: argparse.Namespace, results: Results, seeded: float) -> None:
    """The short report of a burst-only run: the stored population and the batch run."""
    batch = results.batch
    seconds = batch.get("seconds")
    print_header()
    print(
        table(
            [
                *population_rows(args, seeded),
                ["warm-up saves (not timed)", f"{results.warmups:,}"],
                [
                    "full batch run (before the burst)",
                    f"{batch.get('status', '-')}: wall {results.batch_wall * 1000:,.1f} ms,"
                    f" server {'-' if seconds is None else f'{seconds * 1000:,.1f}'} ms,"
                    f" {batch.get('mentees_considered', 0):,} mentees,"
                    f" {batch.get('proposals_created', 0):,} proposals",
                ],
            ],
            ["run", "value"],
        )
    )


def report_burst(args: argparse.Namespace, burst: Burst) -> None:
    """The burst section: N saves at once with W workers; nothing personal."""
    from services.core.matching.incremental import AHEAD_WINDOW

    samples = burst.samples
    n = len(samples)
    seen = [s.total_ms for s in samples if s.total_ms is not None]
    within = sum(t <= BURST_WITHIN_MS for t in seen)
    never = n - len(seen)
    later = sum(s.later for s in samples)
    errors = sum(s.error is not None for s in samples)
    kinds = sorted({s.error for s in samples if s.error})
    sent = [s.sent for s in samples if s.sent]
    pick = burst.pick

    def share(k: int) -> str:
        return f"{k:,} of {n:,} ({100 * k / n:.1f}%)" if n else "-"

    asked = f"{n:,}"
    if n < args.burst:
        asked += f" (of {args.burst:,} asked: only {n:,} could be guaranteed a place)"
    print()
    print(f"burst: {n:,} mentee saves fired at once (HTTP) -> each proposal visible (HTTP)")
    rows = [
        ["saves fired at once", asked],
        ["workers", f"{burst.workers} (prefork x2 each)"],
        [
            "waited for idle workers first",
            f"{burst.drain_seconds:,.1f} s (up to {burst.drained:,} tasks queued)",
        ],
        ["free places just before", f"{pick.free_places:,} at {pick.free_mentors:,} mentors"],
        ["waiting mentees who could take one", f"{pick.rivals:,} of {pick.waiting:,}"],
        [
            "PUTs sent within",
            f"{(max(sent) - min(sent)) * 1000:,.1f} ms of each other" if sent else "-",
        ],
        [
            "burst after seeding",
            f"{burst.after_seed:,.0f} s (worker look-ahead window"
            f" {AHEAD_WINDOW.total_seconds():.0f} s)",
        ],
        [f"proposed at all (within {PROPOSAL_TIMEOUT:.0f} s)", share(len(seen))],
        [f"proposed within {BURST_WITHIN_MS / 1000:.0f} s", share(within)],
        [
            f"never proposed (within {PROPOSAL_TIMEOUT:.0f} s)",
            f"{never:,}" + (f" ({later:,} proposed by the final look)" if never else ""),
        ],
        ["errors (PUT or poll)", f"{errors:,}" + (f" ({', '.join(kinds)})" if kinds else "")],
        ["profile_saved tasks per worker", " / ".join(f"{t:,}" for t in burst.tasks) or "-"],
        [
            "worker logs: retries / no-proposal warnings / errors",
            f"{burst.retries:,} / {burst.missed:,} / {burst.errors:,}",
        ],
        ["login 401 just after register (retried)", f"{burst.login_retries:,}"],
    ]
    print(table(rows, ["burst", "value"]))
    print()
    rows = [
        ["save -> proposal visible", *spread_short(seen)],
        [
            "  PUT mentee-profile alone",
            *spread_short([s.save_ms for s in samples if s.save_ms is not None]),
        ],
        ["  worker task (profile_saved)", *spread_short(burst.task_ms)],
    ]
    print(table(rows, ["burst latency (ms)", "n", "p50", "p95", "max"]))
    polls = [s.polls for s in samples]
    print(
        f"each mentee polled every {BURST_POLL_SECONDS * 1000:.0f} ms from the moment its PUT"
        f" was sent; never proposed counts as not within {BURST_WITHIN_MS / 1000:.0f} s;"
        " worker task times are Celery's own, from the workers' logs during the burst;"
        f" GET polls per mentee: median {np.median(polls) if polls else 0:.0f}"
    )


def spread_short(values: list[float]) -> list[str]:
    """n, p50, p95 and max of milliseconds, formatted."""
    if not values:
        return ["0", "-", "-", "-"]
    ms = np.array(values)
    p50, p95 = np.percentile(ms, [50, 95])
    return [f"{len(ms):,}", f"{p50:,.1f}", f"{p95:,.1f}", f"{ms.max():,.1f}"]


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
    """Set up the stack, store the population, time the samples, run the peer, the burst."""
    from services.matcher.synthetic import generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored-mentees", type=int, default=8_000)
    parser.add_argument("--stored-mentors", type=int, default=2_000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=2, help="untimed saves before timing")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch-timeout", type=float, default=900.0)
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (logs)")
    parser.add_argument(
        "--burst", type=int, default=0, help="then N new mentees' saves at once (0: off)"
    )
    parser.add_argument(
        "--workers", type=int, default=3, help="worker processes in total for the burst"
    )
    args = parser.parse_args()
    if args.burst < 0 or args.workers < 1:
        parser.error("--burst must be 0 or more and --workers 1 or more")
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
    burst: Burst | None = None
    try:
        with stack(tmp) as servers:
            cleanup: contextlib.ExitStack = servers["cleanup"]
            migrate(servers["database_url"])
            seeded, coordinator_email = seed_population(
                servers["database_url"], stored_mentees, mentors
            )
            seeded_at = time.perf_counter()
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
                if args.burst:
                    burst = run_burst(
                        args,
                        client,
                        base,
                        env,
                        tmp,
                        cleanup,
                        servers["database_url"],
                        coordinator_email,
                        seeded_at,
                        today,
                    )
    finally:
        if args.keep:
            print(f"temp folder kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.burst and not args.samples:
        report_setup(args, results, seeded)
    else:
        report(args, results, task_seconds, seeded)
    if burst is not None:
        report_burst(args, burst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
