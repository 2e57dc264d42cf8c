"""Who holds what: open proposals and active mentorships, which count against capacity and
keep a mentee out of matching."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from services.core.models import HOLDING_STATUSES, Introduction


def _count_by_mentor(session: Session, where: ColumnElement[bool]) -> dict[uuid.UUID, int]:
    rows = session.execute(
        select(Introduction.mentor_profile_id, func.count())
        .where(where, Introduction.status.in_(HOLDING_STATUSES))
        .group_by(Introduction.mentor_profile_id)
    )
    return {mentor_id: count for mentor_id, count in rows}


def holding_counts(session: Session, mentor_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Open proposals plus active mentorships per mentor: what counts against capacity."""
    ids = list(mentor_ids)
    return _count_by_mentor(session, Introduction.mentor_profile_id.in_(ids)) if ids else {}


def organization_load(session: Session, organization_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """`holding_counts` for every mentor of an organization, in one grouped query."""
    return _count_by_mentor(session, Introduction.organization_id == organization_id)


def holding_mentee_ids(session: Session, organization_id: uuid.UUID) -> set[uuid.UUID]:
    """The organization's mentees with an open proposal or an active mentorship."""
    return set(
        session.scalars(
            select(Introduction.mentee_profile_id).where(
                Introduction.organization_id == organization_id,
                Introduction.status.in_(HOLDING_STATUSES),
            )
        )
    )


def mentee_holds_introduction(session: Session, mentee_id: uuid.UUID) -> bool:
    """True if this mentee has an open proposal or an active mentorship."""
    found = session.scalar(
        select(Introduction.id).where(
            Introduction.mentee_profile_id == mentee_id,
            Introduction.status.in_(HOLDING_STATUSES),
        )
    )
    return found is not None
