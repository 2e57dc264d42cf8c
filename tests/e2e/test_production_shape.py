"""Many saves at once in the production shape: PostgreSQL, Redis, the API in uvicorn, three
worker processes and beat, each a process of its own started as `docker-compose.yml` starts
it. Every mentee who can be matched is proposed within seconds, none twice, and no mentor
gets more than their places, also across a Redis outage."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_redis.executor.process import RedisExecutor
from sqlalchemy import delete, func, select

from services.core.accounts.service import create_coordinator
from services.core.db import make_engine, make_session_factory, transaction
from services.core.models import HOLDING_STATUSES, Introduction, OutboxMessage, Profile
from tests.conftest import CONSENT, PASSWORD, ROOT, TEST_SECRET
from tests.e2e.conftest import _start_worker, _stop_worker, wait_for
from tests.factories import mentee_body, mentor_body
from tests.support.postgres import _free_port

pytestmark = pytest.mark.worker
WORKERS = 3


@dataclass
class Production:
    """The API, three workers and beat as processes, and a way into their database."""

    api: httpx.Client
    database_url: str
    redis: RedisExecutor
    logs: list[Path]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def session(self) -> Any:
        return transaction(make_session_factory(make_engine(self.database_url)))

    def member(self) -> dict[str, str]:
        email = f"member.{uuid.uuid4().hex[:10]}@example.org"
        registered = self.api.post(
            "/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "display_name": "Sam", **CONSENT},
        )
        assert registered.status_code == 201, registered.text
        token = self.api.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        assert token.status_code == 200, token.text
        return {"Authorization": f"Bearer {token.json()['access_token']}"}

    def tail(self) -> str:
        return "\n".join(f"--- {log.name} ---\n{log.read_text()[-2500:]}" for log in self.logs)


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@pytest.fixture
def reconcile_seconds() -> str:
    """How often beat runs the safety net; by default too rarely to do the incremental
    path's work within a test."""
    return "3600"


@pytest.fixture
def production(
    e2e_database: str, redis_proc: RedisExecutor, tmp_path: Path, reconcile_seconds: str
) -> Iterator[Production]:
    """Start the processes compose starts, on loopback; stop them all afterwards."""
    import redis

    redis.Redis(host=redis_proc.host, port=redis_proc.port).flushall()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": e2e_database,
        "BROKER_URL": f"redis://{redis_proc.host}:{redis_proc.port}/0",
        "SECRET_KEY": TEST_SECRET,
        "ENVIRONMENT": "test",
        "EMAIL_BACKEND": "file",
        "MAIL_DIR": str(tmp_path / "mail"),
        "RECONCILE_SECONDS": reconcile_seconds,
    }
    api_log = tmp_path / "api.log"
    logs = [api_log]
    processes = []
    try:
        api = [sys.executable, "-m", "uvicorn", "services.api.app:create_app", "--factory"]
        processes.append(_spawn([*api, "--host", "127.0.0.1", "--port", str(port)], env, api_log))
        for number in range(WORKERS):
            log = tmp_path / f"worker{number}.log"
            logs.append(log)
            processes.append(_start_worker(env, log, name=f"w{number}"))
        beat_log = tmp_path / "beat.log"
        logs.append(beat_log)
        schedule = str(tmp_path / "celerybeat-schedule")
        beat = [sys.executable, "-m", "celery", "-A", "workers.app", "beat", "--schedule"]
        processes.append(_spawn([*beat, schedule, "--loglevel=INFO"], env, beat_log))
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)

        def up() -> bool:
            try:
                return client.get("/healthz").status_code == 200
            except httpx.TransportError:
                return False

        wait_for(up, timeout=60, what="the API to answer")
        yield Production(client, e2e_database, redis_proc, logs, processes)
        client.close()
    finally:
        for process in processes:
            _stop_worker(process)
        if not redis_proc.running():
            redis_proc.start()
    for log in logs:
        failures = _unexpected_failures(log.read_text(errors="replace"))
        assert not failures, "\n".join(failures)[-4000:]


# Beat logs each due task it cannot hand to a stopped Redis with a traceback; that is beat
# doing its job during the outage a test made on purpose, not a failure of ours.
_BROKER_OUTAGE = re.compile(
    r"Couldn't apply scheduled task [\w-]+: .*(Error \d+ connecting to|Connection \w+)"
)
_RECORD = re.compile(r"(?m)^(?=\[\d{4}-\d\d-\d\d )")


def _unexpected_failures(log: str) -> list[str]:
    """The log records that say a task failed or carry a traceback, beat's broker outage
    records aside."""
    return [
        record
        for record in _RECORD.split(log)
        if ("raised unexpected" in record or "Traceback" in record)
        and not _BROKER_OUTAGE.search(record.partition("\n")[0])
    ]


def test_only_a_broker_outage_in_beat_is_forgiven() -> None:
    outage = (
        "[2026-12-03 14:30:54,532: ERROR/MainProcess] Message Error: Couldn't apply scheduled"
        " task reconcile-waiting: Error 111 connecting to 127.0.0.1:29500. Connection refused."
        "\nTraceback (most recent call last):\n  File ...\n"
    )
    failed = "[2026-12-03 14:30:55,000: ERROR/ForkPoolWorker-1] Task x raised unexpected: E()\n"
    bare = "Traceback (most recent call last):\n  File ...\nValueError\n"
    assert _unexpected_failures(outage) == []
    assert _unexpected_failures(outage + failed) == [failed]
    assert _unexpected_failures(bare + outage) == [bare]


