"""Coordinators' views of their own organization: vetting and the waiting list.

Every read of a member's profile, introduction or contact details here is recorded in that
member's access log (`GET /me/access-log`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Response, status

from services.api.deps import (
    CurrentCoordinator,
    Limit,
    Offset,
    SessionDep,
    SettingsDep,
    records_reads,
)
from services.api.paging import page_out
from services.core.introductions import manual, responsiveness, stats, transitions, views
from services.core.introductions.schemas import (
    EventPublic,
    IntroductionForCoordinator,
    IntroductionPublic,
    ManualProposal,
    Stats,
)
from services.core.models import IntroductionStatus, VettingStatus
from services.core.profiles import service as profiles
from services.core.profiles import views as profile_views
from services.core.profiles.schemas import VettingDecision, WaitingMentee
from services.core.safety.schemas import MentorApplicant, VettingOutcome

router = APIRouter(prefix="/coordinator", tags=["coordinator"])

# The statuses every coordinator route can answer besides its success.
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in"},
    403: {"description": "Only coordinators may do this"},
    422: {"description": "Invalid input"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    404: {"description": "Not found in your organization"},
}


@router.get("/mentors", response_model=list[MentorApplicant], responses=ERRORS)
@records_reads
def list_mentors(
    session: SessionDep,
    coordinator: CurrentCoordinator,
    response: Response,
    vetting_status: VettingStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[MentorApplicant]:
    """Your organization's mentors, oldest first, with each one's name and email for vetting
    (each read is in the mentor's access log); the total is in `X-Total-Count`."""
    page = profiles.list_org_mentors(
        session=session,
        organization_id=coordinator.organization_id,
        vetting_status=vetting_status,
        limit=limit,
        offset=offset,
    )
    return page_out(
        response,
        page,
        profile_views.applicant_presenter(
            session=session, coordinator=coordinator, profiles=page.items
        ),
    )


@router.post(
    "/mentors/{profile_id}/vetting",
    response_model=VettingOutcome,
    responses={**NOT_FOUND, 409: {"description": "You cannot vet your own mentor profile"}},
)
def vet_mentor(
    profile_id: uuid.UUID,
    body: VettingDecision,
    session: SessionDep,
    coordinator: CurrentCoordinator,
) -> VettingOutcome:
    """Approve or reject a mentor of your organization. An approval of a mentor who cannot
    be matched yet (too little time in recovery, say) says so in `warnings`."""
    profile = profiles.vet_mentor(
        session=session,
        coordinator=coordinator,
        profile_id=profile_id,
        decision=VettingStatus(body.decision),
        note=body.note,
    )
    return profile_views.vetting_outcome(session=session, coordinator=coordinator, profile=profile)


@router.post(
    "/mentors/{profile_id}/resume",
    response_model=MentorApplicant,
    responses={**NOT_FOUND, 409: {"description": "The mentor is not on hold"}},
)
def resume_mentor(
    profile_id: uuid.UUID, session: SessionDep, coordinator: CurrentCoordinator
) -> MentorApplicant:
    """Lift the hold PeerMatch put on a mentor after two introductions in a row went
    unanswered; they get new introductions again (a mentor's own pause stays theirs)."""
    profile = responsiveness.resume(session=session, coordinator=coordinator, profile_id=profile_id)
    return profile_views.applicant_presenter(
        session=session, coordinator=coordinator, profiles=[profile]
    )(profile)


@router.get("/waiting-mentees", response_model=list[WaitingMentee], responses=ERRORS)
@records_reads
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
    return page_out(
        response,
        page,
        profile_views.waiting_presenter(
            session=session, coordinator=coordinator, profiles=page.items, now=datetime.now(UTC)
        ),
    )


@router.get("/introductions", response_model=list[IntroductionForCoordinator], responses=ERRORS)
@records_reads
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


@router.get(
    "/introductions/{introduction_id}/events",
    response_model=list[EventPublic],
    responses=NOT_FOUND,
)
@records_reads
def introduction_events(
    introduction_id: uuid.UUID, session: SessionDep, coordinator: CurrentCoordinator
) -> list[EventPublic]:
    """Every transition of an introduction: who (by role), when, from, to."""
    return views.events(session=session, user=coordinator, introduction_id=introduction_id)


@router.post(
    "/introductions",
    status_code=status.HTTP_201_CREATED,
    response_model=IntroductionForCoordinator,
    responses={
        **NOT_FOUND,
        409: {"description": "The pair was taken by another proposal just now"},
        422: {"description": "Invalid input, or the pair breaks hard constraints (named)"},
    },
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
    return views.shown(
        session=session, user=coordinator, viewing=transitions.Viewing(introduction, "coordinator")
    )


@router.get("/stats", response_model=Stats, responses={401: ERRORS[401], 403: ERRORS[403]})
def organization_stats(session: SessionDep, coordinator: CurrentCoordinator) -> Stats:
    """Counts by status, median days to an active introduction, acceptance, utilization,
    and how often each decline and end reason was given."""
    return stats.stats(session=session, organization_id=coordinator.organization_id)
