"""Publishing tasks to the Celery broker, without importing the workers' code."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from celery import Celery

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


def broker_answers(broker_url: str, timeout: float = 2.0) -> bool:
    """True when a connection to the broker can be made now."""
    try:
        with publisher(broker_url).connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
        return True
    except Exception:
        return False
