"""The abuse limits hold under concurrency: many wrong passwords for one email sent at the
same moment never get more tries than the limit (the check and the record are atomic)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.core.db import transaction
from services.core.models.accounts import AuthAttempt, AuthAttemptKind

Headers = dict[str, str]


def test_simultaneous_wrong_passwords_never_exceed_the_limit(
    app: FastAPI, client: TestClient, member: Callable[..., Headers]
) -> None:
    member(email="target@example.org")
    limit = app.state.settings.login_failure_limit
    tries = limit * 3
    barrier = threading.Barrier(tries)

    def attempt(k: int) -> int:
        with TestClient(app, raise_server_exceptions=False) as own:
            barrier.wait()
            form = {"username": "target@example.org", "password": f"wrong guess {k}"}
            return own.post("/api/v1/auth/token", data=form).status_code

    with ThreadPoolExecutor(max_workers=tries) as pool:
        statuses = list(pool.map(attempt, range(tries)))
    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) == limit  # exactly the limit looked at the password
    with transaction(app.state.session_factory) as session:
        counted = session.scalar(
            select(func.count(AuthAttempt.id)).where(
                AuthAttempt.kind == AuthAttemptKind.login_failure
            )
        )
    assert counted == limit
