"""Coordinators' batch matching runs."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.api.deps import CurrentCoordinator, SessionDep
from services.core.matching import runs, views
from services.core.matching.schemas import MatchingRunPublic

router = APIRouter(prefix="/matching", tags=["coordinator"])


@router.post(
    "/runs",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=MatchingRunPublic,
    responses={409: {"description": "A run of your organization is already queued or running"}},
)
def start_run(session: SessionDep, coordinator: CurrentCoordinator) -> MatchingRunPublic:
    """Queue a global assignment over your organization; poll it by id. One run per
    organization is queued or running at a time: while one is, this answers 409 with the
    address of that run."""
    run = runs.queue_run(
        session=session, organization_id=coordinator.organization_id, requested_by=coordinator.id
    )
    return views.to_public(run)


@router.get(
    "/runs/{run_id}",
    response_model=MatchingRunPublic,
    responses={404: {"description": "No such run in your organization"}},
)
def read_run(
    run_id: uuid.UUID, session: SessionDep, coordinator: CurrentCoordinator
) -> MatchingRunPublic:
    """A matching run of your organization."""
    run = runs.get_run(session=session, organization_id=coordinator.organization_id, run_id=run_id)
    return views.to_public(run)
