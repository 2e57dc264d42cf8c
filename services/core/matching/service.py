"""Bridge from stored profiles to the matching engine, and the proposals it leads to."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.core.db import utcnow
from services.core.matching.holdings import (
    holding_counts,
    holding_mentee_ids,
)
from services.core.matching.participants import reference_date, to_participant
from services.core.models import (
    Introduction,
    IntroductionEvent,
    IntroductionStatus,
    MatchingRun,
    MatchingRunStatus,
    PairExclusion,
    Profile,
    ProfileRole,
    VettingStatus,
)
from services.core.notifications import notify_new_introduction
from services.core.outbox import enqueue
from services.matcher import (
    Participant,
    Problem,
    score_pair,
    solve,
    violations,
)
from services.matcher import Settings as MatchSettings
from services.matcher.constraints import pair_distance_km, schedule_overlap_minutes

logger = logging.getLogger("peermatch.matching")
MATCH_PROFILE_TASK = "matching.profile_saved"
RUN_TASK = "matching.run"


def eligible_mentors(session: Session, organization_id: uuid.UUID) -> list[tuple[Profile, int]]:
    """Vetted, unpaused mentors of an organization with a free place, and their load."""
    mentors = session.scalars(
        select(Profile).where(
            Profile.organization_id == organization_id,
            Profile.role == ProfileRole.mentor,
            Profile.vetting_status == VettingStatus.approved,
            Profile.paused.is_(False),
        )
    ).all()
    load = holding_counts(session, (m.id for m in mentors))
    return [(m, load.get(m.id, 0)) for m in mentors if load.get(m.id, 0) < (m.capacity or 1)]


def eligible_mentees(session: Session, organization_id: uuid.UUID) -> list[Profile]:
    """Mentees of an organization with no open proposal and no active mentorship."""
    holding = holding_mentee_ids(session, organization_id)
    mentees = session.scalars(
        select(Profile).where(
            Profile.organization_id == organization_id, Profile.role == ProfileRole.mentee
        )
    ).all()
    return [m for m in mentees if m.id not in holding]


def excluded_partners(session: Session, profile: Profile) -> set[uuid.UUID]:
    """The other side's profiles this one must never be proposed with again."""
    if profile.role == ProfileRole.mentee:
        column, other = PairExclusion.mentee_profile_id, PairExclusion.mentor_profile_id
    else:
        column, other = PairExclusion.mentor_profile_id, PairExclusion.mentee_profile_id
    excluded = set(session.scalars(select(other).where(column == profile.id)))
    # A member holding both profiles is never introduced to themselves.
    excluded.update(
        session.scalars(
            select(Profile.id).where(Profile.user_id == profile.user_id, Profile.id != profile.id)
        )
    )
    return excluded


def is_excluded(session: Session, mentee_id: uuid.UUID, mentor_id: uuid.UUID) -> bool:
    """True if this pair was declined, rejected or ended before."""
    return session.get(PairExclusion, (mentee_id, mentor_id)) is not None


@dataclass(frozen=True)
class Candidate:
    """A pair the engine chose, with what the cards and the explanation need."""

    mentee: Profile
    mentor: Profile
    score: float
    explanation: dict[str, Any]


def card_figures(mentee: Participant, mentor: Participant, today: date) -> tuple[float | None, int]:
    """Distance in whole km (None when either meets only online) and weekly overlap minutes."""
    online = "online" in (mentee.meeting_format, mentor.meeting_format)
    distance = None if online else pair_distance_km(mentee, mentor)
    overlap = schedule_overlap_minutes(mentee, mentor, today)
    return (None if distance is None else float(round(distance))), int(overlap)


