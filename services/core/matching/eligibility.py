"""Who may be matched now: one home for each eligibility fact, as SQL where it can be.

A mentor is matchable when vetted and unpaused (`vetted_mentor`) and has a free place (what
they hold, open proposals plus active mentorships, is under capacity); a mentee is waiting
when they hold nothing (`waiting_mentee`); a pair may be proposed unless excluded.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from services.core.models import (
    HOLDING_STATUSES,
    Introduction,
    IntroductionStatus,
    PairExclusion,
    Profile,
    ProfileRole,
    VettingStatus,
)


def vetted_mentor(organization_id: uuid.UUID) -> list[ColumnElement[bool]]:
    """SQL for "a vetted, unpaused mentor of this organization"."""
    return [
        Profile.organization_id == organization_id,
        Profile.role == ProfileRole.mentor,
        Profile.vetting_status == VettingStatus.approved,
        Profile.paused.is_(False),
        Profile.held_since.is_(None),
    ]


def waiting_mentee(organization_id: uuid.UUID) -> list[ColumnElement[bool]]:
    """SQL for "a mentee of this organization with nothing open and no active mentorship"."""
    holds = select(Introduction.id).where(
        Introduction.mentee_profile_id == Profile.id, Introduction.status.in_(HOLDING_STATUSES)
    )
    return [
        Profile.organization_id == organization_id,
        Profile.role == ProfileRole.mentee,
        ~holds.exists(),
    ]


def _count_by_mentor(session: Session, where: ColumnElement[bool]) -> dict[uuid.UUID, int]:
    rows = session.execute(
        select(Introduction.mentor_profile_id, func.count())
        .where(where, Introduction.status.in_(HOLDING_STATUSES))
        .group_by(Introduction.mentor_profile_id)
    )
    return {mentor_id: count for mentor_id, count in rows if mentor_id is not None}


def holding_counts(*, session: Session, mentor_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Open proposals plus active mentorships per mentor: what counts against capacity."""
    ids = list(mentor_ids)
    return _count_by_mentor(session, Introduction.mentor_profile_id.in_(ids)) if ids else {}


def organization_load(*, session: Session, organization_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """`holding_counts` for every mentor of an organization, in one grouped query."""
    return _count_by_mentor(session, Introduction.organization_id == organization_id)


def holding_mentee_ids(*, session: Session, organization_id: uuid.UUID) -> set[uuid.UUID]:
    """The organization's mentees with an open proposal or an active mentorship."""
    return set(
        session.scalars(
            select(Introduction.mentee_profile_id).where(
                Introduction.organization_id == organization_id,
                Introduction.status.in_(HOLDING_STATUSES),
            )
        )
    )


def mentee_holds_introduction(*, session: Session, mentee_id: uuid.UUID) -> bool:
    """True if this mentee has an open proposal or an active mentorship."""
    found = session.scalar(
        select(Introduction.id).where(
            Introduction.mentee_profile_id == mentee_id,
            Introduction.status.in_(HOLDING_STATUSES),
        )
    )
    return found is not None


def active_mentee_count(*, session: Session, mentor_id: uuid.UUID) -> int:
    """How many mentees a mentor is mentoring now."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Introduction)
            .where(
                Introduction.mentor_profile_id == mentor_id,
                Introduction.status == IntroductionStatus.active,
            )
        )
        or 0
    )


def eligible_mentors(*, session: Session, organization_id: uuid.UUID) -> list[tuple[Profile, int]]:
    """Vetted, unpaused mentors of an organization with a free place, and their load."""
    mentors = session.scalars(select(Profile).where(*vetted_mentor(organization_id))).all()
    load = organization_load(session=session, organization_id=organization_id)
    return [(m, load.get(m.id, 0)) for m in mentors if load.get(m.id, 0) < m.places]


def eligible_mentees(*, session: Session, organization_id: uuid.UUID) -> list[Profile]:
    """Mentees of an organization with no open proposal and no active mentorship."""
    return list(session.scalars(select(Profile).where(*waiting_mentee(organization_id))))


def waiting_count(*, session: Session, organization_id: uuid.UUID) -> int:
    """How many of an organization's mentees are waiting (one count, no rows loaded)."""
    counted = select(func.count()).select_from(Profile).where(*waiting_mentee(organization_id))
    return session.scalar(counted) or 0


def excluded_partners(*, session: Session, profile: Profile) -> set[uuid.UUID]:
    """The other side's profiles this one must never be proposed with again."""
    return excluded_partners_of(session=session, profiles=[profile])[profile.id]


def excluded_partners_of(
    *, session: Session, profiles: Sequence[Profile]
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """`excluded_partners` for several profiles of one side, in two queries.

    Exclusions name people, so they reach whatever profile the other person holds now.
    """
    excluded: dict[uuid.UUID, set[uuid.UUID]] = {p.id: set() for p in profiles}
    if not profiles:
        return excluded
    if profiles[0].role == ProfileRole.mentee:
        mine, theirs, other_role = (
            PairExclusion.mentee_user_id,
            PairExclusion.mentor_user_id,
            ProfileRole.mentor,
        )
    else:
        mine, theirs, other_role = (
            PairExclusion.mentor_user_id,
            PairExclusion.mentee_user_id,
            ProfileRole.mentee,
        )
    owner = {p.user_id: p.id for p in profiles}
    rows = session.execute(
        select(mine, Profile.id)
        .join(Profile, (Profile.user_id == theirs) & (Profile.role == other_role))
        .where(mine.in_(owner))
    )
    for user_id, partner_id in rows:
        excluded[owner[user_id]].add(partner_id)
    # A member holding both profiles is never introduced to themselves.
    for user_id, profile_id in session.execute(
        select(Profile.user_id, Profile.id).where(
            Profile.user_id.in_(owner), Profile.id.not_in(excluded)
        )
    ):
        excluded[owner[user_id]].add(profile_id)
    return excluded


def excluded_profile_pairs(
    *, session: Session, mentees: Sequence[Profile], mentors: Sequence[Profile]
) -> frozenset[tuple[str, str]]:
    """The (mentee, mentor) profile-id pairs among these that must never be proposed."""
    mentee_of = {m.user_id: str(m.id) for m in mentees}
    mentor_of = {m.user_id: str(m.id) for m in mentors}
    if not mentee_of or not mentor_of:
        return frozenset()
    rows = session.execute(
        select(PairExclusion.mentee_user_id, PairExclusion.mentor_user_id).where(
            PairExclusion.mentee_user_id.in_(mentee_of),
            PairExclusion.mentor_user_id.in_(mentor_of),
        )
    )
    return frozenset((mentee_of[a], mentor_of[b]) for a, b in rows)


def excluded_user_pairs(
    *, session: Session, mentee_user_ids: Iterable[uuid.UUID]
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """Every excluded (mentee account, mentor account) pair of these mentees."""
    ids = list(set(mentee_user_ids))
    if not ids:
        return set()
    rows = session.execute(
        select(PairExclusion.mentee_user_id, PairExclusion.mentor_user_id).where(
            PairExclusion.mentee_user_id.in_(ids)
        )
    )
    return {(a, b) for a, b in rows}


def is_excluded(*, session: Session, mentee: Profile, mentor: Profile) -> bool:
    """True if these two people were declined, rejected, ended, expired, blocked or set
    apart by a coordinator before (whatever profiles they held then)."""
    found = session.scalar(
        select(PairExclusion.id)
        .where(
            PairExclusion.mentee_user_id == mentee.user_id,
            PairExclusion.mentor_user_id == mentor.user_id,
        )
        .limit(1)
    )
    return found is not None
