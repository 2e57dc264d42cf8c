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
from services.core.matching.holdings import (
    holding_counts,
    holding_mentee_ids,
    mentee_holds_introduction,
)
from services.core.matching.mentor_index import MENTOR_INDEXES
from services.core.matching.participants import reference_date, to_participant
from services.core.matching.service import (
    Candidate,
    create_proposal,
    eligible_mentees,
    excluded_partners,
)
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


def organization_lock(session: Session, organization_id: uuid.UUID) -> None:
    """Hold the organization's matching lock until this transaction ends."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite's BEGIN IMMEDIATE already serializes every transaction
    key = int.from_bytes(organization_id.bytes[:8], "big", signed=True)
    session.execute(select(func.pg_advisory_xact_lock(key)))


def match_profile(session: Session, profile_id: uuid.UUID, *, expiry_days: int) -> MatchOutcome:
    """Propose the best feasible partner(s) for one saved profile."""
    profile = session.get(Profile, profile_id)
    if profile is None:
        return MatchOutcome()
    organization_lock(session, profile.organization_id)
    if profile.role == ProfileRole.mentee:
        outcome = MatchOutcome()
        for waiting in _waiting_ahead(session, profile):
            if not _place_mentee(session, waiting, expiry_days, outcome):
                break  # no place is left for anyone
        _place_mentee(session, profile, expiry_days, outcome)
        return outcome
    return _fill_mentor(session, profile, expiry_days)


def _waiting_ahead(session: Session, mentee: Profile) -> list[Profile]:
    """Recently saved mentees who waited longer than `mentee` and hold nothing, oldest first."""
    since = mentee.waiting_since or mentee.created_at
    holding = holding_mentee_ids(session, mentee.organization_id)
    waiting_since = func.coalesce(Profile.waiting_since, Profile.created_at)
    rows = session.scalars(
        select(Profile)
        .where(
            Profile.organization_id == mentee.organization_id,
            Profile.role == ProfileRole.mentee,
            Profile.id != mentee.id,
            Profile.updated_at >= utcnow() - AHEAD_WINDOW,
            waiting_since < since,
        )
        .order_by(waiting_since, Profile.id)
        .limit(AHEAD_LIMIT + len(holding))
    )
    return [m for m in rows if m.id not in holding][:AHEAD_LIMIT]


def _place_mentee(
    session: Session, mentee: Profile, expiry_days: int, outcome: MatchOutcome
) -> bool:
    """Propose the best mentor with a free place; False when no feasible place is left."""
    if mentee_holds_introduction(session, mentee.id):
        return True
    today = reference_date()
    me = to_participant(mentee, today=today)
    skip = {str(i) for i in excluded_partners(session, mentee)}
    excluded = len(skip)
    for _ in range(ATTEMPTS):
        # Loads are read afresh for each pick: a refused mentor shows as full next time.
        found = MENTOR_INDEXES.best_mentor(session, me, mentee.organization_id, today, skip)
        mentor = session.get(Profile, uuid.UUID(found.partner_id)) if found else None
        if found is None or mentor is None:
            if len(skip) > excluded:
                outcome.missed.append(mentee.id)  # every place it could take went elsewhere
            return False
        proposal = create_proposal(
            session,
            Candidate(mentee, mentor, found.score, found.explanation),
            expiry_days=expiry_days,
            source="incremental",
        )
        if proposal is not None:
            outcome.proposals.append(proposal)
            return True
        if mentee_holds_introduction(session, mentee.id):
            return True  # another task proposed this mentee meanwhile
        skip.add(found.partner_id)
    outcome.missed.append(mentee.id)
    outcome.contended = True
    return True


def _fill_mentor(session: Session, mentor: Profile, expiry_days: int) -> MatchOutcome:
    """Fill a mentor's free places with the best waiting mentees, one at a time."""
    outcome = MatchOutcome()
    if mentor.vetting_status != VettingStatus.approved or mentor.paused:
        return outcome
    today = reference_date()
    excluded = {str(i) for i in excluded_partners(session, mentor)}
    load = holding_counts(session, [mentor.id]).get(mentor.id, 0)
    free = (mentor.capacity or 1) - load
    mentees = {
        str(m.id): m
        for m in eligible_mentees(session, mentor.organization_id)
        if str(m.id) not in excluded
    }
    while len(outcome.proposals) < free and mentees:
        others = [to_participant(m, today=today) for m in mentees.values()]
        me = to_participant(mentor, holding=load + len(outcome.proposals), today=today)
        # The score carries the batch run's bonus for who waited longer.
        found = best_partner(me, others, side="mentees", reference_date=today)
        if found is None:
            break
        proposal = create_proposal(
            session,
            Candidate(mentees.pop(found.partner_id), mentor, found.score, found.explanation),
            expiry_days=expiry_days,
            source="incremental",
        )
        if proposal is not None:
            outcome.proposals.append(proposal)
        elif holding_counts(session, [mentor.id]).get(mentor.id, 0) >= (mentor.capacity or 1):
            break  # a batch run or a coordinator filled the places meanwhile
    return outcome
