"""A profile's place: a city named by name, region and country, or a point; and the city
search that suggests as one types."""

from __future__ import annotations

from dataclasses import dataclass

from services.core.errors import InvalidInput
from services.core.profiles import geo
from services.core.profiles.schemas import Location, PlaceSuggestion

# An ambiguous name lists at most this many candidates, most populous first.
MAX_CANDIDATES = 20
NOT_FOUND = (
    "we could not find this city in this country (towns of 5,000 people or more are "
    "known; a nearby larger town, or coordinates, will do)"
)


@dataclass(frozen=True)
class Located:
    """Where a profile is: the coarsened point, and the city chosen if one was."""

    point: geo.Place
    city: geo.City | None = None


def suggestion(city: geo.City) -> PlaceSuggestion:
    """A city as the search offers it, with the words a person reads."""
    return PlaceSuggestion(
        city=city.name, region=city.region, country=city.country, label=geo.label(city)
    )


def _candidates(found: tuple[geo.City, ...]) -> list[dict[str, str | None]]:
    return [
        {"city": city.name, "region": city.region, "country": city.country}
        for city in found[:MAX_CANDIDATES]
    ]


def locate(location: Location) -> Located:
    """Resolve a profile's location offline, or raise InvalidInput naming the field (and,
    for a name shared by several places, the candidates to choose from)."""
    if location.city is None or location.country is None:
        assert location.latitude is not None and location.longitude is not None
        return Located(point=geo.coarsen(location.latitude, location.longitude))
    found = geo.candidates(location.city, location.country)
    if not found:
        # Never repeat what was sent: describe the problem instead.
        raise InvalidInput("location.city", NOT_FOUND)
    if location.region is not None:
        chosen = geo.in_region(found, location.region)
        if not chosen:
            raise InvalidInput(
                "location.region",
                "no city of this name is in this region; choose one of the candidates",
                "unknown_region",
                {"candidates": _candidates(found)},
            )
        found = chosen
    if len(found) > 1:
        raise InvalidInput(
            "location.region",
            f"{len(found)} places have this name in this country; give the region of the "
            "one you mean (one of the candidates)",
            "ambiguous_city",
            {"candidates": _candidates(found)},
        )
    return Located(point=found[0].place, city=found[0])


def search(prefix: str, *, country: str | None, limit: int) -> list[PlaceSuggestion]:
    """Cities whose name starts with `prefix`, most populous first, in one country or all."""
    code = None
    if country is not None:
        code = geo.country_code(country)
        if code is None:
            raise InvalidInput("country", "unknown country; use a name or an ISO 3166 code")
    if len(geo.fold(prefix)) < 2:
        raise InvalidInput("q", "type at least 2 letters")
    return [suggestion(city) for city in geo.suggest(prefix, country=code, limit=limit)]
