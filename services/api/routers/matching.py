"""Coordinators' batch matching runs."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.api.deps import CurrentCoordinator, SessionDep
from services.core.errors import NotFound
from services.core.introductions.schemas import MatchingRunPublic
from services.core.matching.runs import queue_run
from services.core.models import MatchingRun

router = APIRouter(prefix="/matching", tags=["coordinator"])


def _public(run: MatchingRun) -> MatchingRunPublic:
    return MatchingRunPublic.model_validate(run, from_attributes=True)


@router.post("/runs", status_code=status.HTTP_202_ACCEPTED, response_model=MatchingRunPublic)
def start_run(session: SessionDep, coordinator: CurrentCoordinator) -> MatchingRunPublic:
    """Queue a global assignment over your organization; poll it by id."""
    return _public(queue_run(session, coordinator.organization_id, coordinator.id))


@router.get("/runs/{run_id}", response_model=MatchingRunPublic)
def read_run(
    run_id: uuid.UUID, session: SessionDep, coordinator: CurrentCoordinator
) -> MatchingRunPublic:
    """A matching run of your organization."""
    run = session.get(MatchingRun, run_id)
    if run is None or run.organization_id != coordinator.organization_id:
        raise NotFound("No such matching run")
    return _public(run)
