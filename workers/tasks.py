"""Thin tasks: ids in, one transaction, a service call, commit, then relay what it queued."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from services.core.broker import publish_to
from services.core.db import make_engine, make_session_factory, transaction, utcnow
from services.core.introductions.service import expire_due
from services.core.matching.service import mark_running, match_profile, queue_run, run_batch
from services.core.models import MatchingRun, MatchingRunStatus, Organization
from services.core.notifications import send
from services.core.outbox import relay_once
from services.core.settings import get_settings
from workers.app import app

logger = logging.getLogger("peermatch.worker")
T = TypeVar("T")


@cache
def _engine() -> Engine:
    return make_engine(get_settings().database_url)


@cache
def _factory() -> sessionmaker[Session]:
    return make_session_factory(_engine())


def dispose_engine() -> None:
    """Forget pooled connections (after a fork, or at shutdown)."""
    if _engine.cache_info().currsize:
        _engine().dispose()


def _unit(work: Callable[[Session], T]) -> T:
    """Run `work` in one transaction, then send on what it queued (best effort)."""
    with transaction(_factory()) as session:
        result = work(session)
    _relay()
    return result


def _relay() -> None:
    try:
        relay_once(_factory(), publish_to(get_settings().broker_url))
    except Exception:
        logger.warning("could not relay the outbox now; the relay will retry")


@app.task(name="matching.profile_saved")
def profile_saved(profile_id: str) -> int:
    """Propose the best feasible partner(s) for a saved profile; returns proposals made."""
    days = get_settings().proposal_expiry_days
    made = _unit(lambda s: match_profile(s, uuid.UUID(profile_id), expiry_days=days))
    return len(made)


@app.task(name="matching.run")
def run(run_id: str) -> str | None:
    """Carry out a queued matching run; a finished run is left as it is."""
    days = get_settings().proposal_expiry_days

    def work(session: Session) -> str | None:
        done = run_batch(session, uuid.UUID(run_id), expiry_days=days)
        return done.status if done else None

    _unit(lambda session: mark_running(session, uuid.UUID(run_id)))
    try:
        return _unit(work)
    except Exception:
        _mark_failed(run_id)
        raise


def _mark_failed(run_id: str) -> None:
    with transaction(_factory()) as session:
        matching_run = session.get(MatchingRun, uuid.UUID(run_id))
        if matching_run is not None:
            matching_run.status = MatchingRunStatus.failed
            matching_run.error = "the run failed; see the worker's log"
            matching_run.finished_at = utcnow()


@app.task(name="matching.run_all")
def run_all() -> int:
    """The periodic global assignment: queue a run for every organization."""

    def work(session: Session) -> int:
        organizations = session.scalars(select(Organization.id)).all()
        for organization_id in organizations:
            queue_run(session, organization_id, requested_by=None)
        return len(organizations)

    return _unit(work)


@app.task(name="introductions.expire")
def expire() -> int:
    """Expire proposals nobody answered in time; their mentees are queued for matching."""
    return _unit(expire_due)


@app.task(name="notifications.send")
def send_notification(notification_id: str) -> bool:
    """Send one owed email, unless it went already."""
    settings = get_settings()
    return _unit(lambda s: send(s, uuid.UUID(notification_id), settings))


@app.task(name="outbox.relay")
def relay() -> Any:
    """Backstop: relay anything still waiting in the outbox."""
    return relay_once(_factory(), publish_to(get_settings().broker_url))
