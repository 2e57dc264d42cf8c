"""Shared fixtures: every API test runs once on SQLite and once on a real PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.config import Config
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pytest_postgresql.janitor import DatabaseJanitor
from sqlalchemy import text
from sqlalchemy.orm import Session

from alembic import command
from services.api.app import create_app
from services.core.accounts.service import create_coordinator
from services.core.db import Base, transaction
from services.core.settings import Settings
from tests.support.postgres import PostgresServer, start_postgres

ROOT = Path(__file__).resolve().parents[1]
TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
PASSWORD = "correct horse battery staple"
# What a registration sends to agree to the current privacy notice.
CONSENT = {"consent_version": Settings.model_fields["privacy_notice_version"].default}


def migrate(url: str) -> None:
    """Run every migration up to head against `url`, as `alembic upgrade head` would."""
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """A PostgreSQL server on loopback for the whole session."""
    server = start_postgres(tmp_path_factory.mktemp("postgres"))
    yield server
    server.stop()


def _postgres_url(server: PostgresServer, dbname: str) -> str:
    return f"postgresql+psycopg://{server.user}@{server.host}:{server.port}/{dbname}"


@pytest.fixture(scope="session")
def postgres_database(postgres_server: PostgresServer) -> str:
    """A fresh, migrated database on the session's server; its URL."""
    janitor = DatabaseJanitor(
        user=postgres_server.user,
        host=postgres_server.host,
        port=postgres_server.port,
        dbname="peermatch_test",
    )
    # No drop at the end: the whole server and its files go when the session ends.
    janitor.init()
    url = _postgres_url(postgres_server, "peermatch_test")
    migrate(url)
    return url


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database URL, once per backend."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_database"))
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'peermatch.db'}"
    migrate(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for a test app on the current backend; no relay, as no worker listens."""
    return Settings(
        environment="test",
        database_url=database_url,
        broker_url=f"sqla+sqlite:///{tmp_path / 'broker.db'}",
        secret_key=TEST_SECRET,
        default_organization="demo",
        outbox_relay=False,
        mail_dir=tmp_path / "mail",
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    """The application on a clean database."""
    application = create_app(settings)
    yield application
    engine = application.state.engine
    with engine.begin() as connection:
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {tables} CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client for the app; server errors come back as responses, not exceptions."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def db(app: FastAPI) -> Callable[[], Any]:
    """Open a committed unit of work on the app's database: `with db() as session:`."""
    return lambda: transaction(app.state.session_factory)


def login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in and return the Authorization header."""
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def consent(client: TestClient) -> dict[str, str]:
    """The consent a registration gives: the privacy notice's current version."""
    notice = client.get("/api/v1/privacy-notice")
    return {"consent_version": notice.json()["version"]} if notice.status_code == 200 else {}


@pytest.fixture
def member(client: TestClient) -> Callable[..., dict[str, str]]:
    """Register a member and return their Authorization header."""
    counter = iter(range(1_000_000))

    def make(email: str | None = None, organization: str | None = None) -> dict[str, str]:
        email = email or f"member{next(counter)}@example.org"
        body: dict[str, Any] = {"email": email, "password": PASSWORD, "display_name": "Sam"}
        body |= consent(client)
        if organization:
            body["organization"] = organization
        response = client.post("/api/v1/auth/register", json=body)
        assert response.status_code == 201, response.text
        return login(client, email)

    return make


@pytest.fixture
def coordinator(client: TestClient, db: Callable[[], Any]) -> Callable[..., dict[str, str]]:
    """Create a coordinator (and organization) and return their Authorization header."""
    counter = iter(range(1_000_000))

    def make(organization: str = "demo", email: str | None = None) -> dict[str, str]:
        email = email or f"coordinator{next(counter)}.{organization}@example.org"
        session: Session
        with db() as session:
            create_coordinator(
                session=session, email=email, password=PASSWORD, organization=organization
            )
        return login(client, email)

    return make


@pytest.fixture(autouse=True)
def _no_leaking_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests build their settings explicitly; a developer's .env must not leak in.
    for name in ("DATABASE_URL", "BROKER_URL", "SECRET_KEY"):
        if name in os.environ:
            monkeypatch.delenv(name)
