"""The introductions state machine: who may move an introduction, and where to.

```
proposed --both accept--> awaiting_approval --coordinator approves--> active --end--> ended
    |--either declines--> declined        |--coordinator rejects--> rejected
    '--nobody answers in time--> expired
```
Every move locks the introduction's row, records an event, owes both participants an
email, and, where someone is free again, queues matching for them.
"""

from __future__ import annotations

import statistics
import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from services.core.db import utcnow
from services.core.errors import Conflict, Forbidden, NotFound
from services.core.introductions.schemas import (
    Card,
    Contact,
    Contacts,
    EventPublic,
    IntroductionPublic,
    Stats,
)
from services.core.matching.eligibility import active_mentee_count, waiting_count
from services.core.matching.proposals import queue_profile_matching
from services.core.models import (
    Introduction,
    IntroductionEvent,
    IntroductionStatus,
    PairExclusion,
    Profile,
    ProfileRole,
    Response,
    Role,
    User,
    VettingStatus,
)
from services.core.notifications import notify_participants
from services.core.profiles.schemas import recovery_band

CLOSED_FOR_GOOD = {
    IntroductionStatus.declined: "declined",
    IntroductionStatus.rejected: "rejected",
    IntroductionStatus.ended: "ended",
    IntroductionStatus.expired: "expired",
}


@dataclass(frozen=True)
class Viewing:
    """An introduction and the caller's part in it: mentee, mentor or coordinator."""

    introduction: Introduction
    role: str


def _role_in(user: User, introduction: Introduction) -> str | None:
    if introduction.mentee_profile.user_id == user.id:
        return "mentee"
    if introduction.mentor_profile.user_id == user.id:
        return "mentor"
    if user.role == Role.coordinator and user.organization_id == introduction.organization_id:
        return "coordinator"
    return None


def view(
    session: Session, user: User, introduction_id: uuid.UUID, *, lock: bool = False
) -> Viewing:
    """Load an introduction the caller takes part in or coordinates; others get 404."""
    introduction = session.get(Introduction, introduction_id, with_for_update=lock or None)
    role = _role_in(user, introduction) if introduction is not None else None
    if introduction is None or role is None:
        raise NotFound("No such introduction")
    return Viewing(introduction, role)


def _record(
    session: Session,
    introduction: Introduction,
    *,
    actor: User | None,
    actor_role: str,
    action: str,
    to: IntroductionStatus,
    note: str | None = None,
) -> None:
    before = introduction.status
    introduction.status = to
    session.add(
        IntroductionEvent(
            introduction_id=introduction.id,
            actor_id=actor.id if actor else None,
            actor_role=actor_role,
            action=action,
            from_status=before,
            to_status=to,
            note=note,
            at=utcnow(),
        )
    )
    if to in CLOSED_FOR_GOOD:
        introduction.closed_at = utcnow()
        pair = (introduction.mentee_profile_id, introduction.mentor_profile_id)
        if session.get(PairExclusion, pair) is None:
            session.add(
                PairExclusion(
                    mentee_profile_id=pair[0], mentor_profile_id=pair[1], reason=CLOSED_FOR_GOOD[to]
                )
            )
        # Both are free again: the mentee needs a new match, the mentor has a place.
        mentee, mentor = introduction.mentee_profile, introduction.mentor_profile
        if to == IntroductionStatus.ended:
            mentee.waiting_since = utcnow()
        queue_profile_matching(session, mentee)
        queue_profile_matching(session, mentor)
    notify_participants(session, introduction, str(to))
    session.flush()


def _participant(viewing: Viewing) -> str:
    if viewing.role == "coordinator":
        raise Forbidden("Only the two people introduced can answer or end an introduction")
    return viewing.role


def _coordinator(viewing: Viewing) -> None:
    if viewing.role != "coordinator":
        raise Forbidden("Only a coordinator of the organization can do this")


def _require(introduction: Introduction, status: IntroductionStatus, verb: str) -> None:
    if introduction.status != status:
        raise Conflict(f"Cannot {verb} an introduction that is {introduction.status}")


def accept(session: Session, user: User, introduction_id: uuid.UUID) -> Viewing:
    """A participant accepts; when both have, it goes to a coordinator."""
    viewing = view(session, user, introduction_id, lock=True)
    side, introduction = _participant(viewing), viewing.introduction
    _require(introduction, IntroductionStatus.proposed, "accept")
    setattr(introduction, f"{side}_response", Response.accepted)
    if introduction.mentee_response == introduction.mentor_response == Response.accepted:
        _record(
            session,
            introduction,
            actor=user,
            actor_role=side,
            action="accept",
            to=IntroductionStatus.awaiting_approval,
        )
    else:
        session.add(
            IntroductionEvent(
                introduction_id=introduction.id,
                actor_id=user.id,
                actor_role=side,
                action="accept",
                from_status=introduction.status,
                to_status=introduction.status,
                at=utcnow(),
            )
        )
        session.flush()
    return viewing


