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

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.core.db import utcnow
from services.core.errors import Conflict, Forbidden, NotFound
from services.core.introductions.responsiveness import hold_if_unresponsive
from services.core.matching.eligibility import active_mentee_count
from services.core.matching.proposals import queue_profile_matching
from services.core.models import (
    HOLDING_STATUSES,
    Answer,
    Introduction,
    IntroductionEvent,
    IntroductionStatus,
    Profile,
    Role,
    User,
)
from services.core.notifications import notify_coordinators, notify_participants
from services.core.safety.exclusions import exclude_pair
from services.core.vocabulary import DeclineReason, EndReason, ExclusionReason, ViewerRole

# Both profiles, loaded with the introduction: every view and transition reads them, and
# the relationships refuse to lazy-load (`lazy="raise"`).
WITH_PROFILES = [
    selectinload(Introduction.mentee_profile),
    selectinload(Introduction.mentor_profile),
]

CLOSED_FOR_GOOD = {
    IntroductionStatus.declined: ExclusionReason.declined,
    IntroductionStatus.rejected: ExclusionReason.rejected,
    IntroductionStatus.ended: ExclusionReason.ended,
    IntroductionStatus.expired: ExclusionReason.expired,
}


@dataclass(frozen=True)
class Viewing:
    """An introduction and the caller's part in it: mentee, mentor or coordinator."""

    introduction: Introduction
    role: ViewerRole


def role_in(user: User, introduction: Introduction) -> ViewerRole | None:
    """The caller's part in an introduction, or None when it is none of theirs."""
    mentee, mentor = introduction.mentee_profile, introduction.mentor_profile
    if mentee is not None and mentee.user_id == user.id:
        return "mentee"
    if mentor is not None and mentor.user_id == user.id:
        return "mentor"
    if user.role == Role.coordinator and user.organization_id == introduction.organization_id:
        return "coordinator"
    return None


def view(
    *, session: Session, user: User, introduction_id: uuid.UUID, lock: bool = False
) -> Viewing:
    """Load an introduction the caller takes part in or coordinates; others get 404."""
    introduction = session.get(
        Introduction, introduction_id, options=WITH_PROFILES, with_for_update=lock or None
    )
    role = role_in(user, introduction) if introduction is not None else None
    if introduction is None or role is None:
        raise NotFound("No such introduction")
    return Viewing(introduction, role)


def _event(
    session: Session,
    introduction: Introduction,
    actor: User | None,
    actor_role: str,
    action: str,
    before: str,
    note: str | None = None,
) -> None:
    session.add(
        IntroductionEvent(
            introduction_id=introduction.id,
            actor_id=actor.id if actor else None,
            actor_role=actor_role,
            action=action,
            from_status=before,
            to_status=introduction.status,
            note=note,
            at=utcnow(),
        )
    )


def _record(
    session: Session,
    introduction: Introduction,
    actor: User | None,
    actor_role: str,
    action: str,
    to: IntroductionStatus,
    note: str | None = None,
) -> None:
    before = introduction.status
    introduction.status = to
    _event(session, introduction, actor, actor_role, action, before, note)
    if to in CLOSED_FOR_GOOD:
        introduction.closed_at = utcnow()
        mentee, mentor = introduction.mentee_profile, introduction.mentor_profile
        if mentee is not None and mentor is not None:
            exclude_pair(
                session=session,
                organization_id=introduction.organization_id,
                mentee_user_id=mentee.user_id,
                mentor_user_id=mentor.user_id,
                reason=CLOSED_FOR_GOOD[to],
            )
        # Both are free again: the mentee needs a new match, the mentor has a place.
        if mentee is not None:
            if mentee.waiting_since is None:  # from an active mentorship: waiting anew
                mentee.waiting_since = utcnow()
            queue_profile_matching(session=session, profile=mentee)
        if mentor is not None:
            queue_profile_matching(session=session, profile=mentor)
    notify_participants(session=session, introduction=introduction, kind=str(to))
    session.flush()


def _participant(viewing: Viewing) -> str:
    if viewing.role == "coordinator":
        raise Forbidden("Only the two people introduced can answer or end an introduction")
    return viewing.role


def require_coordinator(viewing: Viewing) -> None:
    """403 unless the caller coordinates the introduction's organization."""
    if viewing.role != "coordinator":
        raise Forbidden("Only a coordinator of the organization can do this")


def _require(introduction: Introduction, status: IntroductionStatus, verb: str) -> None:
    if introduction.status != status:
        raise Conflict(f"Cannot {verb} an introduction that is {introduction.status}")


