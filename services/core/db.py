"""Engine, sessions and the declarative base shared by the API and the workers."""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import JSON, DateTime, Engine, MetaData, String, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention, so migrations stay stable."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp that SQLite, which stores naive values, reads back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use UTC-aware ones")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E], Generic[E]):
    """A word from one vocabulary, stored as plain text (no database enum type to migrate)
    and read back as the enum member; a word outside the vocabulary is refused on write."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Any) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Any) -> E | None:
        return None if value is None else self.enum(value)


class EnumList(TypeDecorator[list[E]], Generic[E]):
    """A list of words from one vocabulary, stored as a JSON array of text."""

    impl = JSON
    cache_ok = True

    def __init__(self, enum: type[E]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: list[E] | list[str] | None, dialect: Any) -> Any:
        return None if value is None else [self.enum(item).value for item in value]

    def process_result_value(self, value: Any, dialect: Any) -> list[E] | None:
        return None if value is None else [self.enum(item) for item in value]


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


# SQLite (the embedded default). A writer waits this long for the write lock before
# `database is locked`; readers never wait (WAL: they read a snapshot).
SQLITE_BUSY_SECONDS = 15.0
# Enough pooled connections for every thread of the API's thread pool (40) and the relay:
# a thread waiting for a connection would otherwise wait for the pool, then fail.
SQLITE_POOL_SIZE = 8
SQLITE_MAX_OVERFLOW = 48
# Sessions from `read_only_session` bind to the engine with this execution option.
READ_ONLY = "peermatch_read_only"


_WRITE_IN_READ = (
    "a read-only session tried to write (a GET route that writes is marked with"
    " services.api.deps.records_reads)"
)


class ReadOnlyViolation(RuntimeError):
    """A session opened for reading tried to write (a programming error, found in tests)."""


class _WriteGate:
    """One writer at a time per process, handed over at once to the next in line.

    SQLite lets one transaction write at a time; a writer that finds the lock taken sleeps
    and polls (1 ms, growing to 100 ms between tries), so under a crowd the lock sits idle
    between holders and an unlucky writer starves until its busy timeout. Writers of one
    process queue here instead, on a lock the previous holder releases the moment it commits
    or rolls back; SQLite's own wait is left for writers of other processes (the worker).
    """

    def __init__(self, timeout: float) -> None:
        self._lock = threading.Lock()
        self._timeout = timeout

    def enter(self, dbapi_connection: Any) -> None:
        """Wait for this process's turn to write (on time-out, fall back to SQLite's wait)."""
        if self._lock.acquire(timeout=self._timeout):
            dbapi_connection.gate = self

    def leave(self) -> None:
        """Let the next writer in."""
        self._lock.release()


class _GatedConnection(sqlite3.Connection):
    """A SQLite connection that leaves the write gate as soon as its transaction ends."""

    gate: _WriteGate | None = None

    def _leave(self) -> None:
        gate, self.gate = self.gate, None
        if gate is not None:
            gate.leave()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._leave()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._leave()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._leave()


def _make_sqlite_engine(url: URL) -> Engine:
    """SQLite in WAL mode: reads from snapshots, writes one at a time, taken up front."""
    memory = not url.database or url.database == ":memory:"
    if not memory:
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
    pool: dict[str, Any] = (
        {} if memory else {"pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_MAX_OVERFLOW}
    )
    engine = create_engine(
        url,
        connect_args={
            "check_same_thread": False,
            "timeout": SQLITE_BUSY_SECONDS,
            "factory": _GatedConnection,
        },
        hide_parameters=True,
        **pool,
    )
    gate = _WriteGate(SQLITE_BUSY_SECONDS)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL cannot corrupt the database; a power cut (not a crash of the
        # process) may lose the last commits. It saves an fsync on every commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # Let SQLAlchemy, not the driver, decide when transactions begin (see below).
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            # A read takes no lock: it sees the snapshot of its first statement and neither
            # waits for writers nor makes them wait.
            connection.exec_driver_sql("BEGIN")
            return
        # The driver would only begin at the first write, so a read-then-write (is the
        # mentor full? then approve) could interleave with another, and a read transaction
        # that later writes fails at once under WAL when another committed meanwhile.
        # Taking the write lock up front serializes writing transactions; keep them short.
        dbapi_connection = connection.connection.dbapi_connection
        gate.enter(dbapi_connection)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            dbapi_connection._leave()
            raise

    return engine


def make_engine(database_url: str) -> Engine:
    """Create an engine; for SQLite, make its folder and turn on foreign keys and WAL."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _make_sqlite_engine(url)
    # hide_parameters: an error never prints the values (emails, hashes, free text).
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


_readers: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()
_readers_lock = threading.Lock()


def _reader(engine: Engine) -> Engine:
    """The engine, marked so that its transactions only read (same pool, same events)."""
    with _readers_lock:
        reader = _readers.get(engine)
        if reader is None:
            reader = _readers[engine] = engine.execution_options(**{READ_ONLY: True})
        return reader


def read_only_session(factory: sessionmaker[Session]) -> Session:
    """A session for work that only reads (a GET): on SQLite it takes no write lock.

    Its transaction reads one consistent snapshot and never waits for writers, nor they for
    it. Flushing a change in it raises `ReadOnlyViolation`, on every database, so that a read
    route that starts writing is found by its tests rather than by a locked database.
    """
    bind = factory.kw["bind"]
    session = factory(bind=_reader(bind), info={READ_ONLY: True})
    event.listen(session, "before_flush", _refuse_flush)
    event.listen(session, "do_orm_execute", _refuse_statement)
    return session


def _refuse_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
        raise ReadOnlyViolation(_WRITE_IN_READ)


def _refuse_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnlyViolation(_WRITE_IN_READ)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