def decline(
    session: Session, user: User, introduction_id: uuid.UUID, reason: str | None
) -> Viewing:
    """A participant declines; the pair is never proposed again."""
    viewing = view(session, user, introduction_id, lock=True)
    side, introduction = _participant(viewing), viewing.introduction
    _require(introduction, IntroductionStatus.proposed, "decline")
    setattr(introduction, f"{side}_response", Response.declined)
    _record(
        session,
        introduction,
        actor=user,
        actor_role=side,
        action="decline",
        to=IntroductionStatus.declined,
        note=reason,
    )
    return viewing


def approve(session: Session, user: User, introduction_id: uuid.UUID, note: str | None) -> Viewing:
    """A coordinator approves; 409 when the mentor has no free place."""
    viewing = view(session, user, introduction_id, lock=True)
    _coordinator(viewing)
    introduction = viewing.introduction
    _require(introduction, IntroductionStatus.awaiting_approval, "approve")
    mentor = introduction.mentor_profile
    # Lock the mentor, then count: two approvals for one free place queue up here, and the
    # second sees the first's active mentorship.
    session.execute(select(Profile.id).where(Profile.id == mentor.id).with_for_update())
    if active_mentee_count(session, mentor.id) >= (mentor.capacity or 1):
        raise Conflict("The mentor is full: no free place for another mentee")
    introduction.approved_at = utcnow()
    introduction.mentee_profile.waiting_since = None
    _record(
        session,
        introduction,
        actor=user,
        actor_role="coordinator",
        action="approve",
        to=IntroductionStatus.active,
        note=note,
    )
    return viewing


def reject(session: Session, user: User, introduction_id: uuid.UUID, note: str | None) -> Viewing:
    """A coordinator rejects; the pair is never proposed again."""
    viewing = view(session, user, introduction_id, lock=True)
    _coordinator(viewing)
    _require(viewing.introduction, IntroductionStatus.awaiting_approval, "reject")
    _record(
        session,
        viewing.introduction,
        actor=user,
        actor_role="coordinator",
        action="reject",
        to=IntroductionStatus.rejected,
        note=note,
    )
    return viewing


def end(session: Session, user: User, introduction_id: uuid.UUID, reason: str | None) -> Viewing:
    """A participant ends an active mentorship."""
    viewing = view(session, user, introduction_id, lock=True)
    side = _participant(viewing)
    _require(viewing.introduction, IntroductionStatus.active, "end")
    _record(
        session,
        viewing.introduction,
        actor=user,
        actor_role=side,
        action="end",
        to=IntroductionStatus.ended,
        note=reason,
    )
    return viewing