def accept(*, session: Session, user: User, introduction_id: uuid.UUID) -> Viewing:
    """A participant accepts; when both have, it goes to a coordinator."""
    viewing = view(session=session, user=user, introduction_id=introduction_id, lock=True)
    side, introduction = _participant(viewing), viewing.introduction
    _require(introduction, IntroductionStatus.proposed, "accept")
    if getattr(introduction, f"{side}_response") == Answer.accepted:
        return viewing  # accepted already: the same answer, nothing recorded twice
    setattr(introduction, f"{side}_response", Answer.accepted)
    if introduction.mentee_response == introduction.mentor_response == Answer.accepted:
        _record(session, introduction, user, side, "accept", IntroductionStatus.awaiting_approval)
        notify_coordinators(
            session=session,
            organization_id=introduction.organization_id,
            kind="approval_needed",
            introduction_id=introduction.id,
        )
    else:  # one side so far: recorded, and the other told it is their turn
        _event(session, introduction, user, side, "accept", introduction.status)
        other = "mentor" if side == "mentee" else "mentee"
        other_id = getattr(introduction, f"{other}_profile_id")
        if other_id is not None:
            notify_participants(
                session=session, introduction=introduction, kind="partner_accepted", only=other_id
            )
        session.flush()
    return viewing


def decline(
    *,
    session: Session,
    user: User,
    introduction_id: uuid.UUID,
    reason: str | None,
    reason_code: DeclineReason = DeclineReason.other,
) -> Viewing:
    """A participant declines; the pair is never proposed again."""
    viewing = view(session=session, user=user, introduction_id=introduction_id, lock=True)
    side, introduction = _participant(viewing), viewing.introduction
    _require(introduction, IntroductionStatus.proposed, "decline")
    setattr(introduction, f"{side}_response", Answer.declined)
    introduction.decline_reason = reason_code
    _record(session, introduction, user, side, "decline", IntroductionStatus.declined, reason)
    return viewing


def approve(
    *, session: Session, user: User, introduction_id: uuid.UUID, note: str | None
) -> Viewing:
    """A coordinator approves; 409 when the mentor has no free place."""
    viewing = view(session=session, user=user, introduction_id=introduction_id, lock=True)
    require_coordinator(viewing)
    introduction = viewing.introduction
    _require(introduction, IntroductionStatus.awaiting_approval, "approve")
    mentor, mentee = introduction.mentor_profile, introduction.mentee_profile
    if mentor is None or mentee is None:  # erasure ends open ones, so this is a safeguard
        raise Conflict("One of the two has left PeerMatch")
    # Lock the mentor, then count: two approvals for one free place queue up here, and the
    # second sees the first's active mentorship.
    session.execute(select(Profile.id).where(Profile.id == mentor.id).with_for_update())
    if active_mentee_count(session=session, mentor_id=mentor.id) >= mentor.places:
        raise Conflict("The mentor is full: no free place for another mentee")
    introduction.approved_at = utcnow()
    mentee.waiting_since = None
    _record(session, introduction, user, "coordinator", "approve", IntroductionStatus.active, note)
    return viewing


def reject(
    *, session: Session, user: User, introduction_id: uuid.UUID, note: str | None
) -> Viewing:
    """A coordinator rejects; the pair is never proposed again."""
    viewing = view(session=session, user=user, introduction_id=introduction_id, lock=True)
    require_coordinator(viewing)
    introduction = viewing.introduction
    _require(introduction, IntroductionStatus.awaiting_approval, "reject")
    _record(session, introduction, user, "coordinator", "reject", IntroductionStatus.rejected, note)
    return viewing


def end(
    *,
    session: Session,
    user: User,
    introduction_id: uuid.UUID,
    reason: str | None,
    reason_code: EndReason = EndReason.other,
) -> Viewing:
    """A participant ends an active mentorship."""
    viewing = view(session=session, user=user, introduction_id=introduction_id, lock=True)
    side = _participant(viewing)
    _require(viewing.introduction, IntroductionStatus.active, "end")
    viewing.introduction.end_reason = reason_code
    _record(session, viewing.introduction, user, side, "end", IntroductionStatus.ended, reason)
    return viewing


def participant_side(viewing: Viewing) -> str:
    """The caller's side ("mentee" or "mentor"); 403 for a coordinator."""
    return _participant(viewing)


def end_at_once(
    *, session: Session, introduction: Introduction, actor: User | None, side: str, action: str
) -> None:
    """End an open or active introduction now (a block, an erasure): the other side sees only
    that it ended; coordinators see the `action` in the event log. Closed ones stay as they
    are."""
    if introduction.status in HOLDING_STATUSES:
        _record(session, introduction, actor, side, action, IntroductionStatus.ended)


def expire_due(*, session: Session, limit: int = 500, now: datetime | None = None) -> int:
    """Expire proposals nobody answered in time; their mentees are matched again, and a
    mentor who let two in a row expire is put on hold."""
    now = now or utcnow()
    due = session.scalars(
        select(Introduction)
        .where(Introduction.status == IntroductionStatus.proposed, Introduction.expires_at <= now)
        .options(*WITH_PROFILES)
        .order_by(Introduction.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    unanswered: set[uuid.UUID] = set()
    for introduction in due:
        _record(session, introduction, None, "system", "expire", IntroductionStatus.expired)
        if introduction.mentor_response == Answer.pending and introduction.mentor_profile_id:
            unanswered.add(introduction.mentor_profile_id)
    for mentor_id in sorted(unanswered):
        hold_if_unresponsive(session=session, mentor_id=mentor_id, now=now)
    return len(due)
