"""Probes, the interactive docs, and the logs' discretion."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.core.settings import Settings
from tests.conftest import CONSENT, TEST_SECRET
from tests.factories import mentee_body


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"


def test_readyz_is_503_when_the_database_does_not_answer(tmp_path: object) -> None:
    settings = Settings(
        environment="test",
        secret_key=TEST_SECRET,
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none",
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"


def test_routes_answer_503_with_retry_after_while_the_database_is_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(
        environment="test",
        secret_key=TEST_SECRET,
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none",
        outbox_relay=False,
    )
    caplog.set_level(logging.INFO)
    # Unhandled errors would be raised here by the test client rather than answered.
    with TestClient(create_app(settings)) as client:
        body = {
            "email": "new@example.org",
            "password": "a long passphrase",
            "display_name": "A",
            **CONSENT,
        }
        answers = [
            client.post("/api/v1/auth/register", json=body),
            client.post("/api/v1/auth/token", data={"username": "a@b.org", "password": "x"}),
        ]
    for answer in answers:
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "5"
        assert "try again" in answer.json()["detail"]
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in problems] == [
        "database unavailable on POST /api/v1/auth/register (OperationalError)",
        "database unavailable on POST /api/v1/auth/token (OperationalError)",
    ]
    assert all(r.exc_info is None for r in problems)
    assert "new@example.org" not in caplog.text


def test_docs_and_openapi_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/me/mentee-profile" in paths
    assert "/api/v1/auth/token" in paths


def test_logs_hold_no_personal_data(
    client: TestClient, member: Callable[..., dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    headers = member(email="very.private@example.org")
    body = mentee_body(alias="Secret Alias", about="something only I should read")
    client.put("/api/v1/me/mentee-profile", json=body, headers=headers)
    client.put("/api/v1/me/mentee-profile", json={**body, "timezone": "bad"}, headers=headers)
    logged = caplog.text
    assert "PUT /api/v1/me/mentee-profile 201" in logged
    for secret in ("very.private", "Secret Alias", "only I should read", "45.52", "-122.6"):
        assert secret not in logged


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(environment="production")
