"""What members do to stay safe (block, report), what coordinators do with reports, and
the member's own data: export and erasure."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from services.core.accounts.security import verify_password
from services.core.db import utcnow
from services.core.errors import Conflict, Forbidden, NotFound
from services.core.introductions import transitions
from services.core.introductions.transitions import WITH_PROFILES
from services.core.introductions.views import SOMEONE_WHO_LEFT
from services.core.models import (
    Introduction,
    IntroductionEvent,
    IntroductionStatus,
    Profile,
    User,
)
from services.core.models.safety import Block, Report
from services.core.pagination import Page, paginate
from services.core.safety.exclusions import exclude_pair
from services.core.vocabulary import ExclusionReason, ReportCategory, ReportStatus


@dataclass(frozen=True)
class Blocked:
    """A block just made, and the introduction it ended."""

    block: Block
    introduction: Introduction


def _other_side(viewing: transitions.Viewing) -> tuple[str, Profile | None, Profile | None]:
    side = transitions.participant_side(viewing)
    introduction = viewing.introduction
    if side == "mentee":
        return side, introduction.mentee_profile, introduction.mentor_profile
    return side, introduction.mentor_profile, introduction.mentee_profile


def block(
    *, session: Session, user: User, introduction_id: uuid.UUID, reason: str | None
) -> Blocked:
    """A participant blocks the other side: the introduction ends now (they see only that),
    and the two are never proposed to each other again."""
    viewing = transitions.view(
        session=session, user=user, introduction_id=introduction_id, lock=True
    )
    side, _mine, other = _other_side(viewing)
    introduction = viewing.introduction
    if introduction.status == IntroductionStatus.ended:
        raise Conflict("This introduction has already ended")
    if other is None:
        raise Conflict("The other person has already left PeerMatch")
    transitions.end_at_once(
        session=session, introduction=introduction, actor=user, side=side, action="block"
    )
    mentee_user, mentor_user = (
        (user.id, other.user_id) if side == "mentee" else (other.user_id, user.id)
    )
    exclude_pair(
        session=session,
        organization_id=introduction.organization_id,
        mentee_user_id=mentee_user,
        mentor_user_id=mentor_user,
        reason=ExclusionReason.blocked,
        created_by_id=user.id,
    )
    row = Block(
        organization_id=introduction.organization_id,
        introduction_id=introduction.id,
        blocker_user_id=user.id,
        blocked_user_id=other.user_id,
        other_alias=other.alias,
        reason=reason,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return Blocked(row, introduction)


def list_blocks(*, session: Session, user: User, limit: int, offset: int) -> Page[Block]:
    """The caller's blocks, newest first."""
    statement = (
        select(Block)
        .where(Block.blocker_user_id == user.id)
        .order_by(Block.created_at.desc(), Block.id)
    )
    return paginate(session=session, statement=statement, limit=limit, offset=offset)


def report(
    *,
    session: Session,
    user: User,
    introduction_id: uuid.UUID,
    category: ReportCategory,
    details: str | None,
) -> Report:
    """A participant reports the other side to the coordinators; the other is not told."""
    viewing = transitions.view(session=session, user=user, introduction_id=introduction_id)
    side, _mine, other = _other_side(viewing)
    row = Report(
        organization_id=viewing.introduction.organization_id,
        introduction_id=viewing.introduction.id,
        reporter_user_id=user.id,
        reported_user_id=other.user_id if other is not None else None,
        reporter_role=side,
        reported_alias=other.alias if other is not None else SOMEONE_WHO_LEFT,
        category=category,
        details=details,
        status=ReportStatus.open,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def list_reports(
    *,
    session: Session,
    coordinator: User,
    status: ReportStatus | None,
    limit: int,
    offset: int,
) -> Page[Report]:
    """The organization's reports, oldest open first (newest first once resolved)."""
    where = [Report.organization_id == coordinator.organization_id]
    if status is not None:
        where.append(Report.status == status)
    statement = select(Report).where(*where).order_by(Report.created_at, Report.id)
    return paginate(session=session, statement=statement, limit=limit, offset=offset)


def resolve_report(
    *, session: Session, coordinator: User, report_id: uuid.UUID, note: str
) -> Report:
    """A coordinator resolves an open report of their organization; 404 for another's."""
    row = session.get(Report, report_id, with_for_update=True)
    if row is None or row.organization_id != coordinator.organization_id:
        raise NotFound("No such report in your organization")
    if row.status == ReportStatus.resolved:
        raise Conflict("This report is resolved already")
    row.status = ReportStatus.resolved
    row.resolved_at = utcnow()
    row.resolved_by_id = coordinator.id
    row.resolution_note = note
    session.flush()
    return row


def own_introductions(*, session: Session, user: User) -> list[transitions.Viewing]:
    """Every introduction the caller takes part in, newest first (for the export)."""
    own = select(Profile.id).where(Profile.user_id == user.id)
    rows = session.scalars(
        select(Introduction)
        .where(Introduction.mentee_profile_id.in_(own) | Introduction.mentor_profile_id.in_(own))
        .options(*WITH_PROFILES)
        .order_by(Introduction.proposed_at.desc(), Introduction.id)
    ).all()
    return [transitions.Viewing(row, transitions.role_in(user, row) or "mentee") for row in rows]


def erase(*, session: Session, user: User, password: str) -> None:
    """Delete the caller's account and everything that names them (403 on a wrong password).

    Open and active introductions end (the other side sees only that) and the other side is
    queued for matching; the introductions stay for the statistics with this side emptied.
    """
    if not verify_password(password, user.password_hash):
        raise Forbidden("That password is not right, so nothing was deleted")
    profile_ids = list(session.scalars(select(Profile.id).where(Profile.user_id == user.id)))
    introductions = (
        session.scalars(
            select(Introduction)
            .where(
                or_(
                    Introduction.mentee_profile_id.in_(profile_ids),
                    Introduction.mentor_profile_id.in_(profile_ids),
                )
            )
            .options(*WITH_PROFILES)
            .order_by(Introduction.id)
            .with_for_update()
        ).all()
        if profile_ids
        else []
    )
    for introduction in introductions:
        side = "mentee" if introduction.mentee_profile_id in profile_ids else "mentor"
        transitions.end_at_once(
            session=session, introduction=introduction, actor=user, side=side, action="leave"
        )
    session.flush()
    for introduction in introductions:
        # What stays names nobody: no link to this side, no explanation about the two.
        if introduction.mentee_profile_id in profile_ids:
            introduction.mentee_profile_id = None
            introduction.mentee_profile = None
        else:
            introduction.mentor_profile_id = None
            introduction.mentor_profile = None
        introduction.explanation = {}
    session.execute(
        update(IntroductionEvent).where(IntroductionEvent.actor_id == user.id).values(note=None)
    )
    session.execute(update(Report).where(Report.reporter_user_id == user.id).values(details=None))
    session.execute(
        update(Report)
        .where(Report.reported_user_id == user.id)
        .values(reported_alias=SOMEONE_WHO_LEFT)
    )
    session.flush()
    for profile in session.scalars(select(Profile).where(Profile.id.in_(profile_ids))):
        session.delete(profile)
    session.flush()
    # The database removes the rest: exclusions, blocks, access log, notifications (CASCADE)
    # and the links from events, reports and runs (SET NULL).
    session.delete(user)
    session.flush()
