"""Coordinators' view of their organization's learned model: see it, list its versions,
ask for a refit, and choose the version the engine uses (or the hand weights)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from services.api.deps import CurrentCoordinator, SessionDep, SettingsDep
from services.core.matching import learning
from services.core.matching.model_schemas import (
    ModelActivation,
    ModelPublic,
    ModelVersionPublic,
    RefitQueued,
)
from services.core.settings import Settings
from services.matcher import DEFAULT_WEIGHTS
from services.matcher.learned import LearnedModel

router = APIRouter(prefix="/coordinator/model", tags=["coordinator"])


def minimum_of(settings: Settings) -> learning.Minimum:
    """The least a refit learns from, as configured."""
    return learning.Minimum(settings.model_min_outcomes, settings.model_min_each)


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in"},
    403: {"description": "Only coordinators may do this"},
}


@router.get("", response_model=ModelPublic, responses=ERRORS)
def read_model(
    session: SessionDep, coordinator: CurrentCoordinator, settings: SettingsDep
) -> ModelPublic:
    """What scores your organization's proposals: the active learned version's weights and
    held-out figures, or the hand weights when no version is active."""
    organization_id = coordinator.organization_id
    available = learning.outcome_count(session=session, organization_id=organization_id)
    active = learning.active_version(session=session, organization_id=organization_id)
    if active is None:
        return ModelPublic(
            source="hand",
            version=None,
            weights=DEFAULT_WEIGHTS.as_dict(),
            figures=None,
            training_size=None,
            outcomes_available=available,
            outcomes_needed=settings.model_min_outcomes,
        )
    return ModelPublic(
        source="learned",
        version=active.number,
        weights=LearnedModel.from_dict(active.params).weights(),
        figures=active.figures,
        training_size=active.training_size,
        outcomes_available=available,
        outcomes_needed=settings.model_min_outcomes,
    )


@router.get("/versions", response_model=list[ModelVersionPublic], responses=ERRORS)
def list_versions(session: SessionDep, coordinator: CurrentCoordinator) -> list[ModelVersionPublic]:
    """Every fitted version of your organization, newest first."""
    rows = learning.versions(session=session, organization_id=coordinator.organization_id)
    return [ModelVersionPublic.model_validate(row) for row in rows]


@router.post(
    "/refit",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RefitQueued,
    responses={**ERRORS, 409: {"description": "Not enough outcomes to learn from yet"}},
)
def request_refit(
    session: SessionDep, coordinator: CurrentCoordinator, settings: SettingsDep
) -> RefitQueued:
    """Queue a refit on your organization's outcomes; the new version is activated only if
    its held-out figures beat the hand weights'. 409 says how many outcomes it needs."""
    organization_id = coordinator.organization_id
    available = learning.enough_outcomes(
        session=session, organization_id=organization_id, minimum=minimum_of(settings)
    )
    learning.queue_refit(session=session, organization_id=organization_id)
    return RefitQueued(queued=True, outcomes_available=available)


@router.post(
    "/activate",
    response_model=ModelPublic,
    responses={
        **ERRORS,
        404: {"description": "No such version in your organization"},
        422: {"description": "Invalid input"},
    },
)
def activate_version(
    body: ModelActivation,
    session: SessionDep,
    coordinator: CurrentCoordinator,
    settings: SettingsDep,
) -> ModelPublic:
    """Use a version from now on (`{"version": 3}`), or go back to the hand weights
    (`{"version": null}`); the workers pick it up at their next proposal."""
    learning.activate(
        session=session, organization_id=coordinator.organization_id, number=body.version
    )
    return read_model(session, coordinator, settings)
