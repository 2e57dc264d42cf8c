"""Saving, reading and withdrawing one's own profiles, and every way a body can be wrong."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import CONSENT
from tests.factories import mentee_body, mentor_body

MENTEE = "/api/v1/me/mentee-profile"
MENTOR = "/api/v1/me/mentor-profile"
Member = Callable[..., dict[str, str]]


def test_mentee_profile_round_trip(client: TestClient, member: Member) -> None:
    headers = member()
    created = client.put(MENTEE, json=mentee_body(), headers=headers)
    assert created.status_code == 201, created.text
    profile = created.json()
    assert profile["role"] == "mentee"
    assert profile["waiting_since"] is not None
    assert "capacity" not in profile and "vetting_status" not in profile
    assert client.get(MENTEE, headers=headers).json() == profile

    replaced = client.put(MENTEE, json=mentee_body(alias="Willow"), headers=headers)
    assert replaced.status_code == 200
    assert replaced.json()["id"] == profile["id"]
    assert replaced.json()["alias"] == "Willow"
    assert replaced.json()["waiting_since"] == profile["waiting_since"]

    assert client.delete(MENTEE, headers=headers).status_code == 204
    assert client.get(MENTEE, headers=headers).status_code == 404
    assert client.delete(MENTEE, headers=headers).status_code == 404


def test_mentor_starts_pending_with_defaults(client: TestClient, member: Member) -> None:
    headers = member()
    body = mentor_body()
    del body["capacity"]
    response = client.put(MENTOR, json=body, headers=headers)
    assert response.status_code == 201, response.text
    profile = response.json()
    assert profile["role"] == "mentor"
    assert profile["vetting_status"] == "pending"
    assert profile["capacity"] == 2
    assert profile["paused"] is False
    assert profile["active_mentees"] == 0


def test_member_may_hold_both_profiles(client: TestClient, member: Member) -> None:
    headers = member()
    mentee = client.put(MENTEE, json=mentee_body(), headers=headers).json()
    mentor = client.put(MENTOR, json=mentor_body(), headers=headers).json()
    assert mentee["id"] != mentor["id"]
    client.delete(MENTEE, headers=headers)
    assert client.get(MENTOR, headers=headers).status_code == 200


def test_location_is_stored_coarsened(client: TestClient, member: Member) -> None:
    headers = member()
    body = mentee_body(location={"latitude": 45.523062, "longitude": -122.676482})
    stored = client.put(MENTEE, json=body, headers=headers).json()["location"]
    # A point names no city: nothing is guessed from it.
    assert stored == {
        "latitude": 45.52,
        "longitude": -122.68,
        "city": None,
        "region": None,
        "country": None,
        "label": None,
    }


def test_city_is_resolved_offline_and_coarsened(client: TestClient, member: Member) -> None:
    headers = member()
    body = mentee_body(location={"city": "Zürich", "country": "Switzerland"})
    response = client.put(MENTEE, json=body, headers=headers)
    assert response.status_code == 201, response.text
    location = response.json()["location"]
    assert location == {
        "latitude": pytest.approx(47.37, abs=0.01),
        "longitude": pytest.approx(8.55, abs=0.01),
        "city": "Zürich",
        "region": "Zürich",
        "country": "CH",
        "label": "Zürich, Zürich, Switzerland",
    }


def test_online_profile_needs_no_location(client: TestClient, member: Member) -> None:
    headers = member()
    body = mentee_body(location=None, meeting_format="online")
    response = client.put(MENTEE, json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["location"] is None


def test_values_are_normalised(client: TestClient, member: Member) -> None:
    headers = member()
    body = mentee_body(alias="  River  ", languages=["EN", "es"], interests=["  Dog  Walks "])
    profile = client.put(MENTEE, json=body, headers=headers).json()
    assert profile["alias"] == "River"
    assert profile["languages"] == ["en", "es"]
    assert profile["interests"] == ["dog walks"]


def test_availability_may_touch_and_run_to_midnight(client: TestClient, member: Member) -> None:
    headers = member()
    slots = [
        {"day": "sun", "start": "22:00", "end": "24:00"},
        {"day": "mon", "start": "00:00", "end": "01:00"},
        {"day": "mon", "start": "01:00", "end": "02:00"},
    ]
    response = client.put(MENTEE, json=mentee_body(availability=slots), headers=headers)
    assert response.status_code == 201, response.text


def _without(body: dict[str, Any], field: str) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != field}


# (case, path, body, field named in the error)
INVALID: list[tuple[str, str, dict[str, Any], str]] = [
    ("alias empty", MENTEE, mentee_body(alias=""), "alias"),
    ("alias blank", MENTEE, mentee_body(alias="   "), "alias"),
    ("alias too long", MENTEE, mentee_body(alias="x" * 41), "alias"),
    ("alias missing", MENTEE, _without(mentee_body(), "alias"), "alias"),
    ("gender unknown", MENTEE, mentee_body(gender="robot"), "gender"),
    (
        "gender preference unknown",
        MENTEE,
        mentee_body(gender_preference=["x"]),
        "gender_preference.0",
    ),
    (
        "gender preference repeated",
        MENTEE,
        mentee_body(gender_preference=["man", "man"]),
        "gender_preference",
    ),
    ("pathways empty", MENTEE, mentee_body(pathways=[]), "pathways"),
    ("pathway unknown", MENTEE, mentee_body(pathways=["aa", "xx"]), "pathways.1"),
    ("pathways not a list", MENTEE, mentee_body(pathways="aa"), "pathways"),
    ("recovery date malformed", MENTEE, mentee_body(recovery_date="yesterday"), "recovery_date"),
    (
        "recovery date in the future",
        MENTEE,
        mentee_body(recovery_date="2999-01-01"),
        "recovery_date",
    ),
    ("mentor without recovery date", MENTOR, mentor_body(recovery_date=None), "recovery_date"),
    ("languages empty", MENTEE, mentee_body(languages=[]), "languages"),
    ("language not ISO 639-1", MENTEE, mentee_body(languages=["eng"]), "languages.0"),
    ("language made up", MENTEE, mentee_body(languages=["xx"]), "languages.0"),
    (
        "latitude out of range",
        MENTEE,
        mentee_body(location={"latitude": 91, "longitude": 0}),
        "location.latitude",
    ),
    (
        "longitude out of range",
        MENTEE,
        mentee_body(location={"latitude": 0, "longitude": -181}),
        "location.longitude",
    ),
    ("latitude alone", MENTEE, mentee_body(location={"latitude": 10}), "location"),
    (
        "point and city both",
        MENTEE,
        mentee_body(location={"latitude": 1, "longitude": 1, "city": "Oslo", "country": "NO"}),
        "location",
    ),
    (
        "unknown city",
        MENTEE,
        mentee_body(location={"city": "Atlantis", "country": "GR"}),
        "location.city",
    ),
    (
        "unknown country",
        MENTEE,
        mentee_body(location={"city": "Paris", "country": "Narnia"}),
        "location.city",
    ),
    (
        "no location in person",
        MENTEE,
        mentee_body(location=None, meeting_format="in_person"),
        "body",
    ),
    ("max distance zero", MENTEE, mentee_body(max_distance_km=0), "max_distance_km"),
    ("max distance too far", MENTEE, mentee_body(max_distance_km=501), "max_distance_km"),
    ("meeting format unknown", MENTEE, mentee_body(meeting_format="by_post"), "meeting_format"),
    ("timezone unknown", MENTEE, mentee_body(timezone="Mars/Olympus_Mons"), "timezone"),
    ("timezone offset", MENTEE, mentee_body(timezone="+02:00"), "timezone"),
    (
        "day unknown",
        MENTEE,
        mentee_body(availability=[{"day": "funday", "start": "10:00", "end": "11:00"}]),
        "availability.0.day",
    ),
    (
        "time malformed",
        MENTEE,
        mentee_body(availability=[{"day": "mon", "start": "25:00", "end": "26:00"}]),
        "availability.0.start",
    ),
    (
        "start after end",
        MENTEE,
        mentee_body(availability=[{"day": "mon", "start": "20:00", "end": "19:00"}]),
        "availability.0",
    ),
    (
        "empty window",
        MENTEE,
        mentee_body(availability=[{"day": "mon", "start": "20:00", "end": "20:00"}]),
        "availability.0",
    ),
    (
        "overlapping windows",
        MENTEE,
        mentee_body(
            availability=[
                {"day": "mon", "start": "18:00", "end": "20:00"},
                {"day": "mon", "start": "19:30", "end": "21:00"},
            ]
        ),
        "availability",
    ),
    (
        "too many interests",
        MENTEE,
        mentee_body(interests=[f"tag{i}" for i in range(21)]),
        "interests",
    ),
    ("interest too long", MENTEE, mentee_body(interests=["x" * 33]), "interests.0"),
    ("about too long", MENTEE, mentee_body(about="x" * 1001), "about"),
    ("capacity on a mentee", MENTEE, mentee_body(capacity=2), "capacity"),
    ("capacity zero", MENTOR, mentor_body(capacity=0), "capacity"),
    ("capacity eleven", MENTOR, mentor_body(capacity=11), "capacity"),
    ("paused not a bool", MENTOR, mentor_body(paused="sometimes"), "paused"),
    ("unknown field", MENTEE, mentee_body(favourite_colour="blue"), "favourite_colour"),
]


@pytest.mark.parametrize(("case", "path", "body", "field"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_body_names_the_field_and_stores_nothing(
    client: TestClient, member: Member, case: str, path: str, body: dict[str, Any], field: str
) -> None:
    headers = member()
    response = client.put(path, json=body, headers=headers)
    assert response.status_code == 422, response.text
    fields = [error["field"] for error in response.json()["detail"]]
    assert field in fields, fields
    assert "Traceback" not in response.text
    assert client.get(path, headers=headers).status_code == 404


def test_invalid_replacement_keeps_the_old_profile(client: TestClient, member: Member) -> None:
    headers = member()
    original = client.put(MENTEE, json=mentee_body(), headers=headers).json()
    bad = client.put(MENTEE, json=mentee_body(timezone="Nowhere/Else"), headers=headers)
    assert bad.status_code == 422
    assert client.get(MENTEE, headers=headers).json() == original


@pytest.mark.parametrize(
    "raw",
    [b"{", b"null", b"[]", b'"text"', b'{"alias": ' + b"9" * 5000 + b"}", b"\xff\xfe"],
    ids=["truncated", "null", "list", "string", "huge number", "not utf-8"],
)
def test_malformed_json_is_a_422(client: TestClient, member: Member, raw: bytes) -> None:
    headers = {**member(), "Content-Type": "application/json"}
    response = client.put(MENTEE, content=raw, headers=headers)
    assert response.status_code == 422, response.text


def test_errors_do_not_echo_submitted_values(client: TestClient) -> None:
    secret = "my-secret-but-short"
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "a@example.org", "password": secret[:11], "display_name": "A", **CONSENT},
    )
    assert response.status_code == 422
    assert secret[:11] not in response.text
    assert response.json()["detail"][0]["field"] == "password"


def test_why_a_mentee_waits_is_worked_out_after_the_save_is_committed(
    client: TestClient, member: Member, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The waiting reasons read every mentor of the organization: the save's write
    transaction (on SQLite the one write lock) is not held while they are worked out."""
    from sqlalchemy import select

    from services.core.db import read_only_session
    from services.core.models import Profile
    from services.core.profiles import views

    seen: list[list[str]] = []
    reasons = views.waiting_reasons

    def watching(**kwargs: Any) -> Any:
        # Another connection, taking no lock: it sees only what was committed.
        with read_only_session(app.state.session_factory) as session:
            seen.append(list(session.scalars(select(Profile.alias))))
        return reasons(**kwargs)

    monkeypatch.setattr(views, "waiting_reasons", watching)
    created = client.put(MENTEE, json=mentee_body(alias="Committed"), headers=member())
    assert created.status_code == 201, created.text
    assert created.json()["matching_status"] is not None
    assert seen == [["Committed"]]
