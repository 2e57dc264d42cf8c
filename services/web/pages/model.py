"""The coordinators' model page: what scores their organization's proposals (the hand
weights or a learned version), its held-out figures beside the hand weights', every
version, a refit, and going back."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response

from services.api.deps import SessionDep, SettingsDep
from services.api.routers.model import minimum_of, read_model
from services.core.errors import Conflict
from services.core.matching import learning
from services.core.matching.model_schemas import ModelVersionPublic
from services.web.render import WebRoute, go, page
from services.web.session import Coordinator, Csrf

router = APIRouter(route_class=WebRoute, include_in_schema=False)

FEATURE_WORDS = {
    "log_overlap_hours": "Hours free at the same time",
    "in_person": "Can meet in person",
    "log_distance_km": "Distance apart",
    "log_mentee_recovery_years": "Mentee's time in recovery",
    "log_mentor_recovery_years": "Mentor's time in recovery",
    "exact_pathway": "Same pathway (not only the same family)",
    "same_gender": "Same gender",
    "mentee_states_gender": "Mentee asked for a gender",
    "mentor_states_gender": "Mentor asked for a gender",
    "shared_interests": "Shared interests",
    "shared_languages": "Shared languages",
    "same_first_language": "Same first language",
    "text_similarity": "What they wrote is alike",
    # The hand weights' components.
    "pathway": "Recovery pathway",
    "recovery_time": "Time in recovery",
    "schedule": "Times both are free",
    "distance": "Distance",
    "language": "Languages",
    "interests": "Interests",
    "about": "What they wrote",
    "waiting_bonus": "Waiting longer",
}
NOTICES = {
    "refit": "A refit is on its way. It is used only if it predicts better than the hand "
    "weights on introductions it did not learn from; this page shows it when it is done.",
    "activated": "Done. New proposals are scored this way from now on.",
}
FormText = Annotated[str, Form()]


def _factors(weights: dict[str, float]) -> list[dict[str, Any]]:
    """The weights as rows a person reads: largest effect first, with its direction."""
    rows = []
    for name, value in weights.items():
        if not isinstance(value, int | float) or name not in FEATURE_WORDS:
            continue
        if value > 0:
            effect = "raises the chance"
        elif value < 0:
            effect = "lowers the chance"
        else:
            effect = "no effect"
        rows.append(
            {"name": FEATURE_WORDS[name], "value": round(float(value), 3), "effect": effect}
        )
    return sorted(rows, key=lambda row: -abs(row["value"]))


def _model_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    coordinator: Coordinator,
    *,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    current = read_model(session, coordinator, settings)
    versions = [
        ModelVersionPublic.model_validate(row)
        for row in learning.versions(session=session, organization_id=coordinator.organization_id)
    ]
    return page(
        request,
        "coordinator_model.html",
        status_code=status_code,
        title="Matching model",
        current=current,
        factors=_factors(current.weights),
        versions=versions,
        notice=NOTICES.get(request.query_params.get("done", "")),
        problem=problem,
    )


@router.get("/coordinator/model")
def model_page(
    request: Request, session: SessionDep, settings: SettingsDep, coordinator: Coordinator
) -> Response:
    return _model_page(request, session, settings, coordinator)


@router.post("/coordinator/model/refit", dependencies=[Csrf])
def refit(
    request: Request, session: SessionDep, settings: SettingsDep, coordinator: Coordinator
) -> Response:
    try:
        learning.enough_outcomes(
            session=session,
            organization_id=coordinator.organization_id,
            minimum=minimum_of(settings),
        )
    except Conflict as too_few:
        return _model_page(
            request, session, settings, coordinator, problem=str(too_few.detail), status_code=409
        )
    learning.queue_refit(session=session, organization_id=coordinator.organization_id)
    return go("/coordinator/model", notice="refit")


@router.post("/coordinator/model/activate", dependencies=[Csrf])
def activate(session: SessionDep, coordinator: Coordinator, version: FormText = "hand") -> Response:
    number = None if version == "hand" else _version_number(version)
    learning.activate(session=session, organization_id=coordinator.organization_id, number=number)
    return go("/coordinator/model", notice="activated")


def _version_number(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) < 2**31:
        raise Conflict("There is no such version.")
    return int(text)