def _introduction(
    candidate: Candidate,
    figures: tuple[float | None, int],
    *,
    expiry_days: int,
    source: str,
    run_id: uuid.UUID | None,
    now: datetime,
) -> Introduction:
    mentee, mentor = candidate.mentee, candidate.mentor
    return Introduction(
        id=uuid.uuid4(),
        organization_id=mentee.organization_id,
        mentee_profile_id=mentee.id,
        mentor_profile_id=mentor.id,
        status=IntroductionStatus.proposed,
        score=candidate.score,
        explanation=candidate.explanation,
        distance_km=figures[0],
        overlap_minutes=figures[1],
        source=source,
        matching_run_id=run_id,
        proposed_at=now,
        expires_at=now + timedelta(days=expiry_days),
    )


def _announce(
    session: Session, introduction: Introduction, candidate: Candidate, actor_id: uuid.UUID | None
) -> None:
    """Record the `propose` event and owe both people an email."""
    session.add(
        IntroductionEvent(
            introduction_id=introduction.id,
            actor_id=actor_id,
            actor_role="coordinator" if actor_id else "system",
            action="propose",
            from_status=None,
            to_status=IntroductionStatus.proposed,
            at=introduction.proposed_at,
        )
    )
    notify_new_introduction(
        session, introduction, "proposed", (candidate.mentee.user_id, candidate.mentor.user_id)
    )


def create_proposal(
    session: Session,
    candidate: Candidate,
    *,
    expiry_days: int,
    source: str,
    run_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
) -> Introduction | None:
    """Record a proposal if it is still allowed now; None when it no longer is.

    The mentor's row is locked first, so concurrent proposals and approvals for one mentor
    queue up behind each other and capacity is counted once each.
    """
    mentee, mentor = candidate.mentee, candidate.mentor
    # A refusal rolls the savepoint back, which also lets go of the mentor's row lock: the
    # caller may go on to lock another mentor without holding this one (no deadlocks).
    savepoint = session.begin_nested()
    try:
        session.execute(select(Profile.id).where(Profile.id == mentor.id).with_for_update())
        full = holding_counts(session, [mentor.id]).get(mentor.id, 0) >= (mentor.capacity or 1)
        if full or is_excluded(session, mentee.id, mentor.id):
            savepoint.rollback()
            return None
        today = reference_date()
        figures = card_figures(
            to_participant(mentee, today=today), to_participant(mentor, today=today), today
        )
        introduction = _introduction(
            candidate, figures, expiry_days=expiry_days, source=source, run_id=run_id, now=utcnow()
        )
        session.add(introduction)
        # The partial unique index refuses a second open introduction for the mentee.
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        return None
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    _announce(session, introduction, candidate, actor_id)
    return introduction


def create_proposals(
    session: Session,
    candidates: Sequence[Candidate],
    participants: dict[str, Participant],
    *,
    expiry_days: int,
    run_id: uuid.UUID | None,
    source: str = "batch",
) -> list[Introduction]:
    """Record a batch run's proposals with a few statements instead of a dozen each.

    Every mentor involved is locked at once (in id order, so two runs cannot deadlock),
    capacity, exclusions and open introductions are read once after the lock, and the rows
    go in with one flush. Should a concurrent proposal still collide with the unique index,
    the batch falls back to one proposal at a time.
    """
    if not candidates:
        return []
    organization_id = candidates[0].mentee.organization_id
    mentor_ids = sorted({c.mentor.id for c in candidates})
    session.execute(
        select(Profile.id).where(Profile.id.in_(mentor_ids)).order_by(Profile.id).with_for_update()
    )
    load = holding_counts(session, mentor_ids)
    holding = holding_mentee_ids(session, organization_id)
    mentee_ids = [c.mentee.id for c in candidates]
    excluded = {
        (mentee_id, mentor_id)
        for mentee_id, mentor_id in session.execute(
            select(PairExclusion.mentee_profile_id, PairExclusion.mentor_profile_id).where(
                PairExclusion.mentee_profile_id.in_(mentee_ids)
            )
        )
    }
    today, now = reference_date(), utcnow()
    accepted: list[tuple[Introduction, Candidate]] = []
    for candidate in candidates:
        mentee, mentor = candidate.mentee, candidate.mentor
        if mentee.id in holding or (mentee.id, mentor.id) in excluded:
            continue
        if load.get(mentor.id, 0) >= (mentor.capacity or 1):
            continue
        figures = card_figures(participants[str(mentee.id)], participants[str(mentor.id)], today)
        introduction = _introduction(
            candidate, figures, expiry_days=expiry_days, source=source, run_id=run_id, now=now
        )
        accepted.append((introduction, candidate))
        load[mentor.id] = load.get(mentor.id, 0) + 1
        holding.add(mentee.id)
    try:
        with session.begin_nested():
            session.add_all([introduction for introduction, _ in accepted])
            session.flush()
    except IntegrityError:
        made = [
            create_proposal(
                session, candidate, expiry_days=expiry_days, source=source, run_id=run_id
            )
            for _, candidate in accepted
        ]
        return [introduction for introduction in made if introduction is not None]
    for introduction, candidate in accepted:
        _announce(session, introduction, candidate, None)
    return [introduction for introduction, _ in accepted]


