"""The city search: public place names, suggested as one types."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.core.profiles import places
from services.core.profiles.schemas import PlaceSuggestion

router = APIRouter(tags=["places"])


@router.get(
    "/places",
    response_model=list[PlaceSuggestion],
    responses={422: {"description": "Fewer than 2 letters, an unknown country or a bad limit"}},
)
def suggest_places(
    q: Annotated[str, Query(min_length=2, max_length=100, description="the name's start")],
    country: Annotated[
        str | None, Query(min_length=2, max_length=100, description="a name or ISO code")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 10,
) -> list[PlaceSuggestion]:
    """Cities (5,000 people or more) whose name starts with `q`, accents and case aside,
    most populous first; send the chosen one's city, region and country as a location.
    Public, no login: these are place names, not anyone's data."""
    return places.search(q, country=country, limit=limit)
