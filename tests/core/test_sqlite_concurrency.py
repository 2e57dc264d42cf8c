"""The embedded default under a crowd: WAL snapshots, one writer at a time, no locked errors.

No timings are asserted: what is checked is who waits for whom (a reader never waits for a
writer, nor a writer for a reader), that read-then-write transactions stay serialized (no
lost update), and that a crowd of writers through the app gets no 5xx.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from celery import Celery
from fastapi import FastAPI
from fastapi.testclient import TestClient
from kombu import Connection
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from services.core.accounts import signin
from services.core.broker import DatabaseTransport, celery_config
from services.core.db import (
    ReadOnlyViolation,
    make_engine,
    make_session_factory,
    read_only_session,
    transaction,
)
from services.core.models import OutboxMessage
from tests.conftest import PASSWORD, consent
from tests.factories import mentee_body


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A fresh SQLite file with one counter row, through the app's engine factory."""
    engine = make_engine(f"sqlite:///{tmp_path / 'crowd.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)")
        connection.exec_driver_sql("INSERT INTO counter (id, n) VALUES (1, 0)")
    yield engine
    engine.dispose()


def read_n(session: Session) -> int:
    """The counter's value as this session sees it."""
    return int(session.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one())


def test_sqlite_files_use_wal(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_long_read_does_not_block_a_write(sqlite_engine: Engine) -> None:
    factory = make_session_factory(sqlite_engine)
    reader = read_only_session(factory)
    try:
        assert read_n(reader) == 0  # the read transaction is open from here on
        # A writer in another thread commits while the read is still open: it does not wait
        # for the reader (a writer that had to wait 15 s would fail with `locked`).
        outcome: list[object] = []

        def write() -> None:
            try:
                with transaction(factory) as session:
                    session.execute(text("UPDATE counter SET n = n + 1 WHERE id = 1"))
                outcome.append("committed")
            except Exception as error:  # pragma: no cover - the failure being tested for
                outcome.append(error)

        writer = threading.Thread(target=write)
        writer.start()
        writer.join()
        assert outcome == ["committed"]
        assert read_n(reader) == 0  # the reader keeps its snapshot
    finally:
        reader.commit()
        reader.close()
    with transaction(factory) as session:
        assert read_n(session) == 1


def test_an_open_write_does_not_block_a_read(sqlite_engine: Engine) -> None:
    factory = make_session_factory(sqlite_engine)
    with transaction(factory) as writer:
        writer.execute(text("UPDATE counter SET n = 41 WHERE id = 1"))  # holds the write lock
        seen: list[object] = []

        def read() -> None:
            session = read_only_session(factory)
            try:
                seen.append(read_n(session))
            except Exception as error:  # pragma: no cover - the failure being tested for
                seen.append(error)
            finally:
                session.close()

        reader = threading.Thread(target=read)
        reader.start()
        reader.join()
        assert seen == [0]  # the last committed value, read without waiting for the writer


def test_read_then_write_transactions_stay_serialized(sqlite_engine: Engine) -> None:
    # Each transaction reads the counter, then writes it plus one: without the write lock
    # taken up front, two would read the same value and one increment would be lost.
    factory = make_session_factory(sqlite_engine)
    threads, rounds = 16, 15

    def bump() -> None:
        for _ in range(rounds):
            with transaction(factory) as session:
                n = read_n(session)
                session.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(bump) for _ in range(threads)]:
            future.result()  # re-raises `database is locked`, had any writer given up
    with transaction(factory) as session:
        assert read_n(session) == threads * rounds


def test_a_failed_write_lets_the_next_writer_in(sqlite_engine: Engine) -> None:
    factory = make_session_factory(sqlite_engine)
    with pytest.raises(RuntimeError), transaction(factory) as session:
        session.execute(text("UPDATE counter SET n = 5 WHERE id = 1"))
        raise RuntimeError("the handler failed")
    done: list[str] = []

    def write() -> None:
        with transaction(factory) as session:
            session.execute(text("UPDATE counter SET n = n + 1 WHERE id = 1"))
        done.append("committed")

    writer = threading.Thread(target=write)
    writer.start()
    writer.join()
    assert done == ["committed"]
    with transaction(factory) as session:
        assert read_n(session) == 1  # the failed write was rolled back


@pytest.fixture
def factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    """A session factory on the migrated test database (SQLite and PostgreSQL)."""
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def test_a_read_only_session_refuses_to_write(factory: sessionmaker[Session]) -> None:
    session = read_only_session(factory)
    try:
        session.scalars(select(OutboxMessage).limit(1)).all()  # reading is fine
        session.add(OutboxMessage(task="outbox.relay", payload={}))
        with pytest.raises(ReadOnlyViolation):
            session.flush()
        session.rollback()
        with pytest.raises(ReadOnlyViolation):
            session.execute(insert(OutboxMessage).values(task="outbox.relay", payload={}))
    finally:
        session.rollback()
        session.close()
    with transaction(factory) as check:
        assert check.scalars(select(OutboxMessage)).all() == []


