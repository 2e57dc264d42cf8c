"""Coordinators' views of their own organization: vetting and the waiting list."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Response, status

from services.api.deps import CurrentCoordinator, Limit, Offset, SessionDep, SettingsDep
from services.api.paging import page_out
from services.core.introductions import manual, stats, transitions, views
from services.core.introductions.schemas import (
    EventPublic,
    IntroductionPublic,
    ManualProposal,
    Stats,
)
from services.core.models import IntroductionStatus, VettingStatus
from services.core.profiles import service as profiles
from services.core.profiles import views as profile_views
from services.core.profiles.schemas import MentorSummary, VettingDecision, WaitingMentee

router = APIRouter(prefix="/coordinator", tags=["coordinator"])


@router.get("/mentors", response_model=list[MentorSummary])
def list_mentors(
    session: SessionDep,
    coordinator: CurrentCoordinator,
    response: Response,
    vetting_status: VettingStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[MentorSummary]:
    """Your organization's mentors, oldest first; the total is in `X-Total-Count`."""
    page = profiles.list_org_mentors(
        session=session,
        organization_id=coordinator.organization_id,
        vetting_status=vetting_status,
        limit=limit,
        offset=offset,
    )
    return page_out(response, page, profile_views.mentor_summary)


@router.post("/mentors/{profile_id}/vetting", response_model=MentorSummary)
def vet_mentor(
    profile_id: uuid.UUID,
    body: VettingDecision,
    session: SessionDep,
    coordinator: CurrentCoordinator,
) -> MentorSummary:
    """Approve or reject a mentor of your organization."""
    profile = profiles.vet_mentor(
        session=session,
        coordinator=coordinator,
        profile_id=profile_id,
        decision=VettingStatus(body.decision),
        note=body.note,
    )
    return profile_views.mentor_summary(profile)


@router.get("/waiting-mentees", response_model=list[WaitingMentee])
def waiting_mentees(
    session: SessionDep,
    coordinator: CurrentCoordinator,
    response: Response,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[WaitingMentee]:
    """Your organization's unmatched mentees, longest waiting first."""
    page = profiles.list_waiting_mentees(
        session=session, organization_id=coordinator.organization_id, limit=limit, offset=offset
    )
    now = datetime.now(UTC)
    return page_out(response, page, lambda profile: profile_views.waiting_mentee(profile, now=now))


@router.get("/introductions", response_model=list[IntroductionPublic])
def organization_introductions(
    session: SessionDep,
    coordinator: CurrentCoordinator,
    response: Response,
    status: IntroductionStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[IntroductionPublic]:
    """Your organization's introductions, newest first: `?status=awaiting_approval` is the
    approval queue. Contact details are never part of this view."""
    page = views.list_for_coordinator(
        session=session, user=coordinator, status=status, limit=limit, offset=offset
    )
    return page_out(response, page, views.presenter(session=session, viewings=page.items))


@router.get("/introductions/{introduction_id}/events", response_model=list[EventPublic])
def introduction_events(
    introduction_id: uuid.UUID, session: SessionDep, coordinator: CurrentCoordinator
) -> list[EventPublic]:
    """Every transition of an introduction: who (by role), when, from, to."""
    return views.events(session=session, user=coordinator, introduction_id=introduction_id)


@router.post(
    "/introductions", status_code=status.HTTP_201_CREATED, response_model=IntroductionPublic
)
def propose_manually(
    body: ManualProposal,
    session: SessionDep,
    coordinator: CurrentCoordinator,
    settings: SettingsDep,
) -> IntroductionPublic:
    """Propose a pair yourself; a pair that breaks a hard constraint is refused with 422."""
    introduction = manual.propose(
        session=session,
        coordinator=coordinator,
        body=body,
        expiry_days=settings.proposal_expiry_days,
    )
    return views.to_public(
        session=session, viewing=transitions.Viewing(introduction, "coordinator")
    )


@router.get("/stats", response_model=Stats)
def organization_stats(session: SessionDep, coordinator: CurrentCoordinator) -> Stats:
    """Counts by status, median days to an active introduction, acceptance, utilization."""
    return stats.stats(session=session, organization_id=coordinator.organization_id)
