"""Batch runs: the global assignment over one organization, queued, run and recorded."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.core.db import utcnow
from services.core.errors import Conflict, NotFound
from services.core.matching.active_models import ACTIVE_MODELS
from services.core.matching.eligibility import (
    eligible_mentees,
    eligible_mentors,
    excluded_profile_pairs,
)
from services.core.matching.participants import reference_date, to_participant
from services.core.matching.proposals import Candidate, create_proposals
from services.core.models import MatchingRun, MatchingRunStatus, Organization
from services.core.outbox import enqueue
from services.core.task_names import RUN_TASK
from services.matcher import Participant, Problem, solve

logger = logging.getLogger("peermatch.matching")
OPEN_RUN_STATUSES = (MatchingRunStatus.queued, MatchingRunStatus.running)
# A run queued or running this long was lost with its worker (a run takes seconds): it
# stops blocking its organization's next one.
STALE_RUN_AFTER = timedelta(minutes=30)


def solve_waiting(
    *, session: Session, organization_id: uuid.UUID
) -> tuple[list[Candidate], dict[str, Participant], int]:
    """The engine's assignment of an organization's waiting mentees to its free places.

    Returns the chosen pairs, the engine's view of everyone involved, and how many mentees
    were considered.
    """
    today = reference_date()
    mentors = eligible_mentors(
        session=session, organization_id=organization_id
    )  # few: only those with a free place
    mentees = eligible_mentees(session=session, organization_id=organization_id)
    if not mentees or not mentors:
        return [], {}, len(mentees)
    exclusions = excluded_profile_pairs(
        session=session, mentees=mentees, mentors=[m for m, _ in mentors]
    )
    mentor_of_user = {m.user_id: str(m.id) for m, _ in mentors}
    same_person = frozenset(
        (str(m.id), mentor_of_user[m.user_id]) for m in mentees if m.user_id in mentor_of_user
    )
    problem = Problem(
        reference_date=today,
        mentees=tuple(to_participant(m, today=today) for m in mentees),
        mentors=tuple(to_participant(m, holding=load, today=today) for m, load in mentors),
        exclusions=exclusions | same_person,
    )
    number, model = ACTIVE_MODELS.get(session, organization_id)
    solution = solve(problem, model=model)
    by_id = {str(p.id): p for p in mentees} | {str(m.id): m for m, _ in mentors}
    candidates = [
        Candidate(
            by_id[p.mentee_id], by_id[p.mentor_id], p.score, p.explanation, p.features, number
        )
        for p in solution.proposals
    ]
    participants = {p.id: p for p in (*problem.mentees, *problem.mentors)}
    return candidates, participants, len(mentees)


def mark_running(*, session: Session, run_id: uuid.UUID) -> None:
    """Show a queued run as running while the worker works on it (its own short commit)."""
    run = session.get(MatchingRun, run_id)
    if run is not None and run.status == MatchingRunStatus.queued:
        run.status = MatchingRunStatus.running


def mark_failed(*, session: Session, run_id: uuid.UUID) -> None:
    """Record that a run failed (its own commit, after the run's transaction rolled back)."""
    run = session.get(MatchingRun, run_id)
    if run is not None:
        run.status = MatchingRunStatus.failed
        run.error = "the run failed; see the worker's log"
        run.finished_at = utcnow()


def run_batch(*, session: Session, run_id: uuid.UUID, expiry_days: int) -> MatchingRun | None:
    """The global assignment over one organization, recorded on its matching run."""
    run = session.get(MatchingRun, run_id)
    if run is None or run.status in (MatchingRunStatus.succeeded, MatchingRunStatus.failed):
        return run  # unknown, or already done: running a task twice does nothing twice
    started = time.perf_counter()
    run.status = MatchingRunStatus.running
    candidates, participants, considered = solve_waiting(
        session=session, organization_id=run.organization_id
    )
    created = len(
        create_proposals(
            session=session,
            candidates=candidates,
            participants=participants,
            expiry_days=expiry_days,
            run_id=run.id,
        )
    )
    run.mentees_considered = considered
    run.proposals_created = created
    run.status = MatchingRunStatus.succeeded
    run.seconds = round(time.perf_counter() - started, 3)
    run.finished_at = utcnow()
    logger.info("matching run %s: %d mentees considered, %d proposals", run.id, considered, created)
    return run


def open_run(
    *, session: Session, organization_id: uuid.UUID, now: datetime | None = None
) -> MatchingRun | None:
    """The organization's queued or running run, if any; a stale one is recorded as failed."""
    run = session.scalar(
        select(MatchingRun).where(
            MatchingRun.organization_id == organization_id,
            MatchingRun.status.in_(OPEN_RUN_STATUSES),
        )
    )
    if run is not None and run.created_at < (now or utcnow()) - STALE_RUN_AFTER:
        run.status = MatchingRunStatus.failed
        run.error = "the run did not finish in time; a newer run replaces it"
        run.finished_at = now or utcnow()
        session.flush()
        logger.warning("matching run %s was stale; recorded as failed", run.id)
        return None
    return run


def queue_run(
    *,
    session: Session,
    organization_id: uuid.UUID,
    requested_by: uuid.UUID | None,
    now: datetime | None = None,
) -> MatchingRun:
    """Create a queued matching run and ask the workers to carry it out; Conflict while the
    organization already has one queued or running."""
    existing = open_run(session=session, organization_id=organization_id, now=now)
    if existing is not None:
        raise Conflict(_busy(existing))
    run = MatchingRun(organization_id=organization_id, requested_by_id=requested_by)
    try:
        # A savepoint: a run queued by a concurrent request wins the partial unique index,
        # and this request answers 409 rather than failing its whole transaction.
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        existing = open_run(session=session, organization_id=organization_id, now=now)
        raise Conflict(_busy(existing)) from None
    enqueue(session=session, task=RUN_TASK, run_id=str(run.id))
    return run


def _busy(run: MatchingRun | None) -> str:
    follow = f" Follow it at /api/v1/matching/runs/{run.id}." if run is not None else ""
    return (
        "A matching run is already queued or running for your organization; "
        f"a new one can start when it finishes.{follow}"
    )


def get_run(*, session: Session, organization_id: uuid.UUID, run_id: uuid.UUID) -> MatchingRun:
    """Gets a matching run of one organization, or raises NotFound."""
    run = session.get(MatchingRun, run_id)
    if run is None or run.organization_id != organization_id:
        raise NotFound("No such matching run")
    return run


def organization_ids(*, session: Session) -> list[uuid.UUID]:
    """Every organization's id, for the periodic runs and the reconciliation loop."""
    return list(session.scalars(select(Organization.id).order_by(Organization.id)))


def queue_all_runs(*, session: Session) -> int:
    """Queue a batch run for every organization without one queued or running (the periodic
    global assignment); how many were queued."""
    queued = 0
    for organization_id in organization_ids(session=session):
        if open_run(session=session, organization_id=organization_id) is None:
            queue_run(session=session, organization_id=organization_id, requested_by=None)
            queued += 1
    return queued
