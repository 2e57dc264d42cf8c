"""The incremental path: one saved profile's matching, safe with many workers at once.

Two things make it hold under concurrency. Incremental matching of one organization takes a
transaction-scoped lock of that organization first (a PostgreSQL advisory lock; SQLite
serializes every transaction anyway), so similar mentees saved at the same moment are
placed one after another, in the order they came, instead of all picking the same top
mentor and all but one losing. And a pick that is refused under the mentor's row lock
(a batch run or a coordinator filled the place in between) is followed by the next-best
mentor, re-ranked with fresh loads; only a contention that outlasts `ATTEMPTS` picks is
handed back to the task, which queues the profile again a moment later.

Who waited longer is proposed first: before placing the saved mentee, the waiting mentees
ahead of them in the queue (saved in the last `AHEAD_WINDOW`, waiting since earlier, with
nothing open) are placed, oldest first, while places remain.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.core.db import utcnow
from services.core.matching.active_models import ACTIVE_MODELS
from services.core.matching.eligibility import (
    eligible_mentees,
    excluded_partners,
    excluded_partners_of,
    holding_counts,
    mentee_holds_introduction,
    waiting_mentee,
)
from services.core.matching.mentor_index import MENTOR_INDEXES, Snapshot
from services.core.matching.participants import reference_date, to_participant
from services.core.matching.proposals import Candidate, create_proposal, organization_lock
from services.core.models import Introduction, Profile, ProfileRole, VettingStatus
from services.matcher import best_partner

logger = logging.getLogger("peermatch.matching")
ATTEMPTS = 5
AHEAD_WINDOW = timedelta(minutes=10)
AHEAD_LIMIT = 50


@dataclass
class MatchOutcome:
    """What one profile's matching did: the proposals made, and whether to try again."""

    proposals: list[Introduction] = field(default_factory=list)
    # Mentees who had a feasible mentor with a free place and still got no proposal.
    missed: list[uuid.UUID] = field(default_factory=list)
    # True when places kept being taken under the lock: the profile should be tried again.
    contended: bool = False


def match_profile(*, session: Session, profile_id: uuid.UUID, expiry_days: int) -> MatchOutcome:
    """Propose the best feasible partner(s) for one saved profile."""
    profile = session.get(Profile, profile_id)
    if profile is None:
        return MatchOutcome()
    if profile.role != ProfileRole.mentee:
        organization_lock(session=session, organization_id=profile.organization_id)
        return _fill_mentor(session, profile, expiry_days)
    # Encoding changed mentors takes a while: do it before queueing for the lock.
    places = MENTOR_INDEXES.snapshot(session, profile.organization_id, reference_date())
    organization_lock(session=session, organization_id=profile.organization_id)
    outcome = MatchOutcome()
    if not mentee_holds_introduction(session=session, mentee_id=profile.id):
        places.refresh(session)
        # Those ahead hold nothing (the query says so); their exclusions are read at once.
        queue = [*_waiting_ahead(session, profile), profile]
        excluded = excluded_partners_of(session=session, profiles=queue)
        for mentee in queue:
            _place_mentee(session, mentee, excluded[mentee.id], places, expiry_days, outcome)
    return outcome


def _waiting_ahead(session: Session, mentee: Profile) -> list[Profile]:
    """Recently saved mentees who waited longer than `mentee` and hold nothing, oldest first."""
    since = mentee.waiting_since or mentee.created_at
    waiting_since = func.coalesce(Profile.waiting_since, Profile.created_at)
    rows = session.scalars(
        select(Profile)
        .where(
            *waiting_mentee(mentee.organization_id),
            Profile.id != mentee.id,
            Profile.updated_at >= utcnow() - AHEAD_WINDOW,
            waiting_since < since,
        )
        .order_by(waiting_since, Profile.id)
        .limit(AHEAD_LIMIT)
    )
    return list(rows)


def _place_mentee(
    session: Session,
    mentee: Profile,
    excluded: set[uuid.UUID],
    places: Snapshot,
    expiry_days: int,
    outcome: MatchOutcome,
) -> None:
    """Propose the best mentor with a free place, trying the next-best after a refusal."""
    me = to_participant(mentee, today=reference_date())
    skip = {str(i) for i in excluded}
    for _ in range(ATTEMPTS):
        found = places.best(me, skip)
        mentor = session.get(Profile, uuid.UUID(found.partner_id)) if found else None
        if found is None or mentor is None:
            if len(skip) > len(excluded):
                outcome.missed.append(mentee.id)  # every place it could take went elsewhere
            return
        proposal = create_proposal(
            session=session,
            candidate=Candidate(
                mentee,
                mentor,
                found.score,
                found.explanation,
                found.features,
                places.model_version,
            ),
            expiry_days=expiry_days,
            source="incremental",
        )
        if proposal is not None:
            outcome.proposals.append(proposal)
            places.took(mentor.id)
            return
        if mentee_holds_introduction(session=session, mentee_id=mentee.id):
            return  # another task proposed this mentee meanwhile
        skip.add(found.partner_id)
        places.refresh(session)  # a refused mentor shows as full next time
    outcome.missed.append(mentee.id)
    outcome.contended = True


def _fill_mentor(session: Session, mentor: Profile, expiry_days: int) -> MatchOutcome:
    """Fill a mentor's free places with the best waiting mentees, one at a time."""
    outcome = MatchOutcome()
    if mentor.vetting_status != VettingStatus.approved or mentor.resting:
        return outcome
    today = reference_date()
    excluded = {str(i) for i in excluded_partners(session=session, profile=mentor)}
    load = holding_counts(session=session, mentor_ids=[mentor.id]).get(mentor.id, 0)
    free = mentor.places - load
    mentees = {
        str(m.id): m
        for m in eligible_mentees(session=session, organization_id=mentor.organization_id)
        if str(m.id) not in excluded
    }
    number, model = ACTIVE_MODELS.get(session, mentor.organization_id)
    while len(outcome.proposals) < free and mentees:
        others = [to_participant(m, today=today) for m in mentees.values()]
        me = to_participant(mentor, holding=load + len(outcome.proposals), today=today)
        # The score carries the batch run's bonus for who waited longer.
        found = best_partner(me, others, side="mentees", reference_date=today, model=model)
        if found is None:
            break
        proposal = create_proposal(
            session=session,
            candidate=Candidate(
                mentees.pop(found.partner_id),
                mentor,
                found.score,
                found.explanation,
                found.features,
                number,
            ),
            expiry_days=expiry_days,
            source="incremental",
        )
        if proposal is not None:
            outcome.proposals.append(proposal)
        elif (
            holding_counts(session=session, mentor_ids=[mentor.id]).get(mentor.id, 0)
            >= mentor.places
        ):
            break  # a batch run or a coordinator filled the places meanwhile
    return outcome
