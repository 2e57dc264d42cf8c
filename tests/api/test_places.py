"""Places people can find: a city named by region where its name is shared, and the
search that suggests as one types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import mentee_body

MENTEE = "/api/v1/me/mentee-profile"
PLACES = "/api/v1/places"
Member = Callable[..., dict[str, str]]
# The eleven US Springfields of 5,000 people or more, by state.
SPRINGFIELD_STATES = {
    "Florida",
    "Illinois",
    "Massachusetts",
    "Michigan",
    "Missouri",
    "New Jersey",
    "Ohio",
    "Oregon",
    "Pennsylvania",
    "Tennessee",
    "Virginia",
}


def _save(client: TestClient, headers: dict[str, str], **location: Any) -> Any:
    return client.put(MENTEE, json=mentee_body(location=location), headers=headers)


@pytest.mark.parametrize(
    ("region", "latitude", "longitude", "label"),
    [
        ("Oregon", 45.52, -122.68, "Portland, Oregon, United States"),
        ("Maine", 43.66, -70.26, "Portland, Maine, United States"),
        ("me", 43.66, -70.26, "Portland, Maine, United States"),
    ],
)
def test_portland_is_told_apart_by_region(
    client: TestClient,
    member: Member,
    region: str,
    latitude: float,
    longitude: float,
    label: str,
) -> None:
    headers = member()
    saved = _save(client, headers, city="portland", region=region, country="United States")
    assert saved.status_code == 201, saved.text
    location = client.get(MENTEE, headers=headers).json()["location"]
    assert location["latitude"] == pytest.approx(latitude, abs=0.01)
    assert location["longitude"] == pytest.approx(longitude, abs=0.01)
    # The place as the data names it, not as it was typed.
    assert (location["city"], location["country"], location["label"]) == ("Portland", "US", label)


def test_a_springfield_by_its_state(client: TestClient, member: Member) -> None:
    headers = member()
    saved = _save(client, headers, city="Springfield", region="Illinois", country="US")
    assert saved.status_code == 201, saved.text
    location = saved.json()["location"]
    assert location["region"] == "Illinois"
    assert location["latitude"] == pytest.approx(39.80, abs=0.01)
    assert location["longitude"] == pytest.approx(-89.64, abs=0.01)


def test_an_ambiguous_city_lists_its_candidates(client: TestClient, member: Member) -> None:
    headers = member()
    refused = _save(client, headers, city="Springfield", country="US")
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert error["field"] == "location.region"
    assert error["loc"] == ["body", "location", "region"]
    assert error["type"] == "ambiguous_city"
    candidates = error["candidates"]
    assert {c["region"] for c in candidates} == SPRINGFIELD_STATES
    assert {(c["city"], c["country"]) for c in candidates} == {("Springfield", "US")}
    # Nothing was saved, so nothing was guessed.
    assert client.get(MENTEE, headers=headers).status_code == 404


def test_portland_without_a_region_is_not_silently_oregon(
    client: TestClient, member: Member
) -> None:
    refused = _save(client, member(), city="Portland", country="US")
    assert refused.status_code == 422
    regions = [c["region"] for c in refused.json()["detail"][0]["candidates"]]
    # Most populous first.
    assert regions[:2] == ["Oregon", "Maine"]


def test_a_region_without_that_city_lists_the_candidates(
    client: TestClient, member: Member
) -> None:
    refused = _save(client, member(), city="Portland", region="Vermont", country="US")
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert error["field"] == "location.region"
    assert "Vermont" not in error["msg"]
    assert "Oregon" in {c["region"] for c in error["candidates"]}


def test_an_unambiguous_city_needs_no_region(client: TestClient, member: Member) -> None:
    saved = _save(client, member(), city="Reykjavik", country="IS")
    assert saved.status_code == 201, saved.text
    assert saved.json()["location"]["city"] == "Reykjavík"


def test_an_unknown_city_is_refused_without_echo(client: TestClient, member: Member) -> None:
    sent = "Quillonbury Marsh"
    refused = _save(client, member(), city=sent, region="Oregon", country="US")
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert error["field"] == "location.city"
    assert "candidates" not in error
    assert "Quillonbury" not in refused.text


def test_a_region_needs_a_city_and_country(client: TestClient, member: Member) -> None:
    refused = _save(client, member(), region="Oregon")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "location"


def test_suggestions_start_with_the_letters_most_populous_first(client: TestClient) -> None:
    answer = client.get(PLACES, params={"q": "port", "country": "US", "limit": 10})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert len(found) == 10
    assert all(place["city"].lower().startswith("port") for place in found)
    assert found[0] == {
        "city": "Portland",
        "region": "Oregon",
        "country": "US",
        "label": "Portland, Oregon, United States",
    }
    labels = [place["label"] for place in found]
    assert labels.index("Portland, Oregon, United States") < labels.index(
        "Portland, Maine, United States"
    )
    # Each one, sent back as it came, is a location a profile accepts.
    assert "Portland, Maine, United States" in labels


def test_suggestions_fold_case_and_accents(client: TestClient) -> None:
    found = client.get(PLACES, params={"q": "ZUR", "country": "Switzerland"}).json()
    assert found[0]["label"] == "Zürich, Zürich, Switzerland"


def test_a_suggestion_saves_as_it_came(client: TestClient, member: Member) -> None:
    headers = member()
    found = client.get(PLACES, params={"q": "springf", "country": "US", "limit": 20}).json()
    assert {place["region"] for place in found} >= SPRINGFIELD_STATES
    chosen = next(place for place in found if place["region"] == "Michigan")
    location = {key: chosen[key] for key in ("city", "region", "country")}
    saved = _save(client, headers, **location)
    assert saved.status_code == 201, saved.text
    assert saved.json()["location"]["label"] == chosen["label"]


def test_suggestions_across_countries(client: TestClient) -> None:
    found = client.get(PLACES, params={"q": "port", "limit": 20}).json()
    assert len(found) == 20
    assert len({place["country"] for place in found}) > 3
    assert {"city": "Portland", "region": "Oregon", "country": "US"}.items() <= next(
        place for place in found if place["city"] == "Portland"
    ).items()


def test_a_prefix_nothing_starts_with_finds_nothing(client: TestClient) -> None:
    answer = client.get(PLACES, params={"q": "qxzq"})
    assert answer.status_code == 200
    assert answer.json() == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "p"}, "q"),
        ({"q": " p "}, "q"),
        ({}, "q"),
        ({"q": "port", "limit": 0}, "limit"),
        ({"q": "port", "limit": 21}, "limit"),
        ({"q": "port", "country": "Narnia"}, "country"),
    ],
)
def test_bad_searches_are_refused(client: TestClient, params: dict[str, Any], field: str) -> None:
    answer = client.get(PLACES, params=params)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == field
    assert "Narnia" not in answer.text


def test_the_limit_is_kept(client: TestClient) -> None:
    for limit in (1, 5, 20):
        found = client.get(PLACES, params={"q": "sa", "limit": limit}).json()
        assert len(found) == limit
    populations_order = client.get(PLACES, params={"q": "sa", "limit": 3}).json()
    assert populations_order[0]["city"] == "São Paulo"
