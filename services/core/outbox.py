"""The transactional outbox: tasks are written with the change that causes them, then relayed.

A profile saved while the broker is down is still saved, and its matching still happens:
the task waits in `outbox_messages` until a relay (a thread in the API process, and the
worker after each task) hands it to the broker. A message is marked dispatched only after
the broker took it, so a crash in between sends it twice, never zero times; every task is
idempotent for that reason.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.core.db import transaction, utcnow
from services.core.models import OutboxMessage

logger = logging.getLogger("peermatch.outbox")

# publish(task_name, kwargs, message_id) hands one task to the broker or raises.
Publish = Callable[[str, dict[str, Any], str], None]
PENDING_KEY = "peermatch.outbox_pending"


def enqueue(*, session: Session, task: str, **payload: Any) -> OutboxMessage:
    """Queue a task to be sent once this session's transaction commits."""
    message = OutboxMessage(task=task, payload=payload)
    session.add(message)
    session.info[PENDING_KEY] = True
    return message


def relay_once(factory: sessionmaker[Session], publish: Publish, *, limit: int = 200) -> int:
    """Send waiting messages, oldest first; stop at the first broker failure. Returns sent."""
    sent = 0
    with transaction(factory) as session:
        # SKIP LOCKED lets several relays share the work on PostgreSQL; SQLite serializes.
        messages = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dispatched_at.is_(None))
            .order_by(OutboxMessage.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for message in messages:
            try:
                publish(message.task, dict(message.payload), str(message.id))
            except Exception as error:  # the broker is down: try again later
                message.attempts += 1
                logger.warning(
                    "broker unavailable (%s); %d task(s) wait in the outbox",
                    type(error).__name__,
                    len(messages) - sent,
                )
                break
            message.dispatched_at = utcnow()
            sent += 1
    return sent


class OutboxRelay:
    """A daemon thread that relays the outbox every few seconds, or at once when woken."""

    def __init__(self, factory: sessionmaker[Session], publish: Publish, interval: float) -> None:
        self._factory = factory
        self._publish = publish
        self._interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)

    def start(self) -> None:
        """Start relaying."""
        self._thread.start()

    def wake(self) -> None:
        """Relay now rather than at the next tick (called after a commit that queued work)."""
        self._wake.set()

    def stop(self) -> None:
        """Stop the thread and wait for it."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                while relay_once(self._factory, self._publish) > 0:
                    pass
            except Exception:
                logger.exception("outbox relay failed; retrying")
