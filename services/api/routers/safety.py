"""Safety, consent and control: support resources, blocks, reports, coordinators'
exclusions, and the member's own data (export, erasure, access log)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from services.api.deps import (
    CurrentCoordinator,
    CurrentUser,
    Limit,
    Offset,
    SessionDep,
    SettingsDep,
    records_reads,
)
from services.api.paging import page_out
from services.core.safety import access, exclusions, support
from services.core.safety import service as safety
from services.core.safety import views as safety_views
from services.core.safety.schemas import (
    AccessLogEntryPublic,
    BlockPublic,
    ErasureIn,
    ExclusionIn,
    ExclusionPublic,
    Export,
    ReportPublic,
    ResolveIn,
    SupportResources,
    SupportResourcesIn,
)
from services.core.vocabulary import ReportStatus

router = APIRouter(tags=["safety"])

Slug = Annotated[str | None, Query(max_length=50, description="an organization's slug")]
MEMBER: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in"},
    422: {"description": "Invalid input"},
}
COORDINATOR: dict[int | str, dict[str, Any]] = {
    **MEMBER,
    403: {"description": "Only coordinators may do this"},
}
COORDINATOR_404: dict[int | str, dict[str, Any]] = {
    **COORDINATOR,
    404: {"description": "Not found in your organization"},
}


@router.get(
    "/support-resources",
    response_model=SupportResources,
    responses={
        404: {"description": "No organization by that name"},
        422: {"description": "Invalid input"},
    },
)
def support_resources(
    session: SessionDep, settings: SettingsDep, organization: Slug = None
) -> SupportResources:
    """Where to turn in a crisis, for an organization (the default one when left out)."""
    return SupportResources(
        resources=support.for_slug(
            session=session, slug=organization, default_organization=settings.default_organization
        )
    )


@router.put(
    "/coordinator/support-resources", response_model=SupportResources, responses=COORDINATOR
)
def replace_support_resources(
    body: SupportResourcesIn, session: SessionDep, coordinator: CurrentCoordinator
) -> SupportResources:
    """Replace your organization's support resources (1 to 10, each with an https address)."""
    return SupportResources(
        resources=support.replace(session=session, coordinator=coordinator, body=body)
    )


@router.get("/me/blocks", response_model=list[BlockPublic], responses=MEMBER)
def my_blocks(
    session: SessionDep,
    user: CurrentUser,
    response: Response,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[BlockPublic]:
    """The people you blocked (the alias you knew them by) and when, newest first."""
    page = safety.list_blocks(session=session, user=user, limit=limit, offset=offset)
    return page_out(response, page, safety_views.block_public)


@router.get("/me/access-log", response_model=list[AccessLogEntryPublic], responses=MEMBER)
def my_access_log(
    session: SessionDep,
    user: CurrentUser,
    response: Response,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[AccessLogEntryPublic]:
    """Each time a coordinator read your profile, an introduction of yours or your contact
    details, newest first; the total is in `X-Total-Count`."""
    page = access.list_for_member(session=session, user=user, limit=limit, offset=offset)
    response.headers["Cache-Control"] = "no-store"
    return page_out(
        response, page, safety_views.access_presenter(session=session, entries=page.items)
    )


@router.get("/me/export", response_model=Export, responses={401: MEMBER[401]})
def export(session: SessionDep, user: CurrentUser, response: Response) -> Export:
    """Everything PeerMatch holds about you, as one JSON document."""
    response.headers["Cache-Control"] = "no-store"
    return safety_views.export(session=session, user=user)


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={
        **MEMBER,
        403: {"description": "The password is not right; nothing was deleted"},
    },
)
def erase_me(body: ErasureIn, session: SessionDep, user: CurrentUser) -> Response:
    """Delete your account and everything that names you. Introductions in progress end
    (the other person sees only that it ended); your token and password stop working."""
    safety.erase(session=session, user=user, password=body.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/coordinator/reports", response_model=list[ReportPublic], responses=COORDINATOR)
@records_reads
def reports(
    session: SessionDep,
    coordinator: CurrentCoordinator,
    response: Response,
    status: ReportStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[ReportPublic]:
    """Your organization's reports, oldest first (`?status=open` is the queue)."""
    page = safety.list_reports(
        session=session, coordinator=coordinator, status=status, limit=limit, offset=offset
    )
    present = safety_views.report_presenter(
        session=session, coordinator=coordinator, reports=page.items
    )
    return page_out(response, page, present)


@router.post(
    "/coordinator/reports/{report_id}/resolve",
    response_model=ReportPublic,
    responses={**COORDINATOR_404, 409: {"description": "The report is resolved already"}},
)
def resolve_report(
    report_id: uuid.UUID, body: ResolveIn, session: SessionDep, coordinator: CurrentCoordinator
) -> ReportPublic:
    """Resolve an open report, saying what was done."""
    row = safety.resolve_report(
        session=session, coordinator=coordinator, report_id=report_id, note=body.note
    )
    return safety_views.report_presenter(session=session, coordinator=coordinator, reports=[row])(
        row
    )


@router.post(
    "/coordinator/exclusions",
    status_code=status.HTTP_201_CREATED,
    response_model=ExclusionPublic,
    responses={
        **COORDINATOR_404,
        409: {"description": "These two are kept apart by a coordinator already"},
    },
)
def add_exclusion(
    body: ExclusionIn, session: SessionDep, coordinator: CurrentCoordinator
) -> ExclusionPublic:
    """Keep two people apart for good (same household, employer, treatment cohort...): no
    worker, run or manual proposal pairs them, whatever profiles they hold later."""
    row = exclusions.add_coordinator_exclusion(session=session, coordinator=coordinator, body=body)
    return safety_views.exclusion_presenter(session=session, exclusions=[row])(row)


@router.get("/coordinator/exclusions", response_model=list[ExclusionPublic], responses=COORDINATOR)
def list_exclusions(
    session: SessionDep,
    coordinator: CurrentCoordinator,
    response: Response,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[ExclusionPublic]:
    """Your organization's coordinator-set exclusions, newest first."""
    page = exclusions.list_coordinator_exclusions(
        session=session, organization_id=coordinator.organization_id, limit=limit, offset=offset
    )
    return page_out(
        response, page, safety_views.exclusion_presenter(session=session, exclusions=page.items)
    )


@router.delete(
    "/coordinator/exclusions/{exclusion_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=COORDINATOR_404,
)
def remove_exclusion(
    exclusion_id: uuid.UUID, session: SessionDep, coordinator: CurrentCoordinator
) -> Response:
    """Lift a coordinator's exclusion (declines, blocks and the rest stay in force)."""
    exclusions.remove_coordinator_exclusion(
        session=session, coordinator=coordinator, exclusion_id=exclusion_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
