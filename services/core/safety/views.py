"""What members and coordinators see of blocks, reports, exclusions and the access log, and
the export: everything held about a member, as one document."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.accounts import views as account_views
from services.core.db import utcnow
from services.core.introductions import views as introduction_views
from services.core.models import IntroductionEvent, PairExclusion, Profile, ProfileRole, User
from services.core.models.safety import AccessLogEntry, Block, Report
from services.core.profiles import views as profile_views
from services.core.safety import access, service, support
from services.core.safety.exclusions import current_profiles
from services.core.safety.schemas import (
    AccessLogEntryPublic,
    BlockOutcome,
    BlockPublic,
    ExclusionPublic,
    Export,
    ReportFiled,
    ReportPublic,
)
from services.core.vocabulary import AccessKind

WHAT_WAS_READ = {
    AccessKind.profile: "A coordinator read your profile.",
    AccessKind.introduction: "A coordinator read an introduction you are part of.",
    AccessKind.contact: "A coordinator read your profile with your name and email.",
    AccessKind.report: "A coordinator read a report you made.",
}
A_COORDINATOR_WHO_LEFT = "a coordinator who has left"


def block_public(row: Block) -> BlockPublic:
    """A block as the blocker sees it: the alias they knew, and when."""
    return BlockPublic(id=row.id, alias=row.other_alias, blocked_at=row.created_at)


def block_outcome(*, session: Session, blocked: service.Blocked) -> BlockOutcome:
    """A block just made, as the blocker sees it, with the support resources."""
    row = blocked.block
    return BlockOutcome(
        id=row.id,
        alias=row.other_alias,
        blocked_at=row.created_at,
        introduction_status=str(blocked.introduction.status),
        support_resources=support.for_organization(
            session=session, organization_id=row.organization_id
        ),
    )


def report_filed(*, session: Session, report: Report) -> ReportFiled:
    """A report just filed, as the reporter sees it, with the support resources."""
    return ReportFiled(
        id=report.id,
        status=report.status,
        support_resources=support.for_organization(
            session=session, organization_id=report.organization_id
        ),
    )


def report_public(row: Report) -> ReportPublic:
    """A report as the organization's coordinators see it."""
    return ReportPublic(
        id=row.id,
        introduction_id=row.introduction_id,
        category=row.category,
        details=row.details,
        status=row.status,
        reported_by=row.reporter_role,
        reported_alias=row.reported_alias,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        resolution_note=row.resolution_note,
    )


def report_presenter(
    *, session: Session, coordinator: User, reports: Sequence[Report]
) -> Callable[[Report], ReportPublic]:
    """`report_public` for a page of reports, the read recorded in each reporter's access log
    (the reported member's log is left alone: reports are not shown to who they are about)."""
    access.record_reads(
        session=session,
        coordinator=coordinator,
        what=AccessKind.report,
        member_ids=[row.reporter_user_id for row in reports],
    )
    return report_public


def exclusion_presenter(
    *, session: Session, exclusions: Sequence[PairExclusion]
) -> Callable[[PairExclusion], ExclusionPublic]:
    """`ExclusionPublic` for a page of exclusions, the people's profiles read once for all."""
    held = current_profiles(session=session, exclusions=exclusions)

    def present(row: PairExclusion) -> ExclusionPublic:
        mentee = held.get((row.mentee_user_id, ProfileRole.mentee))
        mentor = held.get((row.mentor_user_id, ProfileRole.mentor))
        return ExclusionPublic(
            id=row.id,
            mentee_profile_id=mentee.id if mentee else None,
            mentor_profile_id=mentor.id if mentor else None,
            mentee_alias=mentee.alias if mentee else "no mentee profile now",
            mentor_alias=mentor.alias if mentor else "no mentor profile now",
            reason=row.note or "",
            created_at=row.created_at,
        )

    return present


def access_presenter(
    *, session: Session, entries: Sequence[AccessLogEntry]
) -> Callable[[AccessLogEntry], AccessLogEntryPublic]:
    """`AccessLogEntryPublic` for a page of entries, coordinators' names read once for all."""
    names: Mapping[uuid.UUID, str] = access.coordinator_names(session=session, entries=entries)

    def present(row: AccessLogEntry) -> AccessLogEntryPublic:
        coordinator = names.get(row.coordinator_user_id) if row.coordinator_user_id else None
        return AccessLogEntryPublic(
            at=row.at,
            coordinator=coordinator or A_COORDINATOR_WHO_LEFT,
            what=row.what,
            description=WHAT_WAS_READ[row.what],
        )

    return present


def export(*, session: Session, user: User) -> Export:
    """Everything PeerMatch holds about the caller."""
    account = account_views.to_public(user).model_dump(mode="json")
    consent = account.pop("consent", None)
    account["created_at"] = user.created_at.isoformat()
    profiles = [
        profile_views.to_public(session=session, profile=p).model_dump(mode="json")
        for p in session.scalars(
            select(Profile).where(Profile.user_id == user.id).order_by(Profile.role)
        )
    ]
    viewings = service.own_introductions(session=session, user=user)
    present = introduction_views.presenter(session=session, viewings=viewings)
    introductions = [present(v).model_dump(mode="json") for v in viewings]
    codes = {
        v.introduction.id: (v.introduction.decline_reason, v.introduction.end_reason)
        for v in viewings
    }
    answers = []
    for event in session.scalars(
        select(IntroductionEvent)
        .where(IntroductionEvent.actor_id == user.id)
        .order_by(IntroductionEvent.at, IntroductionEvent.id)
    ):
        decline_code, end_code = codes.get(event.introduction_id, (None, None))
        code = {"decline": decline_code, "end": end_code}.get(event.action)
        answers.append(
            {
                "introduction_id": str(event.introduction_id),
                "at": event.at.isoformat(),
                "action": event.action,
                "reason_code": str(code) if code else None,
                "reason": event.note,
            }
        )
    blocks = [
        {**block_public(b).model_dump(mode="json"), "reason": b.reason}
        for b in session.scalars(
            select(Block).where(Block.blocker_user_id == user.id).order_by(Block.created_at)
        )
    ]
    reports = [
        {
            "id": str(r.id),
            "introduction_id": str(r.introduction_id) if r.introduction_id else None,
            "category": str(r.category),
            "details": r.details,
            "status": str(r.status),
            "created_at": r.created_at.isoformat(),
        }
        for r in session.scalars(
            select(Report).where(Report.reporter_user_id == user.id).order_by(Report.created_at)
        )
    ]
    entries = list(
        session.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.member_user_id == user.id)
            .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id)
        )
    )
    log = access_presenter(session=session, entries=entries)
    return Export(
        exported_at=utcnow(),
        account=account,
        consent=consent,
        profiles=profiles,
        introductions=introductions,
        answers_and_reasons=answers,
        blocks=blocks,
        reports_filed=reports,
        access_log=[log(e) for e in entries],
    )
