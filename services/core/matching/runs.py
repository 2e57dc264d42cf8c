"""Batch runs: the global assignment over one organization, queued, run and recorded."""

from __future__ import annotations

import logging
import time
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.db import utcnow
from services.core.errors import NotFound
from services.core.matching.eligibility import eligible_mentees, eligible_mentors
from services.core.matching.participants import reference_date, to_participant
from services.core.matching.proposals import Candidate, create_proposals
from services.core.models import MatchingRun, MatchingRunStatus, Organization, PairExclusion
from services.core.outbox import enqueue
from services.core.task_names import RUN_TASK
from services.matcher import Participant, Problem, solve

logger = logging.getLogger("peermatch.matching")


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
    mentee_ids = {m.id for m in mentees}
    exclusions = frozenset(
        (str(a), str(b))
        for a, b in session.execute(
            select(PairExclusion.mentee_profile_id, PairExclusion.mentor_profile_id)
        )
        if a in mentee_ids
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
    solution = solve(problem)
    by_id = {str(p.id): p for p in mentees} | {str(m.id): m for m, _ in mentors}
    candidates = [
        Candidate(by_id[p.mentee_id], by_id[p.mentor_id], p.score, p.explanation)
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


def queue_run(
    *, session: Session, organization_id: uuid.UUID, requested_by: uuid.UUID | None
) -> MatchingRun:
    """Create a queued matching run and ask the workers to carry it out."""
    run = MatchingRun(organization_id=organization_id, requested_by_id=requested_by)
    session.add(run)
    session.flush()
    enqueue(session=session, task=RUN_TASK, run_id=str(run.id))
    return run


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
    """Queue a batch run for every organization (the periodic global assignment)."""
    organizations = organization_ids(session=session)
    for organization_id in organizations:
        queue_run(session=session, organization_id=organization_id, requested_by=None)
    return len(organizations)
