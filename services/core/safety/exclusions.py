"""Pairs of people kept apart for good: written by the state machine, blocks and
coordinators (conflicts of interest); read by `matching.eligibility`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.core.errors import Conflict, InvalidInput, NotFound
from services.core.models import PairExclusion, Profile, ProfileRole, User
from services.core.pagination import Page, paginate
from services.core.profiles.service import get_org_pair
from services.core.safety.schemas import ExclusionIn
from services.core.vocabulary import ExclusionReason


def _find(
    session: Session, mentee_user_id: uuid.UUID, mentor_user_id: uuid.UUID, reason: str
) -> PairExclusion | None:
    return session.scalar(
        select(PairExclusion).where(
            PairExclusion.mentee_user_id == mentee_user_id,
            PairExclusion.mentor_user_id == mentor_user_id,
            PairExclusion.reason == reason,
        )
    )


def exclude_pair(
    *,
    session: Session,
    organization_id: uuid.UUID,
    mentee_user_id: uuid.UUID,
    mentor_user_id: uuid.UUID,
    reason: ExclusionReason,
    note: str | None = None,
    created_by_id: uuid.UUID | None = None,
) -> PairExclusion:
    """Keep these two people apart for this reason (once: a repeat returns the first row)."""
    found = _find(session, mentee_user_id, mentor_user_id, reason)
    if found is not None:
        return found
    row = PairExclusion(
        id=uuid.uuid4(),
        organization_id=organization_id,
        mentee_user_id=mentee_user_id,
        mentor_user_id=mentor_user_id,
        reason=reason,
        note=note,
        created_by_id=created_by_id,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # written by a concurrent transaction just now
        found = _find(session, mentee_user_id, mentor_user_id, reason)
        assert found is not None
        return found
    return row


def add_coordinator_exclusion(
    *, session: Session, coordinator: User, body: ExclusionIn
) -> PairExclusion:
    """A coordinator keeps two of their organization's people apart; 404 for another's."""
    mentee, mentor = get_org_pair(
        session=session,
        organization_id=coordinator.organization_id,
        mentee_profile_id=body.mentee_profile_id,
        mentor_profile_id=body.mentor_profile_id,
    )
    if mentee.user_id == mentor.user_id:
        raise InvalidInput(
            "mentor_profile_id", "These are one person's two profiles; they are never matched"
        )
    if _find(session, mentee.user_id, mentor.user_id, ExclusionReason.coordinator) is not None:
        raise Conflict("A coordinator already keeps these two people apart")
    return exclude_pair(
        session=session,
        organization_id=coordinator.organization_id,
        mentee_user_id=mentee.user_id,
        mentor_user_id=mentor.user_id,
        reason=ExclusionReason.coordinator,
        note=body.reason,
        created_by_id=coordinator.id,
    )


def list_coordinator_exclusions(
    *, session: Session, organization_id: uuid.UUID, limit: int, offset: int
) -> Page[PairExclusion]:
    """An organization's coordinator-set exclusions, newest first."""
    statement = (
        select(PairExclusion)
        .where(
            PairExclusion.organization_id == organization_id,
            PairExclusion.reason == ExclusionReason.coordinator,
        )
        .order_by(PairExclusion.created_at.desc(), PairExclusion.id)
    )
    return paginate(session=session, statement=statement, limit=limit, offset=offset)


def current_profiles(
    *, session: Session, exclusions: Sequence[PairExclusion]
) -> dict[tuple[uuid.UUID, ProfileRole], Profile]:
    """The profiles the people in these exclusions hold now, by (account, side): one query."""
    users = {e.mentee_user_id for e in exclusions} | {e.mentor_user_id for e in exclusions}
    if not users:
        return {}
    rows = session.scalars(select(Profile).where(Profile.user_id.in_(users)))
    return {(p.user_id, p.role): p for p in rows}


def remove_coordinator_exclusion(
    *, session: Session, coordinator: User, exclusion_id: uuid.UUID
) -> None:
    """Lift a coordinator's exclusion (declines, blocks and the rest stay); 404 if not ours."""
    row = session.get(PairExclusion, exclusion_id)
    if (
        row is None
        or row.organization_id != coordinator.organization_id
        or row.reason != ExclusionReason.coordinator
    ):
        raise NotFound("No such exclusion in your organization")
    session.delete(row)
    session.flush()
