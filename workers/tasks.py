"""Thin tasks: ids in, one transaction, a service call, commit, then relay what it queued."""

from __future__ import annotations

import logging
import random
import uuid
from functools import partial
from typing import Any

from celery import Task
from sqlalchemy.orm import Session

from services.core.db import utcnow
from services.core.introductions.responsiveness import remind_due
from services.core.introductions.transitions import expire_due
from services.core.matching import learning
from services.core.matching.incremental import match_profile
from services.core.matching.reconcile import reconcile
from services.core.matching.runs import (
    mark_failed,
    mark_running,
    organization_ids,
    queue_all_runs,
    run_batch,
)
from services.core.notifications import send
from services.core.safety.access import prune
from services.core.settings import get_settings
from services.core.task_names import (
    EXPIRE_TASK,
    MATCH_PROFILE_TASK,
    MODEL_REFIT_ALL_TASK,
    MODEL_REFIT_TASK,
    PRUNE_ACCESS_LOG_TASK,
    RECONCILE_TASK,
    RELAY_TASK,
    REMIND_TASK,
    RUN_ALL_TASK,
    RUN_TASK,
    SEND_TASK,
)
from workers.app import app
from workers.db import relay as relay_outbox
from workers.db import unit

logger = logging.getLogger("peermatch.worker")
# A profile whose places kept being taken under the lock is tried again this many times,
# a second or two apart; after that the reconciliation loop has it within a minute.
MATCH_RETRIES = 5


@app.task(name=MATCH_PROFILE_TASK, bind=True, max_retries=MATCH_RETRIES)
def profile_saved(self: Task, profile_id: str) -> int:
    """Propose the best feasible partner(s) for a saved profile; returns proposals made."""
    days = get_settings().proposal_expiry_days
    outcome = unit(partial(match_profile, profile_id=uuid.UUID(profile_id), expiry_days=days))
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
    for organization_id in unit(organization_ids):
        made += len(unit(partial(reconcile, organization_id=organization_id, expiry_days=days)))
    return made


@app.task(name=RUN_TASK)
def run(run_id: str) -> str | None:
    """Carry out a queued matching run; a finished run is left as it is."""
    days = get_settings().proposal_expiry_days

    def work(*, session: Session) -> str | None:
        done = run_batch(session=session, run_id=uuid.UUID(run_id), expiry_days=days)
        return done.status if done else None

    unit(partial(mark_running, run_id=uuid.UUID(run_id)))
    try:
        return unit(work)
    except Exception:
        unit(partial(mark_failed, run_id=uuid.UUID(run_id)))
        raise


@app.task(name=RUN_ALL_TASK)
def run_all() -> int:
    """The periodic global assignment: queue a run for every organization."""
    return unit(queue_all_runs)


@app.task(name=MODEL_REFIT_TASK)
def refit_model(organization_id: str) -> int | None:
    """Fit a new model version on an organization's outcomes (activated if it beats the
    hand weights); returns its number, or None when there was nothing to fit."""

    settings = get_settings()
    minimum = learning.Minimum(settings.model_min_outcomes, settings.model_min_each)

    def work(*, session: Session) -> int | None:
        done = learning.refit(
            session=session, organization_id=uuid.UUID(organization_id), minimum=minimum
        )
        return done.version.number if done.version is not None else None

    return unit(work)


@app.task(name=MODEL_REFIT_ALL_TASK)
def refit_all_models() -> int:
    """The weekly refit (beat): queue a refit for every organization with enough outcomes."""
    settings = get_settings()
    minimum = learning.Minimum(settings.model_min_outcomes, settings.model_min_each)
    return unit(partial(learning.queue_all_refits, minimum=minimum))


@app.task(name=EXPIRE_TASK)
def expire() -> int:
    """Expire proposals nobody answered in time; their mentees are queued for matching."""
    return unit(expire_due)


@app.task(name=REMIND_TASK)
def remind() -> int:
    """Remind whoever has not answered a proposal that expires within a day (once each)."""
    return unit(partial(remind_due, now=utcnow()))


@app.task(name=PRUNE_ACCESS_LOG_TASK)
def prune_access_log() -> int:
    """Delete access-log entries past the retention period."""
    days = get_settings().access_log_retention_days
    return unit(partial(prune, now=utcnow(), retention_days=days))


@app.task(name=SEND_TASK)
def send_notification(notification_id: str) -> bool:
    """Send one owed email, unless it went already."""
    settings = get_settings()
    return unit(partial(send, notification_id=uuid.UUID(notification_id), settings=settings))


@app.task(name=RELAY_TASK)
def relay() -> Any:
    """Backstop: relay anything still waiting in the outbox."""
    return relay_outbox()
