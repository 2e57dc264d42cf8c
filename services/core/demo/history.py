"""A few months of introductions for the demo, made through the real services and then
moved back in time, so that the dashboard, the queues and the lists have something to show.

Each story is a coordinator's proposal for one pair, the steps its people took (accept,
decline, approve, reject, end, or no answer until it expired), and when each step
happened, in days before now. Only the dates are set by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.core.db import utcnow
from services.core.introductions import manual, transitions
from services.core.introductions.schemas import ManualProposal
from services.core.models import Introduction, IntroductionEvent, Profile, User
from services.core.models.operations import Notification
from services.core.vocabulary import DeclineReason, EndReason


@dataclass(frozen=True)
class Story:
    """One introduction: the pair, then (who, what, reason) steps with their days ago."""

    mentee: str
    mentor: str
    proposed: float
    steps: tuple[tuple[str, str, str | None, float], ...] = ()
    # Past ones had their emails sent then; live ones owe them now.
    live: bool = False


def _both(at: float, then: float) -> tuple[tuple[str, str, str | None, float], ...]:
    return (("mentee", "accept", None, at), ("mentor", "accept", None, then))


def _active(at: float, approved: float) -> tuple[tuple[str, str, str | None, float], ...]:
    return (*_both(at, at - 0.5), ("coordinator", "approve", None, approved))


# Oldest first: each closes before the next opens, so capacity holds at every step.
STORIES = [
    Story("Heron", "Juniper", 125, (*_active(124, 121), ("mentee", "end", "goals_met", 20))),
    Story("Wren", "Cedar", 110, (*_active(109, 104), ("mentor", "end", "schedule", 21))),
    Story("Jay", "Juniper", 105, (("mentee", "accept", None, 104), ("system", "expire", None, 98))),
    Story("Jay", "Birch", 97, (*_active(96, 94), ("mentee", "end", "lost_contact", 70))),
    Story("Kit", "Cedar", 85, (*_both(84, 83), ("coordinator", "reject", None, 82))),
    Story("Ash", "Birch", 72, (("mentor", "decline", "schedule", 71),)),
    Story("Bay", "Juniper", 52, (("mentee", "decline", "not_a_fit", 51),)),
    Story("Moss", "Birch", 40, (("mentee", "decline", "distance", 39.5),)),
    Story(
        "Dove", "Cedar", 33, (("mentor", "accept", None, 32), ("mentee", "decline", "personal", 31))
    ),
    Story("Heron", "Birch", 12, (("mentor", "decline", "other", 11),)),
    # Now: four mentorships, two awaiting approval, two proposals to answer.
    Story("Jay", "Cedar", 62, _active(61, 58)),
    Story("Kit", "Birch", 47, _active(46, 44)),
    Story("Moss", "Sage", 32, _active(31, 29)),
    Story("Bay", "Birch", 17, _active(16, 15)),
    Story("Ash", "Cedar", 5, _both(4, 3), live=True),
    Story("Fern", "Sage", 3, _both(2.5, 2), live=True),
    Story("Dove", "Juniper", 2, (("mentee", "accept", None, 1),), live=True),
    Story("Robin", "Juniper", 0.1, live=True),
]
REJECT_NOTE = "Kit asked for a mentor who meets on weekends; Cedar is free only on weekdays."


def _take(
    session: Session,
    introduction: Introduction,
    step: tuple[str, str, str | None, float],
    user: User,
) -> None:
    """One step, as the person (or the clock) takes it through the service."""
    _, action, reason, _ = step
    if action == "accept":
        transitions.accept(session=session, user=user, introduction_id=introduction.id)
    elif action == "decline":
        transitions.decline(
            session=session,
            user=user,
            introduction_id=introduction.id,
            reason=None,
            reason_code=DeclineReason(reason or "other"),
        )
    elif action == "end":
        transitions.end(
            session=session,
            user=user,
            introduction_id=introduction.id,
            reason=None,
            reason_code=EndReason(reason or "other"),
        )
    elif action == "approve":
        transitions.approve(session=session, user=user, introduction_id=introduction.id, note=None)
    elif action == "reject":
        transitions.reject(
            session=session, user=user, introduction_id=introduction.id, note=REJECT_NOTE
        )
    else:  # nobody answered in time: the expiry task's own service, on an overdue proposal
        introduction.expires_at = utcnow() - timedelta(seconds=1)
        transitions.expire_due(session=session)


def _move_back(session: Session, introduction: Introduction, story: Story, now: datetime) -> None:
    """Set the introduction's and its events' dates to the story's (history only)."""
    ago = [story.proposed, *(step[3] for step in story.steps)]
    events = session.scalars(
        select(IntroductionEvent)
        .where(IntroductionEvent.introduction_id == introduction.id)
        .order_by(IntroductionEvent.at, IntroductionEvent.id)
    ).all()
    # One event a step, in the order taken (their clock times are microseconds apart).
    for event, days in zip(sorted(events, key=lambda e: e.at), ago, strict=True):
        event.at = now - timedelta(days=days)
    introduction.proposed_at = now - timedelta(days=story.proposed)
    introduction.expires_at = introduction.proposed_at + (
        introduction.expires_at - introduction.proposed_at if story.live else timedelta(days=7)
    )
    for _, action, _, days in story.steps:
        if action == "approve":
            introduction.approved_at = now - timedelta(days=days)
        if action in ("decline", "end", "reject", "expire"):
            introduction.closed_at = now - timedelta(days=days)
    if not story.live:
        session.execute(
            update(Notification)
            .where(Notification.introduction_id == introduction.id)
            .values(created_at=introduction.proposed_at, sent_at=introduction.proposed_at)
        )


def tell(
    *,
    session: Session,
    coordinator: User,
    who: dict[str, User],
    profiles: dict[str, Profile],
    expiry_days: int,
) -> list[Introduction]:
    """Play every story through the services, then date it; the introductions made."""
    now = utcnow()
    who = {**who, "": coordinator}
    made = []
    for story in STORIES:
        introduction = manual.propose(
            session=session,
            coordinator=coordinator,
            body=ManualProposal(
                mentee_profile_id=profiles[story.mentee].id,
                mentor_profile_id=profiles[story.mentor].id,
            ),
            expiry_days=expiry_days,
        )
        for step in story.steps:
            side = step[0]
            name = story.mentee if side == "mentee" else story.mentor if side == "mentor" else ""
            _take(session, introduction, step, who[name])
        session.flush()
        _move_back(session, introduction, story, now)
        session.flush()
        made.append(introduction)
    return made
