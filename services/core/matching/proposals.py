"""Proposal writes: a chosen pair becomes an introduction, under the mentor's lock."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.core.db import utcnow
from services.core.matching.eligibility import (
    excluded_user_pairs,
    holding_counts,
    holding_mentee_ids,
    is_excluded,
)
from services.core.matching.participants import reference_date, to_participant
from services.core.models import (
    Introduction,
    IntroductionEvent,
    IntroductionStatus,
    Profile,
)
from services.core.notifications import notify_new_introduction
from services.core.outbox import enqueue
from services.core.task_names import MATCH_PROFILE_TASK
from services.matcher import Participant, card_figures, score_pair, violations
from services.matcher import Settings as MatchSettings


def organization_lock(*, session: Session, organization_id: uuid.UUID) -> None:
    """Hold the organization's matching lock until this transaction ends."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite's BEGIN IMMEDIATE already serializes every transaction
    key = int.from_bytes(organization_id.bytes[:8], "big", signed=True)
    session.execute(select(func.pg_advisory_xact_lock(key)))


@dataclass(frozen=True)
class Candidate:
    """A pair the engine chose, with what the cards and the explanation need."""

    mentee: Profile
    mentor: Profile
    score: float
    explanation: dict[str, Any]
    # The pair's raw features (what the learned model trains on once the outcome is known)
    # and the model version that scored it (None: the hand weights).
    features: dict[str, float] | None = None
    model_version: int | None = None


# What history keeps of a pair outlives the people (their profiles may go): coarse enough
# that no one's recovery date or place can be read back, fine enough to learn from (the
# model reads recovery in log-years and distance in log-km).
RECOVERY_DAYS_STEP = 30
COARSE = {
    "mentee_recovery_days": lambda days: float(
        round(days / RECOVERY_DAYS_STEP) * RECOVERY_DAYS_STEP
    ),
    "mentor_recovery_days": lambda days: float(
        round(days / RECOVERY_DAYS_STEP) * RECOVERY_DAYS_STEP
    ),
    "distance_km": lambda km: float(round(km)),
    "text_similarity": lambda value: round(value, 2),
}


def stored_features(features: dict[str, float] | None) -> dict[str, float] | None:
    """A pair's features as history keeps them: recovery to 30 days, distance to 1 km."""
    if not features:
        return None
    return {name: COARSE.get(name, float)(value) for name, value in features.items()}


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
        mentee_profile=mentee,
        mentor_profile=mentor,
        status=IntroductionStatus.proposed,
        score=candidate.score,
        explanation=candidate.explanation,
        features=stored_features(candidate.features),
        model_version=candidate.model_version,
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
        session=session,
        introduction=introduction,
        kind="proposed",
        user_ids=(candidate.mentee.user_id, candidate.mentor.user_id),
    )


def create_proposal(
    *,
    session: Session,
    candidate: Candidate,
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
        full = (
            holding_counts(session=session, mentor_ids=[mentor.id]).get(mentor.id, 0)
            >= mentor.places
        )
        if full or is_excluded(session=session, mentee=mentee, mentor=mentor):
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
    *,
    session: Session,
    candidates: Sequence[Candidate],
    participants: dict[str, Participant],
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
    load = holding_counts(session=session, mentor_ids=mentor_ids)
    holding = holding_mentee_ids(session=session, organization_id=organization_id)
    excluded = excluded_user_pairs(
        session=session, mentee_user_ids=(c.mentee.user_id for c in candidates)
    )
    today, now = reference_date(), utcnow()
    accepted: list[tuple[Introduction, Candidate]] = []
    for candidate in candidates:
        mentee, mentor = candidate.mentee, candidate.mentor
        if mentee.id in holding or (mentee.user_id, mentor.user_id) in excluded:
            continue
        if load.get(mentor.id, 0) >= mentor.places:
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
                session=session,
                candidate=candidate,
                expiry_days=expiry_days,
                source=source,
                run_id=run_id,
            )
            for _, candidate in accepted
        ]
        return [introduction for introduction in made if introduction is not None]
    for introduction, candidate in accepted:
        _announce(session, introduction, candidate, None)
    return [introduction for introduction, _ in accepted]


def queue_profile_matching(*, session: Session, profile: Profile) -> None:
    """Ask the workers to match this profile once the transaction commits."""
    enqueue(session=session, task=MATCH_PROFILE_TASK, profile_id=str(profile.id))


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
    return Candidate(mentee, mentor, pair.score, pair.explanation, pair.features)