def _at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released by one barrier; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _add_mentors(stack: Production, coordinator: dict[str, str], count: int) -> None:
    for number in range(count):
        headers = stack.member()
        saved = stack.api.put(
            "/api/v1/me/mentor-profile",
            json=mentor_body(alias=f"Mentor{number}", capacity=2),
            headers=headers,
        )
        assert saved.status_code == 201, saved.text
        vetted = stack.api.post(
            f"/api/v1/coordinator/mentors/{saved.json()['id']}/vetting",
            json={"decision": "approved"},
            headers=coordinator,
        )
        assert vetted.status_code == 200, vetted.text


def _save_mentees_at_once(stack: Production, members: list[dict[str, str]]) -> None:
    def save(headers: dict[str, str]) -> Callable[[], int]:
        body = mentee_body(alias="Wren")
        return lambda: (
            stack.api.put("/api/v1/me/mentee-profile", json=body, headers=headers).status_code
        )

    assert _at_once([save(headers) for headers in members]) == [201] * len(members)


def _proposals_per_mentee(stack: Production, members: list[dict[str, str]]) -> list[int]:
    counts = []
    for headers in members:
        listed = stack.api.get("/api/v1/me/introductions", headers=headers)
        assert listed.status_code == 200, listed.text
        counts.append(sum(1 for i in listed.json() if i["status"] == "proposed"))
    return counts


def _await_one_each(stack: Production, members: list[dict[str, str]], timeout: float) -> None:
    try:
        wait_for(
            lambda: all(count >= 1 for count in _proposals_per_mentee(stack, members)),
            timeout=timeout,
            what="every mentee to hold a proposal",
        )
    except AssertionError as error:
        counts = _proposals_per_mentee(stack, members)
        raise AssertionError(
            f"{error}: {sum(1 for c in counts if c)} of {len(counts)} hold one\n{stack.tail()}"
        ) from None


def _idle(stack: Production) -> None:
    def drained() -> bool:
        with stack.session() as session:
            waiting = session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.dispatched_at.is_(None))
            )
        return waiting == 0

    wait_for(drained, timeout=90, what="the outbox to drain")


def _assert_places_kept(stack: Production, members: list[dict[str, str]]) -> None:
    assert _proposals_per_mentee(stack, members) == [1] * len(members)
    with stack.session() as session:
        load = dict(
            session.execute(
                select(Introduction.mentor_profile_id, func.count())
                .where(Introduction.status.in_(HOLDING_STATUSES))
                .group_by(Introduction.mentor_profile_id)
            ).all()
        )
        capacity = dict(session.execute(select(Profile.id, Profile.capacity)).all())
    assert all(count <= capacity[mentor] for mentor, count in load.items()), load


def _coordinator(stack: Production) -> dict[str, str]:
    email = f"coordinator.{uuid.uuid4().hex[:8]}@example.org"
    with stack.session() as session:
        create_coordinator(session=session, email=email, password=PASSWORD, organization="demo")
    token = stack.api.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_simultaneous_saves_fill_every_free_place_once(production: Production) -> None:
    stack = production
    coordinator = _coordinator(stack)

    # Six mentors with two places each, then twelve identical mentees saved at one moment.
    _add_mentors(stack, coordinator, 6)
    _idle(stack)
    first = [stack.member() for _ in range(12)]
    _save_mentees_at_once(stack, first)
    _await_one_each(stack, first, timeout=90)
    _idle(stack)
    _assert_places_kept(stack, first)

    # Twelve more places, then twelve more mentees saved at once while Redis is down.
    _add_mentors(stack, coordinator, 6)
    _idle(stack)
    second = [stack.member() for _ in range(12)]
    stack.redis.stop()
    try:
        _save_mentees_at_once(stack, second)  # the outbox holds their matching
    finally:
        stack.redis.start()
    _await_one_each(stack, second, timeout=90)
    _idle(stack)
    _assert_places_kept(stack, first + second)


@pytest.mark.parametrize("reconcile_seconds", ["2"])
def test_beat_matches_a_mentee_whose_task_was_lost(production: Production) -> None:
    stack = production
    _add_mentors(stack, _coordinator(stack), 1)
    _idle(stack)
    members = [stack.member()]
    stack.redis.stop()
    try:
        saved = stack.api.put(
            "/api/v1/me/mentee-profile", json=mentee_body(alias="Lost"), headers=members[0]
        )
        assert saved.status_code == 201
        with stack.session() as session:  # the task never reaches a worker
            lost = session.execute(
                delete(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None))
            )
            assert lost.rowcount >= 1
    finally:
        stack.redis.start()
    _await_one_each(stack, members, timeout=90)
    _assert_places_kept(stack, members)
    warnings = "\n".join(log.read_text() for log in stack.logs)
    assert f"now proposed: {saved.json()['id']}" in warnings
