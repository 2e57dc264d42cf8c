"""Thin tasks: ids in, one transaction, a service call, commit, then relay what it queued."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from functools import cache, partial
from typing import Any, TypeVar

from celery import Task
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services.core.broker import publish_to
from services.core.db import make_engine, make_session_factory, transaction, utcnow
from services.core.introductions.service import expire_due
from services.core.matching.incremental import match_profile
from services.core.matching.reconcile import RECONCILE_TASK, organization_ids, reconcile
from services.core.matching.service import (
    MATCH_PROFILE_TASK,
    RUN_TASK,
    mark_running,
    queue_run,
    run_batch,
)
from services.core.models import MatchingRun, MatchingRunStatus
from services.core.notifications import SEND_TASK, send
from services.core.outbox import relay_once
from services.core.settings import get_settings
from workers.app import app

logger = logging.getLogger("peermatch.worker")
T = TypeVar("T")
# A profile whose places kept being taken under the lock is tried again this many times,
# a second or two apart; after that the reconciliation loop has it within a minute.
MATCH_RETRIES = 5


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


@app.task(name=MATCH_PROFILE_TASK, bind=True, max_retries=MATCH_RETRIES)
def profile_saved(self: Task, profile_id: str) -> int:
    """Propose the best feasible partner(s) for a saved profile; returns proposals made."""
    days = get_settings().proposal_expiry_days
    outcome = _unit(lambda s: match_profile(s, uuid.UUID(profile_id), expiry_days=days))
    retries = self.request.retries
    if outcome.missed:
        # Ids only: who had a feasible mentor with a free place and still got nothing.
        logger.warning(
            "profile %s: no proposal for mentee(s) %s though feasible mentors had places "
            "(attempt %d); %s",
            profile_id,
            " ".join(str(mentee_id) for mentee_id in outcome.missed),
            retries + 1,
            "trying again shortly"
            if outcome.contended and retries < MATCH_RETRIES
            else "the reconciliation loop will try again",
        )
    if outcome.contended and retries < MATCH_RETRIES:
        raise self.retry(countdown=random.uniform(0.5, 1.5) * (retries + 1))
    return len(outcome.proposals)


@app.task(name=RECONCILE_TASK)
def reconcile_waiting() -> int:
    """The safety net (beat): match mentees left waiting while a feasible place is free."""
    days = get_settings().proposal_expiry_days
    made = 0
    for organization_id in _unit(organization_ids):
        made += len(_unit(partial(reconcile, organization_id=organization_id, expiry_days=days)))
    return made


@app.task(name=RUN_TASK)
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
        organizations = organization_ids(session)
        for organization_id in organizations:
            queue_run(session, organization_id, requested_by=None)
        return len(organizations)

    return _unit(work)


@app.task(name="introductions.expire")
def expire() -> int:
    """Expire proposals nobody answered in time; their mentees are queued for matching."""
    return _unit(expire_due)


@app.task(name=SEND_TASK)
def send_notification(notification_id: str) -> bool:
    """Send one owed email, unless it went already."""
    settings = get_settings()
    return _unit(lambda s: send(s, uuid.UUID(notification_id), settings))


@app.task(name="outbox.relay")
def relay() -> Any:
    """Backstop: relay anything still waiting in the outbox."""
    return relay_once(_factory(), publish_to(get_settings().broker_url))
