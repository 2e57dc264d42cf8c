"""Members' pages: My introductions (answer, end, block, report) and My data (export,
erase, the access log)."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from services.api.deps import Offset, SessionDep, SettingsDep
from services.core.errors import Forbidden
from services.core.introductions import transitions, views
from services.core.introductions.schemas import DeclineIn, EndIn
from services.core.models import User
from services.core.safety import access, support
from services.core.safety import service as safety
from services.core.safety import views as safety_views
from services.core.safety.schemas import BlockIn, ReportIn
from services.core.vocabulary import DeclineReason, EndReason, ReportCategory
from services.web import session as web_session
from services.web.forms import field_errors
from services.web.render import WebRoute, go, page, problem
from services.web.session import Csrf, Member

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PAGE_SIZE = 20
FormText = Annotated[str, Form()]

NOTICES = {
    "accepted": "Thank you. We will let you know when the other person has answered too.",
    "declined": "That's fine. We won't suggest the two of you to each other again.",
    "ended": "The mentorship has ended. Thank you for the time you gave each other.",
    "blocked": "Done. The two of you will not be introduced again, and they are not told why.",
    "reported": "Thank you for telling us. A coordinator will look at it; the other person "
    "is not told.",
    "paused": "You are paused: no new proposals until you resume.",
}
# After these, the page also shows where to turn: a decline, an ending or a report can hurt.
WITH_SUPPORT = {"declined", "ended", "blocked", "reported"}
DECLINE_WORDS = {
    DeclineReason.schedule: "Our times don't fit",
    DeclineReason.distance: "Too far away",
    DeclineReason.not_a_fit: "It doesn't feel like a fit",
    DeclineReason.personal: "A personal reason",
    DeclineReason.other: "Something else, or I'd rather not say",
}
END_WORDS = {
    EndReason.goals_met: "We did what we set out to do",
    EndReason.schedule: "Our times stopped fitting",
    EndReason.lost_contact: "We lost touch",
    EndReason.not_a_fit: "It wasn't a fit",
    EndReason.moved: "One of us moved",
    EndReason.safety: "I did not feel safe",
    EndReason.other: "Something else, or I'd rather not say",
}
REPORT_WORDS = {
    ReportCategory.harassment: "Harassment or unwanted contact",
    ReportCategory.safety: "I am worried about someone's safety",
    ReportCategory.inappropriate: "Something inappropriate",
    ReportCategory.spam: "Spam or selling something",
    ReportCategory.other: "Something else",
}


@router.get("/introductions")
def my_introductions(
    request: Request,
    session: SessionDep,
    user: Member,
    offset: Offset = 0,
) -> Response:
    found = views.list_for_member(
        session=session, user=user, status=None, limit=PAGE_SIZE, offset=offset
    )
    present = views.presenter(session=session, viewings=found.items)
    introductions = [present(viewing) for viewing in found.items]
    done = request.query_params.get("done", "")
    resources = (
        support.for_organization(session=session, organization_id=user.organization_id)
        if done in WITH_SUPPORT
        else []
    )
    return page(
        request,
        "introductions.html",
        title="My introductions",
        introductions=introductions,
        total=found.total,
        offset=offset,
        page_size=PAGE_SIZE,
        notice=NOTICES.get(done),
        resources=resources,
        decline_words=DECLINE_WORDS,
        end_words=END_WORDS,
        report_words=REPORT_WORDS,
    )


@router.post("/introductions/{introduction_id}/accept", dependencies=[Csrf])
def accept(introduction_id: uuid.UUID, session: SessionDep, user: Member) -> Response:
    transitions.accept(session=session, user=user, introduction_id=introduction_id)
    return go("/introductions", notice="accepted")


@router.post("/introductions/{introduction_id}/decline", dependencies=[Csrf])
def decline(
    request: Request,
    introduction_id: uuid.UUID,
    session: SessionDep,
    user: Member,
    reason_code: FormText = "other",
    reason: FormText = "",
) -> Response:
    try:
        answer = DeclineIn(reason_code=reason_code, reason=reason or None)
    except ValidationError as error:
        return problem(request, 422, _first(field_errors(error)))
    transitions.decline(
        session=session,
        user=user,
        introduction_id=introduction_id,
        reason=answer.reason,
        reason_code=answer.reason_code,
    )
    return go("/introductions", notice="declined")


@router.post("/introductions/{introduction_id}/end", dependencies=[Csrf])
def end(
    request: Request,
    introduction_id: uuid.UUID,
    session: SessionDep,
    user: Member,
    reason_code: FormText = "other",
    reason: FormText = "",
) -> Response:
    try:
        answer = EndIn(reason_code=reason_code, reason=reason or None)
    except ValidationError as error:
        return problem(request, 422, _first(field_errors(error)))
    transitions.end(
        session=session,
        user=user,
        introduction_id=introduction_id,
        reason=answer.reason,
        reason_code=answer.reason_code,
    )
    return go("/introductions", notice="ended")


@router.post("/introductions/{introduction_id}/block", dependencies=[Csrf])
def block(
    request: Request,
    introduction_id: uuid.UUID,
    session: SessionDep,
    user: Member,
    reason: FormText = "",
) -> Response:
    try:
        answer = BlockIn(reason=reason or None)
    except ValidationError as error:
        return problem(request, 422, _first(field_errors(error)))
    safety.block(session=session, user=user, introduction_id=introduction_id, reason=answer.reason)
    return go("/introductions", notice="blocked")


@router.get("/introductions/{introduction_id}/report")
def report_form(
    request: Request, introduction_id: uuid.UUID, session: SessionDep, user: Member
) -> Response:
    return _report_page(request, session, user, introduction_id)


def _report_page(
    request: Request,
    session: Session,
    user: User,
    introduction_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    chosen: str = "",
    details: str = "",
) -> Response:
    viewing = transitions.view(session=session, user=user, introduction_id=introduction_id)
    if viewing.role not in {"mentee", "mentor"}:
        raise Forbidden("Only the two people introduced can report it.")
    shown = views.to_public(session=session, viewing=viewing)
    other = shown.mentor if viewing.role == "mentee" else shown.mentee
    return page(
        request,
        "report.html",
        status_code=422 if errors else 200,
        title="Report a concern",
        introduction_id=introduction_id,
        alias=other.alias,
        report_words=REPORT_WORDS,
        errors=errors or {},
        chosen=chosen,
        details=details,
    )


@router.post("/introductions/{introduction_id}/report", dependencies=[Csrf])
def report(
    request: Request,
    introduction_id: uuid.UUID,
    session: SessionDep,
    user: Member,
    category: FormText = "",
    details: FormText = "",
) -> Response:
    try:
        filed = ReportIn(category=category, details=details or None)
    except ValidationError as error:
        errors = field_errors(error)
        if "category" in errors:
            errors["category"] = "Please choose what it is about."
        return _report_page(
            request,
            session,
            user,
            introduction_id,
            errors=errors,
            chosen=category,
            details=details,
        )
    safety.report(
        session=session,
        user=user,
        introduction_id=introduction_id,
        category=filed.category,
        details=filed.details,
    )
    return go("/introductions", notice="reported")


@router.get("/me/data")
def my_data(request: Request, session: SessionDep, user: Member, offset: Offset = 0) -> Response:
    return _data_page(request, session, user, offset=offset)


def _data_page(
    request: Request,
    session: Session,
    user: User,
    *,
    offset: int = 0,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    entries = access.list_for_member(session=session, user=user, limit=PAGE_SIZE, offset=offset)
    present = safety_views.access_presenter(session=session, entries=entries.items)
    blocks = safety.list_blocks(session=session, user=user, limit=100, offset=0)
    return page(
        request,
        "my_data.html",
        status_code=status_code,
        title="My data",
        entries=[present(entry) for entry in entries.items],
        total=entries.total,
        offset=offset,
        page_size=PAGE_SIZE,
        blocks=[safety_views.block_public(block) for block in blocks.items],
        errors=errors or {},
    )


@router.get("/me/data/export")
def export(session: SessionDep, user: Member) -> Response:
    document = safety_views.export(session=session, user=user)
    return Response(
        json.dumps(document.model_dump(mode="json"), indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={
            "content-disposition": 'attachment; filename="peermatch-my-data.json"',
            "cache-control": "no-store",
        },
    )


@router.post("/me/data/erase", dependencies=[Csrf])
def erase(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: Member,
    password: FormText = "",
) -> Response:
    try:
        safety.erase(session=session, user=user, password=password)
    except Forbidden as refused:
        session.rollback()
        return _data_page(
            request, session, user, errors={"password": str(refused.detail)}, status_code=403
        )
    response = page(request, "erased.html", title="Your account is deleted", user=None)
    web_session.sign_out(response, settings)
    return response


def _first(errors: dict[str, str]) -> str:
    return next(iter(errors.values()), "Please check what you entered.")