def solve_waiting(
    session: Session, organization_id: uuid.UUID
) -> tuple[list[Candidate], dict[str, Participant], int]:
    """The engine's assignment of an organization's waiting mentees to its free places.

    Returns the chosen pairs, the engine's view of everyone involved, and how many mentees
    were considered.
    """
    today = reference_date()
    mentors = eligible_mentors(session, organization_id)  # few: only those with a free place
    mentees = eligible_mentees(session, organization_id)
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


def mark_running(session: Session, run_id: uuid.UUID) -> None:
    """Show a queued run as running while the worker works on it (its own short commit)."""
    run = session.get(MatchingRun, run_id)
    if run is not None and run.status == MatchingRunStatus.queued:
        run.status = MatchingRunStatus.running


def run_batch(session: Session, run_id: uuid.UUID, *, expiry_days: int) -> MatchingRun | None:
    """The global assignment over one organization, recorded on its matching run."""
    run = session.get(MatchingRun, run_id)
    if run is None or run.status in (MatchingRunStatus.succeeded, MatchingRunStatus.failed):
        return run  # unknown, or already done: running a task twice does nothing twice
    started = time.perf_counter()
    run.status = MatchingRunStatus.running
    candidates, participants, considered = solve_waiting(session, run.organization_id)
    created = len(
        create_proposals(session, candidates, participants, expiry_days=expiry_days, run_id=run.id)
    )
    run.mentees_considered = considered
    run.proposals_created = created
    run.status = MatchingRunStatus.succeeded
    run.seconds = round(time.perf_counter() - started, 3)
    run.finished_at = utcnow()
    logger.info("matching run %s: %d mentees considered, %d proposals", run.id, considered, created)
    return run


def queue_profile_matching(session: Session, profile: Profile) -> None:
    """Ask the workers to match this profile once the transaction commits."""
    enqueue(session, MATCH_PROFILE_TASK, profile_id=str(profile.id))


def queue_run(
    session: Session, organization_id: uuid.UUID, requested_by: uuid.UUID | None
) -> MatchingRun:
    """Create a queued matching run and ask the workers to carry it out."""
    run = MatchingRun(organization_id=organization_id, requested_by_id=requested_by)
    session.add(run)
    session.flush()
    enqueue(session, RUN_TASK, run_id=str(run.id))
    return run


def check_manual_pair(mentee: Profile, mentor: Profile, excluded: bool) -> list[str]:
    """The hard constraints a coordinator's proposed pair breaks."""
    today = reference_date()
    return violations(
        to_participant(mentee, today=today),
        to_participant(mentor, today=today),
        MatchSettings(),
        today,
        excluded=excluded,
    )


def manual_candidate(mentee: Profile, mentor: Profile) -> Candidate:
    """Score a coordinator's pair so its card and explanation read like any other."""
    today = reference_date()
    pair = score_pair(
        to_participant(mentee, today=today), to_participant(mentor, today=today), today
    )
    return Candidate(mentee, mentor, pair.score, pair.explanation)
