"""Introductions: the participants' answers and the coordinators' decisions."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from services.api.deps import CurrentUser, Limit, Offset, SessionDep
from services.api.paging import page_out
from services.core.introductions import transitions, views
from services.core.introductions.schemas import IntroductionPublic, NoteIn, ReasonIn
from services.core.models import IntroductionStatus

router = APIRouter(tags=["introductions"])


@router.get("/me/introductions", response_model=list[IntroductionPublic])
def my_introductions(
    session: SessionDep,
    user: CurrentUser,
    response: Response,
    status: IntroductionStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[IntroductionPublic]:
    """Your introductions, as mentee and as mentor, newest first; total in `X-Total-Count`."""
    page = views.list_for_member(
        session=session, user=user, status=status, limit=limit, offset=offset
    )
    return page_out(response, page, views.presenter(session=session, viewings=page.items))


@router.get("/introductions/{introduction_id}", response_model=IntroductionPublic)
def read_introduction(
    introduction_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> IntroductionPublic:
    """One introduction: its two participants and the organization's coordinators only."""
    return views.to_public(
        session=session,
        viewing=transitions.view(session=session, user=user, introduction_id=introduction_id),
    )


@router.post("/introductions/{introduction_id}/accept", response_model=IntroductionPublic)
def accept(
    introduction_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> IntroductionPublic:
    """Accept a proposed introduction (a participant, while `proposed`)."""
    return views.to_public(
        session=session,
        viewing=transitions.accept(session=session, user=user, introduction_id=introduction_id),
    )


@router.post("/introductions/{introduction_id}/decline", response_model=IntroductionPublic)
def decline(
    introduction_id: uuid.UUID, session: SessionDep, user: CurrentUser, body: ReasonIn | None = None
) -> IntroductionPublic:
    """Decline a proposed introduction; the pair is never proposed again."""
    reason = body.reason if body else None
    return views.to_public(
        session=session,
        viewing=transitions.decline(
            session=session, user=user, introduction_id=introduction_id, reason=reason
        ),
    )


@router.post("/introductions/{introduction_id}/approve", response_model=IntroductionPublic)
def approve(
    introduction_id: uuid.UUID, session: SessionDep, user: CurrentUser, body: NoteIn | None = None
) -> IntroductionPublic:
    """Approve an introduction both accepted (a coordinator); 409 if the mentor is full."""
    note = body.note if body else None
    return views.to_public(
        session=session,
        viewing=transitions.approve(
            session=session, user=user, introduction_id=introduction_id, note=note
        ),
    )


@router.post("/introductions/{introduction_id}/reject", response_model=IntroductionPublic)
def reject(
    introduction_id: uuid.UUID, session: SessionDep, user: CurrentUser, body: NoteIn | None = None
) -> IntroductionPublic:
    """Reject an introduction both accepted (a coordinator)."""
    note = body.note if body else None
    return views.to_public(
        session=session,
        viewing=transitions.reject(
            session=session, user=user, introduction_id=introduction_id, note=note
        ),
    )


@router.post("/introductions/{introduction_id}/end", response_model=IntroductionPublic)
def end(
    introduction_id: uuid.UUID, session: SessionDep, user: CurrentUser, body: ReasonIn | None = None
) -> IntroductionPublic:
    """End an active mentorship (a participant)."""
    reason = body.reason if body else None
    return views.to_public(
        session=session,
        viewing=transitions.end(
            session=session, user=user, introduction_id=introduction_id, reason=reason
        ),
    )
