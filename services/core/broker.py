"""Publishing tasks to the Celery broker, without importing the workers' code."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from celery import Celery
from kombu import Queue
from kombu.transport import TRANSPORT_ALIASES, _transport_cache
from kombu.transport import sqlalchemy as sqla
from sqlalchemy import create_engine, event

# Fail fast when the broker is down: the outbox keeps the task and the relay tries again.
PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}


def redis_transport_options(visibility_timeout: int) -> dict[str, Any]:
    """Fail fast on a dead Redis, and give back a dead worker's tasks after the timeout."""
    return {
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
        # A task a worker took but never acknowledged (it was killed) is delivered again
        # this many seconds later; sweep for such tasks a few times per timeout.
        "visibility_timeout": visibility_timeout,
        "unacked_restore_interval": max(1, min(10, visibility_timeout // 3)),
        "unacked_restore_throttle": 1,
    }


# The embedded broker (kombu's SQLAlchemy transport) has no way to be told a message
# arrived: an idle consumer sleeps `polling_interval` seconds between looks, 1 s by default,
# and a worker whose prefetch places are full (acks_late, prefetch 1) sleeps the same, so
# it drained about 7 tasks a second although a matching task takes a few milliseconds.
# A look is one indexed SELECT on a small SQLite file: 20 a second cost well under 1% of
# a core, and a task waits at most 50 ms for it.
DATABASE_POLLING_SECONDS = 0.05
DATABASE_BUSY_SECONDS = 10
DATABASE_TRANSPORT = "services.core.broker:DatabaseTransport"


def _broker_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: the API publishing and the worker polling do not block each other's reads.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class DatabaseChannel(sqla.Channel):
    """kombu's SQLAlchemy channel, on WAL when SQLite, and without our own options.

    kombu hands every transport option to `create_engine`, which refuses the virtual
    transport's own `polling_interval`; it is taken out here (the transport reads it).
    """

    def _engine_from_config(self) -> Any:
        options = dict(self.connection.client.transport_options)
        options.pop("polling_interval", None)
        for key in ("queue_tablename", "message_tablename", "callback", "errback"):
            options.pop(key, None)
        for key in ("max_retries", "interval_start", "interval_step", "interval_max"):
            options.pop(key, None)
        options.pop("retry_errors", None)
        url = self.connection.client.hostname
        if url.startswith("sqlite"):
            options.setdefault("connect_args", {"timeout": DATABASE_BUSY_SECONDS})
        engine = create_engine(url, **options)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _broker_pragmas)
        return engine


class DatabaseTransport(sqla.Transport):
    """The embedded default's broker: kombu's SQLAlchemy transport, polled every 50 ms."""

    Channel = DatabaseChannel
    polling_interval = DATABASE_POLLING_SECONDS


def use_database_transport() -> None:
    """Make `sqla+...` broker URLs use `DatabaseTransport`, whichever way they arrive.

    Naming the class in the configuration is not enough: Celery's command line copies
    `$BROKER_URL` into `$CELERY_BROKER_URL`, which wins over the configuration, and the URL's
    `sqla+` prefix then picks kombu's transport by its alias. So the alias names ours.
    """
    for alias in ("sqla", "sqlalchemy"):
        TRANSPORT_ALIASES[alias] = DATABASE_TRANSPORT
        _transport_cache.pop(alias, None)


use_database_transport()


def celery_config(broker_url: str, visibility_timeout: int = 300) -> dict[str, Any]:
    """Settings shared by the publishers and the worker."""
    redis = broker_url.startswith(("redis://", "rediss://"))
    return {
        "broker_url": broker_url,
        # The database transport (the embedded default) takes no such options.
        "broker_transport_options": redis_transport_options(visibility_timeout) if redis else {},
        "broker_connection_timeout": 3,
        "broker_connection_retry_on_startup": True,
        "task_default_queue": "peermatch",
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "timezone": "UTC",
    }


@lru_cache(maxsize=4)
def publisher(broker_url: str) -> Celery:
    """A Celery app that only sends tasks by name."""
    app = Celery("peermatch-publisher")
    app.conf.update(celery_config(broker_url))
    return app


def publish_to(broker_url: str) -> Any:
    """A `publish(task, kwargs, message_id)` function for the outbox relay."""

    def publish(task: str, kwargs: dict[str, Any], message_id: str) -> None:
        publisher(broker_url).send_task(
            task,
            kwargs=kwargs,
            task_id=message_id,
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
        )

    return publish


def declare_queue(broker_url: str) -> None:
    """Create the task queue before several processes race to: on the embedded broker the
    worker, beat and the API's relay each create it on first use, and two at once fail on
    its unique name (a traceback in a newcomer's first `make run`)."""
    app = publisher(broker_url)
    with app.connection_for_write() as connection:
        Queue(app.conf.task_default_queue).bind(connection.default_channel).declare()


def broker_answers(broker_url: str, timeout: float = 2.0) -> bool:
    """True when a connection to the broker can be made now."""
    try:
        with publisher(broker_url).connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
        return True
    except Exception:
        return False
