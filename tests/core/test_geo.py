"""The offline place data: regions named only where the names are sure."""

from __future__ import annotations

from services.core.profiles import geo


def test_us_states_are_named() -> None:
    regions = {city.region for city in geo.candidates("Portland", "US")}
    assert {"Oregon", "Maine", "Texas"} <= regions


def test_a_region_without_a_sure_name_keeps_its_code() -> None:
    # GeoNames' "40" is Tokyo; ISO's JP-40 is Fukuoka: a code is better than a wrong name.
    [tokyo] = geo.candidates("Tokyo", "JP")
    assert tokyo.region == "40"
    assert geo.label(tokyo) == "Tokyo, Japan"


def test_a_code_is_shown_where_it_alone_tells_cities_apart() -> None:
    found = geo.candidates("Hamilton", "CA")
    assert len(found) > 1
    labels = {geo.label(city) for city in found}
    assert len(labels) == len(found)


def test_iso_regions_read_as_names() -> None:
    [cardiff] = geo.candidates("Cardiff", "GB")
    assert geo.label(cardiff) == "Cardiff, Wales, United Kingdom"


def test_an_alternate_name_finds_the_place_when_no_place_has_it_as_its_own() -> None:
    [munich] = geo.candidates("München", "DE")
    assert munich.name == "Munich"


def test_resolve_needs_one_city() -> None:
    assert geo.resolve_city("Springfield", "US") is None
    assert geo.resolve_city("Springfield", "US", "Oregon") == geo.Place(44.05, -123.02)
    assert geo.resolve_city("Springfield", "US", "Alaska") is None