def test_a_crowd_of_writers_through_the_app_gets_no_server_error(app: FastAPI) -> None:
    people = 24

    def visit(k: int) -> list[int]:
        statuses: list[int] = []
        with TestClient(app, raise_server_exceptions=False) as client:
            email = f"crowd{k}-{uuid.uuid4().hex[:6]}@example.org"
            body = {"email": email, "password": PASSWORD, "display_name": "Sam"}
            registered = client.post("/api/v1/auth/register", json=body | consent(client))
            statuses.append(registered.status_code)
            token = client.post(
                "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
            )
            statuses.append(token.status_code)
            headers = {"Authorization": f"Bearer {token.json().get('access_token')}"}
            saved = client.put(
                "/api/v1/me/mentee-profile", json=mentee_body(alias=f"P{k}"), headers=headers
            )
            statuses.append(saved.status_code)
            statuses.append(client.get("/api/v1/me", headers=headers).status_code)
            statuses.append(client.get("/api/v1/me/introductions", headers=headers).status_code)
        return statuses

    # The first registration creates the default organization: made before the crowd, as
    # concurrent first registrations race to create it (reported separately).
    assert visit(people)[0] == 201
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(visit, range(people)))
    assert all(statuses == [201, 200, 201, 200, 200] for statuses in results), results


def test_the_embedded_broker_polls_often_and_delivers(tmp_path: Path) -> None:
    config = celery_config(f"sqla+sqlite:///{tmp_path / 'broker.db'}")
    app = Celery("broker-test")
    app.conf.update(config)
    with app.connection_for_write() as connection:
        assert isinstance(connection.transport, DatabaseTransport)
        assert connection.transport.polling_interval <= 0.1
        queue = connection.SimpleQueue("peermatch-test")
        queue.put({"task": "outbox.relay"})
        message = queue.get(timeout=5)
        message.ack()
        assert message.payload == {"task": "outbox.relay"}
        queue.close()
    # Celery's command line passes $BROKER_URL on as a bare URL, which then wins over the
    # configuration: the `sqla+` prefix alone must pick the same transport.
    with Connection(f"sqla+sqlite:///{tmp_path / 'broker.db'}") as connection:
        assert isinstance(connection.transport, DatabaseTransport)


def test_the_embedded_broker_takes_a_polling_interval_option(tmp_path: Path) -> None:
    # kombu would hand this option to create_engine, which refuses it.
    app = Celery("broker-test")
    app.conf.update(celery_config(f"sqla+sqlite:///{tmp_path / 'broker.db'}"))
    app.conf.broker_transport_options = {"polling_interval": 0.2}
    with app.connection_for_write() as connection:
        queue = connection.SimpleQueue("peermatch-test")
        queue.put({"n": 1})
        message = queue.get(timeout=5)
        message.ack()
        assert connection.transport.polling_interval == 0.2
        queue.close()


def test_get_requests_read_while_another_process_holds_the_write_lock(
    app: FastAPI, client: TestClient, member: Callable[..., dict[str, str]], database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the write lock is SQLite's")
    headers = member()
    assert client.put("/api/v1/me/mentee-profile", json=mentee_body(), headers=headers).is_success
    # Another process (here, a raw connection that bypasses this process's write queue)
    # holds the write lock, as the worker does while it matches.
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        for path in ("/api/v1/me", "/api/v1/me/introductions", "/api/v1/me/mentee-profile"):
            # A GET that began BEGIN IMMEDIATE would wait for the lock, then fail with 503.
            assert client.get(path, headers=headers).status_code == 200, path
    finally:
        holder.rollback()
        holder.close()


def test_passwords_are_hashed_and_verified_outside_the_write_lock(
    client: TestClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the write lock is SQLite's")
    path = database_url.removeprefix("sqlite:///")
    lock_free: list[bool] = []

    def probe() -> None:
        # Could another process write right now? (timeout 0: do not wait for the lock)
        other = sqlite3.connect(path, isolation_level=None, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            lock_free.append(True)
        except sqlite3.OperationalError:
            lock_free.append(False)
        finally:
            other.close()

    def probed(function: Callable[..., object]) -> Callable[..., object]:
        def wrapper(*args: object) -> object:
            probe()
            return function(*args)

        return wrapper

    monkeypatch.setattr(signin, "hash_password", probed(signin.hash_password))
    monkeypatch.setattr(signin, "verify_password", probed(signin.verify_password))
    body = {"email": "argon@example.org", "password": PASSWORD, "display_name": "Sam"}
    assert client.post("/api/v1/auth/register", json=body | consent(client)).status_code == 201
    assert client.post("/api/v1/auth/register", json=body | consent(client)).status_code == 201
    form = {"username": "argon@example.org", "password": PASSWORD}
    assert client.post("/api/v1/auth/token", data=form).status_code == 200
    wrong = form | {"password": "not the password at all"}
    assert client.post("/api/v1/auth/token", data=wrong).status_code == 401
    # Two registrations (one at a taken email) and two logins, each hashing once.
    assert lock_free == [True, True, True, True]
