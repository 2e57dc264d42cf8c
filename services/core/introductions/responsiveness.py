"""Mentors who answer: reminders before a proposal expires, a hold on a mentor who lets two
in a row expire (a coordinator resumes them), and each mentor's answering record.

A mentor's own pause (`paused`, for their own recovery) is a different thing: it is theirs
to set and clear, and like a hold it stops new proposals while active mentorships carry on.
"""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from services.core.errors import Conflict
from services.core.matching.proposals import queue_profile_matching
from services.core.models import (
    Answer,
    Introduction,
    IntroductionEvent,
    IntroductionStatus,
    Notification,
    Profile,
    ProfileRole,
    User,
)
from services.core.notifications import notify_coordinators, notify_participants, notify_user
from services.core.profiles.service import get_org_profile

REMIND_BEFORE = timedelta(days=1)
# This many proposals in a row expiring without the mentor's answer put them on hold.
UNANSWERED_IN_A_ROW = 2
REMINDER = "expiring"


def remind_due(*, session: Session, now: datetime, limit: int = 500) -> int:
    """Owe a reminder to each side that has not answered a proposal expiring within a day
    (once per proposal and person); returns the proposals reminded about."""
    reminded = exists().where(
        Notification.introduction_id == Introduction.id, Notification.kind == REMINDER
    )
    due = session.scalars(
        select(Introduction)
        .where(
            Introduction.status == IntroductionStatus.proposed,
            Introduction.expires_at > now,
            Introduction.expires_at <= now + REMIND_BEFORE,
            ~reminded,
        )
        .order_by(Introduction.expires_at)
        .limit(limit)
    ).all()
    for introduction in due:
        for side in ("mentee", "mentor"):
            profile_id = getattr(introduction, f"{side}_profile_id")
            if profile_id is not None and getattr(introduction, f"{side}_response") == (
                Answer.pending
            ):
                notify_participants(
                    session=session, introduction=introduction, kind=REMINDER, only=profile_id
                )
    return len(due)


def hold_if_unresponsive(*, session: Session, mentor_id: uuid.UUID, now: datetime) -> bool:
    """Hold a mentor whose last proposals all expired without their answer; True if held now.
    The coordinators and the mentor are told; the mentees were queued for matching when
    their proposals expired, and the hold keeps this mentor out of those matches."""
    mentor = session.get(Profile, mentor_id, with_for_update=True)
    if mentor is None or mentor.held_since is not None:
        return False
    last = session.execute(
        select(Introduction.status, Introduction.mentor_response)
        .where(
            Introduction.mentor_profile_id == mentor_id,
            Introduction.status != IntroductionStatus.proposed,
        )
        .order_by(Introduction.proposed_at.desc(), Introduction.id)
        .limit(UNANSWERED_IN_A_ROW)
    ).all()
    unanswered = [
        row
        for row in last
        if row.status == IntroductionStatus.expired and row.mentor_response == Answer.pending
    ]
    if len(unanswered) < UNANSWERED_IN_A_ROW:
        return False
    mentor.held_since = now
    notify_coordinators(
        session=session,
        organization_id=mentor.organization_id,
        kind="mentor_held",
        subject_id=mentor.id,
    )
    notify_user(session=session, user_id=mentor.user_id, kind="held", subject_id=mentor.id)
    session.flush()
    return True


def resume(*, session: Session, coordinator: User, profile_id: uuid.UUID) -> Profile:
    """A coordinator lifts a hold on a mentor of their organization; 409 when not held."""
    mentor = get_org_profile(
        session=session,
        organization_id=coordinator.organization_id,
        profile_id=profile_id,
        role=ProfileRole.mentor,
    )
    if mentor.held_since is None:
        raise Conflict("This mentor is not on hold")
    mentor.held_since = None
    session.flush()
    queue_profile_matching(session=session, profile=mentor)
    return mentor


def pause_own(*, session: Session, mentor: Profile, paused: bool) -> Profile:
    """A mentor pauses (or resumes) new proposals for themselves; mentorships carry on."""
    if mentor.paused != paused:
        mentor.paused = paused
        session.flush()
        if not paused:
            queue_profile_matching(session=session, profile=mentor)
    return mentor


@dataclass(frozen=True)
class AnswerRecord:
    """How a mentor answers proposals: the median hours to answer, and how many expired."""

    median_answer_hours: float | None
    expired_unanswered: int


def answer_records(
    *, session: Session, mentor_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, AnswerRecord]:
    """Each mentor's answering record, in two queries for the whole page."""
    ids = list(set(mentor_ids))
    if not ids:
        return {}
    waits: dict[uuid.UUID, list[float]] = defaultdict(list)
    answered = session.execute(
        select(Introduction.mentor_profile_id, Introduction.proposed_at, IntroductionEvent.at)
        .join(IntroductionEvent, IntroductionEvent.introduction_id == Introduction.id)
        .where(
            Introduction.mentor_profile_id.in_(ids),
            IntroductionEvent.actor_role == "mentor",
            IntroductionEvent.action.in_(["accept", "decline"]),
        )
    ).all()
    for mentor_id, proposed_at, at in answered:
        if mentor_id is not None:
            waits[mentor_id].append(max(0.0, (at - proposed_at).total_seconds() / 3600))
    expired = dict(
        session.execute(
            select(Introduction.mentor_profile_id, func.count(Introduction.id))
            .where(
                Introduction.mentor_profile_id.in_(ids),
                Introduction.status == IntroductionStatus.expired,
                Introduction.mentor_response == Answer.pending,
            )
            .group_by(Introduction.mentor_profile_id)
        ).all()
    )
    return {
        mentor_id: AnswerRecord(
            median_answer_hours=round(statistics.median(waits[mentor_id]), 1)
            if waits[mentor_id]
            else None,
            expired_unanswered=expired.get(mentor_id, 0),
        )
        for mentor_id in ids
    }
