"""Introductions: the participants' answers, blocks and reports, and the coordinators'
decisions."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response, status

from services.api.deps import (
    CurrentUser,
    Limit,
    Offset,
    SessionDep,
    TokenClaimsDep,
    member_read,
    records_reads,
)
from services.api.paging import page_answer
from services.core.introductions import transitions, views
from services.core.introductions.schemas import (
    DeclineIn,
    EndIn,
    IntroductionPublic,
    IntroductionWithSupport,
    NoteIn,
)
from services.core.models import IntroductionStatus, User
from services.core.safety import service as safety
from services.core.safety import views as safety_views
from services.core.safety.schemas import BlockIn, BlockOutcome, ReportFiled, ReportIn

router = APIRouter(tags=["introductions"])

# Every status these routes can answer besides their success, so clients (and the schema
# fuzzer) find each one in the document.
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in"},
    404: {"description": "No such introduction, or not yours to see"},
    422: {"description": "Invalid input"},
}
PARTICIPANT_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    403: {"description": "Only the two people introduced can do this"},
    409: {"description": "The introduction is not in a state that allows this"},
}
COORDINATOR_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    403: {"description": "Only a coordinator of the organization can do this"},
    409: {"description": "The introduction is not awaiting approval, or the mentor is full"},
}


@router.get(
    "/me/introductions",
    response_model=list[IntroductionPublic],
    responses={401: ERRORS[401], 422: ERRORS[422]},
)
async def my_introductions(
    session: SessionDep,
    claims: TokenClaimsDep,
    status: IntroductionStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    """Your introductions, as mentee and as mentor, newest first; total in `X-Total-Count`."""

    def listed(user: User) -> Response:
        page = views.list_for_member(
            session=session, user=user, status=status, limit=limit, offset=offset
        )
        presented = views.presenter(session=session, viewings=page.items)
        return page_answer(page, presented, IntroductionPublic)

    return await member_read(session, claims, listed)


@router.get("/introductions/{introduction_id}", response_model=IntroductionPublic, responses=ERRORS)
@records_reads
def read_introduction(
    introduction_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> IntroductionPublic:
    """One introduction: its two participants and the organization's coordinators only."""
    return views.shown(
        session=session,
        user=user,
        viewing=transitions.view(session=session, user=user, introduction_id=introduction_id),
    )


@router.post(
    "/introductions/{introduction_id}/accept",
    response_model=IntroductionPublic,
    responses=PARTICIPANT_ERRORS,
)
def accept(
    introduction_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> IntroductionPublic:
    """Accept a proposed introduction (a participant, while `proposed`)."""
    return views.to_public(
        session=session,
        viewing=transitions.accept(session=session, user=user, introduction_id=introduction_id),
    )


@router.post(
    "/introductions/{introduction_id}/decline",
    response_model=IntroductionWithSupport,
    responses=PARTICIPANT_ERRORS,
)
def decline(
    introduction_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    body: DeclineIn | None = None,
) -> IntroductionWithSupport:
    """Decline a proposed introduction; the pair is never proposed again. `reason_code` (one
    of schedule, distance, not_a_fit, personal, other; `other` when left out) is seen by the
    coordinators, not by the other person."""
    body = body or DeclineIn()
    viewing = transitions.decline(
        session=session,
        user=user,
        introduction_id=introduction_id,
        reason=body.reason,
        reason_code=body.reason_code,
    )
    return views.with_support(session=session, viewing=viewing)


@router.post(
    "/introductions/{introduction_id}/approve",
    response_model=IntroductionPublic,
    responses=COORDINATOR_ERRORS,
)
def approve(
    introduction_id: uuid.UUID, session: SessionDep, user: CurrentUser, body: NoteIn | None = None
) -> IntroductionPublic:
    """Approve an introduction both accepted (a coordinator); 409 if the mentor is full."""
    note = body.note if body else None
    viewing = transitions.approve(
        session=session, user=user, introduction_id=introduction_id, note=note
    )
    return views.shown(session=session, user=user, viewing=viewing)


@router.post(
    "/introductions/{introduction_id}/reject",
    response_model=IntroductionPublic,
    responses=COORDINATOR_ERRORS,
)
def reject(
    introduction_id: uuid.UUID, session: SessionDep, user: CurrentUser, body: NoteIn | None = None
) -> IntroductionPublic:
    """Reject an introduction both accepted (a coordinator)."""
    note = body.note if body else None
    viewing = transitions.reject(
        session=session, user=user, introduction_id=introduction_id, note=note
    )
    return views.shown(session=session, user=user, viewing=viewing)


@router.post(
    "/introductions/{introduction_id}/end",
    response_model=IntroductionWithSupport,
    responses=PARTICIPANT_ERRORS,
)
def end(
    introduction_id: uuid.UUID, session: SessionDep, user: CurrentUser, body: EndIn | None = None
) -> IntroductionWithSupport:
    """End an active mentorship (a participant). `reason_code` (goals_met, schedule,
    lost_contact, not_a_fit, moved, safety, other; `other` when left out) is seen by the
    coordinators, not by the other person."""
    body = body or EndIn()
    viewing = transitions.end(
        session=session,
        user=user,
        introduction_id=introduction_id,
        reason=body.reason,
        reason_code=body.reason_code,
    )
    return views.with_support(session=session, viewing=viewing)


@router.post(
    "/introductions/{introduction_id}/block",
    response_model=BlockOutcome,
    responses={
        **PARTICIPANT_ERRORS,
        409: {"description": "The introduction has ended already"},
    },
)
def block(
    introduction_id: uuid.UUID, session: SessionDep, user: CurrentUser, body: BlockIn | None = None
) -> BlockOutcome:
    """Block the other person: the introduction ends now (they see only that it ended) and
    the two of you are never proposed to each other again."""
    blocked = safety.block(
        session=session,
        user=user,
        introduction_id=introduction_id,
        reason=body.reason if body else None,
    )
    return safety_views.block_outcome(session=session, blocked=blocked)


@router.post(
    "/introductions/{introduction_id}/report",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportFiled,
    responses={**ERRORS, 403: PARTICIPANT_ERRORS[403]},
)
def report(
    introduction_id: uuid.UUID, body: ReportIn, session: SessionDep, user: CurrentUser
) -> ReportFiled:
    """Tell your coordinators about something that worried you; the other person is not
    told. `category`: harassment, safety, inappropriate, spam or other."""
    filed = safety.report(
        session=session,
        user=user,
        introduction_id=introduction_id,
        category=body.category,
        details=body.details,
    )
    return safety_views.report_filed(session=session, report=filed)
