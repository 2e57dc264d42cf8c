"""The whole loop for real: PostgreSQL, Redis, a Celery worker process and the API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis
from fastapi.testclient import TestClient
from pytest_postgresql.janitor import DatabaseJanitor
from pytest_redis.executor.process import RedisExecutor

from services.api.app import create_app
from services.core.accounts.service import create_coordinator
from services.core.db import transaction
from services.core.settings import Settings
from tests.conftest import CONSENT, PASSWORD, ROOT, TEST_SECRET, _postgres_url, login, migrate
from tests.support.postgres import PostgresServer

T = TypeVar("T")
pytestmark = pytest.mark.worker


def wait_for(check: Callable[[], T | None], *, timeout: float = 60.0, what: str = "") -> T:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.1)


@dataclass
class Stack:
    """A running API (with its outbox relay), worker and servers."""

    client: TestClient
    settings: Settings
    redis: RedisExecutor
    worker_log: Path
    app: Any
    worker_env: dict[str, str]
    worker: subprocess.Popen[bytes] | None = None

    def start_worker(self) -> None:
        """Start a worker process and wait until it is ready."""
        self.worker = _start_worker(self.worker_env, self.worker_log)

    def kill_worker(self) -> None:
        """SIGKILL the worker and its pool: nothing it held is acknowledged."""
        assert self.worker is not None
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()
        self.worker = None

    def session(self) -> Any:
        return transaction(self.app.state.session_factory)

    def coordinator(self, organization: str = "demo") -> dict[str, str]:
        email = f"coordinator.{uuid.uuid4().hex[:8]}@example.org"
        with self.session() as session:
            create_coordinator(
                session=session, email=email, password=PASSWORD, organization=organization
            )
        return login(self.client, email)

    def member(self) -> tuple[dict[str, str], str]:
        email = f"member.{uuid.uuid4().hex[:8]}@example.org"
        response = self.client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "display_name": "Sam", **CONSENT},
        )
        assert response.status_code == 201, response.text
        return login(self.client, email), email


@pytest.fixture
def e2e_database(postgres_server: PostgresServer) -> str:
    """A fresh, migrated database for one end-to-end test."""
    name = f"peermatch_e2e_{uuid.uuid4().hex[:8]}"
    DatabaseJanitor(
        user=postgres_server.user, host=postgres_server.host, port=postgres_server.port, dbname=name
    ).init()
    url = _postgres_url(postgres_server, name)
    migrate(url)
    return url


def _start_worker(env: dict[str, str], log: Path, *, name: str = "e2e") -> subprocess.Popen[bytes]:
    # The log is shared by every worker of a test: wait for this one's "ready.".
    starts = log.read_text(errors="replace").count("ready.") if log.exists() else 0
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers.app",
        "worker",
        "--pool=prefork",
        "--concurrency=2",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        # Heartbeats, gossip and mingle have made workers stop consuming after a Redis
        # reconnection (celery/celery#8030); PeerMatch uses none of them.
        "--without-heartbeat",
        "-n",
        f"{name}-{uuid.uuid4().hex[:6]}@%h",
    ]
    with log.open("ab") as sink:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_for(
        lambda: (
            log.read_text(errors="replace").count("ready.") > starts or process.poll() is not None
        ),
        timeout=90,
        what="the worker to start",
    )
    assert process.poll() is None, log.read_text(errors="replace")[-3000:]
    return process


def _stop_worker(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def stack(e2e_database: str, redis_proc: RedisExecutor, tmp_path: Path) -> Iterator[Stack]:
    """The API on a real PostgreSQL and Redis, with a real Celery worker process."""
    broker_url = f"redis://{redis_proc.host}:{redis_proc.port}/0"
    # One Redis serves the session: start each test with no queued or unacknowledged tasks.
    redis.Redis(host=redis_proc.host, port=redis_proc.port).flushall()
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": e2e_database,
        "BROKER_URL": broker_url,
        "SECRET_KEY": TEST_SECRET,
        "ENVIRONMENT": "test",
        "MAIL_DIR": str(mail_dir),
        "EMAIL_BACKEND": "file",
        # Redis gives a killed worker's unacknowledged task to another after 4 s.
        "BROKER_VISIBILITY_TIMEOUT": "4",
        # A learned model from a handful of outcomes (API and worker agree on it).
        "MODEL_MIN_OUTCOMES": "12",
        "MODEL_MIN_EACH": "4",
    }
    worker_log = tmp_path / "worker.log"
    settings = Settings(
        environment="test",
        database_url=e2e_database,
        broker_url=broker_url,
        secret_key=TEST_SECRET,
        outbox_relay=True,
        outbox_relay_seconds=0.5,
        mail_dir=mail_dir,
        model_min_outcomes=12,
        model_min_each=4,
    )
    app = create_app(settings)
    stack = None
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            stack = Stack(client, settings, redis_proc, worker_log, app, env)
            stack.start_worker()
            yield stack
    finally:
        if stack is not None and stack.worker is not None:
            _stop_worker(stack.worker)
        if not redis_proc.running():
            redis_proc.start()
    # A task that failed would say "raised unexpected" in the worker's log.
    log = worker_log.read_text(errors="replace")
    assert "raised unexpected" not in log, log[-4000:]