def expire_due(session: Session, *, limit: int = 500) -> int:
    """Expire proposals nobody answered in time; their mentees are matched again."""
    due = session.scalars(
        select(Introduction)
        .where(
            Introduction.status == IntroductionStatus.proposed, Introduction.expires_at <= utcnow()
        )
        .order_by(Introduction.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for introduction in due:
        _record(
            session,
            introduction,
            actor=None,
            actor_role="system",
            action="expire",
            to=IntroductionStatus.expired,
        )
    return len(due)


def _distance_text(distance_km: float | None) -> str:
    if distance_km is None:
        return "online"
    return "under 2 km" if distance_km < 2 else f"about {int(distance_km)} km"


def _overlap_text(minutes: int) -> str:
    hours = minutes / 60
    return f"{hours:g} hours a week in common" if hours != 1 else "1 hour a week in common"


def _card(profile: Profile, introduction: Introduction) -> Card:
    return Card(
        profile_id=profile.id,
        alias=profile.alias,
        pathways=profile.pathways,  # type: ignore[arg-type]
        time_in_recovery=recovery_band(profile.recovery_date),
        languages=profile.languages,
        approximate_distance=_distance_text(introduction.distance_km),
        weekly_overlap=_overlap_text(introduction.overlap_minutes),
        interests=profile.interests,
        about=profile.about,
    )


def to_public(session: Session, viewing: Viewing) -> IntroductionPublic:
    """An introduction as the caller may see it; contact only for participants, once active."""
    introduction = viewing.introduction
    mentee, mentor = introduction.mentee_profile, introduction.mentor_profile
    contact = None
    if introduction.status == IntroductionStatus.active and viewing.role in ("mentee", "mentor"):
        people = {
            u.id: u
            for u in session.scalars(
                select(User).where(User.id.in_([mentee.user_id, mentor.user_id]))
            )
        }
        contact = Contacts(
            mentee=Contact(
                display_name=people[mentee.user_id].display_name, email=people[mentee.user_id].email
            ),
            mentor=Contact(
                display_name=people[mentor.user_id].display_name, email=people[mentor.user_id].email
            ),
        )
    return IntroductionPublic(
        id=introduction.id,
        status=IntroductionStatus(introduction.status),
        mentee_response=Response(introduction.mentee_response),
        mentor_response=Response(introduction.mentor_response),
        score=round(introduction.score, 4),
        explanation=introduction.explanation,
        proposed_at=introduction.proposed_at,
        expires_at=introduction.expires_at,
        mentee=_card(mentee, introduction),
        mentor=_card(mentor, introduction),
        contact=contact,
        your_role=viewing.role,
    )


def list_for_member(
    session: Session, user: User, status: IntroductionStatus | None, limit: int, offset: int
) -> tuple[list[Viewing], int]:
    """The member's own introductions, as mentee and as mentor, newest first."""
    own = select(Profile.id).where(Profile.user_id == user.id)
    where: list[ColumnElement[bool]] = [
        Introduction.mentee_profile_id.in_(own) | Introduction.mentor_profile_id.in_(own)
    ]
    if status is not None:
        where.append(Introduction.status == status)
    return _page(session, user, where, limit, offset)


def list_for_coordinator(
    session: Session, user: User, status: IntroductionStatus | None, limit: int, offset: int
) -> tuple[list[Viewing], int]:
    """The organization's introductions (the approval queue with `awaiting_approval`)."""
    where: list[ColumnElement[bool]] = [Introduction.organization_id == user.organization_id]
    if status is not None:
        where.append(Introduction.status == status)
    return _page(session, user, where, limit, offset)


def _page(
    session: Session, user: User, where: list[ColumnElement[bool]], limit: int, offset: int
) -> tuple[list[Viewing], int]:
    total = session.scalar(select(func.count()).select_from(Introduction).where(*where)) or 0
    rows = session.scalars(
        select(Introduction)
        .where(*where)
        .order_by(Introduction.proposed_at.desc(), Introduction.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [Viewing(row, _role_in(user, row) or "coordinator") for row in rows], total


def events(session: Session, user: User, introduction_id: uuid.UUID) -> list[EventPublic]:
    """The recorded transitions, oldest first (coordinators of the organization only)."""
    viewing = view(session, user, introduction_id)
    _coordinator(viewing)
    rows = session.scalars(
        select(IntroductionEvent)
        .where(IntroductionEvent.introduction_id == introduction_id)
        .order_by(IntroductionEvent.at, IntroductionEvent.id)
    )
    return [
        EventPublic(
            at=row.at,
            actor=row.actor_role,
            action=row.action,
            from_status=IntroductionStatus(row.from_status) if row.from_status else None,
            to_status=IntroductionStatus(row.to_status),
            note=row.note,
        )
        for row in rows
    ]


def stats(session: Session, organization_id: uuid.UUID) -> Stats:
    """Counts and rates for an organization's coordinators."""
    in_org = Introduction.organization_id == organization_id
    by_status = dict(
        session.execute(
            select(Introduction.status, func.count()).where(in_org).group_by(Introduction.status)
        ).all()
    )
    counts = {status.value: int(by_status.get(status.value, 0)) for status in IntroductionStatus}
    reached_active = session.execute(
        select(Introduction.approved_at, Profile.created_at)
        .join(Profile, Profile.id == Introduction.mentee_profile_id)
        .where(in_org, Introduction.approved_at.is_not(None))
    ).all()
    days = [
        (approved - created).total_seconds() / 86400
        for approved, created in reached_active
        if approved is not None
    ]
    both_accepted = sum(counts[s] for s in ("awaiting_approval", "active", "rejected", "ended"))
    answered = both_accepted + counts["declined"]
    mentors = session.execute(
        select(Profile.vetting_status, func.count(), func.sum(Profile.capacity))
        .where(Profile.organization_id == organization_id, Profile.role == ProfileRole.mentor)
        .group_by(Profile.vetting_status)
    ).all()
    vetting = {status.value: 0 for status in VettingStatus}
    capacity = 0
    for status, count, places in mentors:
        vetting[str(status)] = int(count)
        if status == VettingStatus.approved:
            capacity = int(places or 0)
    return Stats(
        introductions_by_status=counts,
        median_days_to_active=round(statistics.median(days), 2) if days else None,
        acceptance_rate=round(both_accepted / answered, 4) if answered else None,
        mentor_utilization=round(counts["active"] / capacity, 4) if capacity else None,
        waiting_mentees=waiting_count(session, organization_id),
        mentors_by_vetting_status=vetting,
    )
