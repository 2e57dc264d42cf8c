"""The worker process's database: one engine per process, one transaction per unit of work."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any, Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services.core.broker import publish_to
from services.core.db import make_engine, make_session_factory, transaction
from services.core.outbox import PENDING_KEY, relay_once
from services.core.settings import get_settings

logger = logging.getLogger("peermatch.worker")
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Work(Protocol[T_co]):
    """Work done in one transaction: a service call that takes the session by keyword."""

    def __call__(self, *, session: Session) -> T_co: ...


@cache
def _engine() -> Engine:
    return make_engine(get_settings().database_url)


@cache
def session_factory() -> sessionmaker[Session]:
    """This process's session factory (built on first use, after any fork)."""
    return make_session_factory(_engine())


def dispose_engine() -> None:
    """Forget pooled connections (after a fork, or at shutdown)."""
    if _engine.cache_info().currsize:
        _engine().dispose()


def unit(work: Work[T]) -> T:
    """Run `work` in one transaction, then send on what it queued (best effort)."""
    with transaction(session_factory()) as session:
        result = work(session=session)
    if not session.info.pop(PENDING_KEY, False):
        # Nothing queued: relaying now would cost a write transaction (on SQLite one more
        # turn at the write lock per task) to find nothing of ours; the API's relay and the
        # beat backstop send what others queued.
        return result
    try:
        relay()
    except Exception:
        logger.warning("could not relay the outbox now; the relay will retry")
    return result


def relay() -> Any:
    """Send the outbox's waiting tasks to the broker."""
    return relay_once(session_factory(), publish_to(get_settings().broker_url))
