"""A response is sent only after its transaction has committed."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.api.app import create_app
from services.core.db import make_engine
from services.core.models import User
from services.core.settings import Settings
from tests.conftest import CONSENT


@pytest.fixture
def served(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Any]]:
    """The app behind a real uvicorn server, with commits made slow on purpose."""
    original = Session.commit

    def slow_commit(self: Session) -> None:
        time.sleep(0.5)
        original(self)

    monkeypatch.setattr(Session, "commit", slow_commit)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    engine = make_engine(settings.database_url)
    try:
        yield f"http://127.0.0.1:{port}", engine
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


def test_the_write_is_committed_when_the_client_gets_201(served: tuple[str, Any]) -> None:
    url, engine = served
    response = httpx.post(
        f"{url}/api/v1/auth/register",
        json={
            "email": "prompt@example.org",
            "password": "a long enough password",
            "display_name": "Prompt",
            **CONSENT,
        },
        timeout=30,
    )
    assert response.status_code == 201
    with engine.connect() as connection:
        found = connection.execute(select(User.id).where(User.email == "prompt@example.org"))
        assert found.first() is not None
