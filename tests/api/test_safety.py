"""Safety: support resources, reason codes, block, report and coordinators' exclusions,
with who may do each (another organization's coordinator and unrelated members get 404,
members on coordinator routes 403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.workflow.conftest import Cast, Person

Headers = dict[str, str]
NOBODY = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def cast(
    client: TestClient,
    app: FastAPI,
    member: Callable[..., Headers],
    coordinator: Callable[..., Headers],
) -> Cast:
    """A coordinator of `demo` and helpers to add mentees and mentors."""
    return Cast(client=client, app=app, coordinator=coordinator("demo"), member=member)


def _proposed(cast: Cast) -> tuple[Person, Person, str]:
    mentee, mentor = cast.mentee(), cast.mentor()
    # A coordinator's own proposal: exactly this pair, whoever else is waiting.
    proposed = cast.client.post(
        "/api/v1/coordinator/introductions",
        json={"mentee_profile_id": mentee.profile_id, "mentor_profile_id": mentor.profile_id},
        headers=cast.coordinator,
    )
    assert proposed.status_code == 201, proposed.text
    return mentee, mentor, proposed.json()["id"]


def _active(cast: Cast) -> tuple[Person, Person, str]:
    mentee, mentor, introduction_id = _proposed(cast)
    cast.act(mentee.headers, introduction_id, "accept")
    cast.act(mentor.headers, introduction_id, "accept")
    approved = cast.act(cast.coordinator, introduction_id, "approve")
    assert approved.status_code == 200, approved.text
    return mentee, mentor, introduction_id


def _names(resources: list[dict[str, Any]]) -> list[str]:
    return [r["name"] for r in resources]


DEFAULTS = ["988 Suicide & Crisis Lifeline", "SAMHSA National Helpline"]
OWN = {
    "name": "Cascade Warmline",
    "contact": "Call 503-555-0100",
    "url": "https://warmline.example.org",
    "hours": "Evenings 6-11pm",
}


# Support resources


def test_support_resources_default_to_988_and_samhsa(client: TestClient) -> None:
    response = client.get("/api/v1/support-resources")
    assert response.status_code == 200
    resources = response.json()["resources"]
    assert _names(resources) == DEFAULTS
    assert "988" in resources[0]["contact"]
    assert resources[0]["url"] == "https://988lifeline.org"
    assert "1-800-662-4357" in resources[1]["contact"]
    assert all(r["hours"].startswith("24/7") for r in resources)


def test_an_unknown_organization_is_404_without_echoing(client: TestClient) -> None:
    response = client.get("/api/v1/support-resources?organization=<script>nowhere")
    assert response.status_code == 404
    assert "script" not in response.text


def test_a_coordinator_replaces_their_organizations_resources(
    client: TestClient, coordinator: Callable[..., Headers], member: Callable[..., Headers]
) -> None:
    demo, other = coordinator("demo"), coordinator("other")
    put = client.put(
        "/api/v1/coordinator/support-resources", json={"resources": [OWN]}, headers=demo
    )
    assert put.status_code == 200, put.text
    assert _names(put.json()["resources"]) == ["Cascade Warmline"]
    assert _names(client.get("/api/v1/support-resources").json()["resources"]) == [
        "Cascade Warmline"
    ]
    # Another organization keeps the defaults; a member may not change them.
    query = "/api/v1/support-resources?organization=other"
    assert _names(client.get(query).json()["resources"]) == DEFAULTS
    assert other  # exists
    denied = client.put(
        "/api/v1/coordinator/support-resources", json={"resources": [OWN]}, headers=member()
    )
    assert denied.status_code == 403


@pytest.mark.parametrize(
    "resources",
    [
        [],
        [OWN] * 11,
        [{**OWN, "url": "http://warmline.example.org"}],
        [{**OWN, "url": "javascript:alert(1)"}],
        [{**OWN, "name": "\u200b"}],
        [{**OWN, "extra": 1}],
    ],
)
def test_support_resources_are_validated(
    client: TestClient, coordinator: Callable[..., Headers], resources: list[dict[str, Any]]
) -> None:
    response = client.put(
        "/api/v1/coordinator/support-resources",
        json={"resources": resources},
        headers=coordinator("demo"),
    )
    assert response.status_code == 422


def test_decline_end_block_and_report_carry_the_organizations_resources(cast: Cast) -> None:
    cast.client.put(
        "/api/v1/coordinator/support-resources", json={"resources": [OWN]}, headers=cast.coordinator
    )
    mentee, _mentor, declined = _proposed(cast)
    response = cast.act(mentee.headers, declined, "decline")
    assert _names(response.json()["support_resources"]) == ["Cascade Warmline"]

    mentee, mentor, active = _active(cast)
    reported = cast.act(mentee.headers, active, "report", {"category": "other"})
    assert _names(reported.json()["support_resources"]) == ["Cascade Warmline"]
    ended = cast.act(mentor.headers, active, "end")
    assert _names(ended.json()["support_resources"]) == ["Cascade Warmline"]

    mentee, _mentor, proposed = _proposed(cast)
    blocked = cast.act(mentee.headers, proposed, "block")
    assert _names(blocked.json()["support_resources"]) == ["Cascade Warmline"]


# Reasons


def test_reason_codes_are_seen_by_coordinators_and_counted(cast: Cast) -> None:
    mentee, mentor, declined = _proposed(cast)
    response = cast.act(
        mentee.headers, declined, "decline", {"reason_code": "distance", "reason": "too far"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["decline_reason"] is None  # participants do not see codes
    seen = cast.client.get(f"/api/v1/introductions/{declined}", headers=mentor.headers).json()
    assert seen["decline_reason"] is None
    coordinator_view = cast.client.get(
        f"/api/v1/introductions/{declined}", headers=cast.coordinator
    ).json()
    assert coordinator_view["decline_reason"] == "distance"

    mentee2, _mentor2, active = _active(cast)
    assert cast.act(mentee2.headers, active, "end", {"reason_code": "goals_met"}).status_code == 200
    listed = cast.client.get(
        "/api/v1/coordinator/introductions?status=ended", headers=cast.coordinator
    ).json()
    assert [i["end_reason"] for i in listed] == ["goals_met"]

    stats = cast.client.get("/api/v1/coordinator/stats", headers=cast.coordinator).json()
    assert stats["decline_reasons"]["distance"] == 1
    assert stats["end_reasons"]["goals_met"] == 1
    assert stats["end_reasons"]["safety"] == 0
    assert stats["introductions_by_status"]["declined"] == 1  # the old fields stay


def test_an_omitted_reason_code_is_other(cast: Cast) -> None:
    mentee, _mentor, introduction_id = _proposed(cast)
    assert cast.act(mentee.headers, introduction_id, "decline").status_code == 200
    view = cast.client.get(f"/api/v1/introductions/{introduction_id}", headers=cast.coordinator)
    assert view.json()["decline_reason"] == "other"


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("decline", {"reason_code": "goals_met"}),
        ("decline", {"reason_code": "bored"}),
        ("end", {"reason_code": "distance"}),
        ("decline", {"reason": "\x00"}),
    ],
)
def test_an_unknown_reason_code_is_422(cast: Cast, action: str, body: dict[str, Any]) -> None:
    mentee, _mentor, introduction_id = _proposed(cast) if action == "decline" else _active(cast)
    response = cast.act(mentee.headers, introduction_id, action, body)
    assert response.status_code == 422
    assert "bored" not in response.text


# Block


def test_a_block_ends_the_introduction_and_the_pair_never_meets_again(cast: Cast) -> None:
    mentee, mentor, introduction_id = _active(cast)
    blocked = cast.act(mentee.headers, introduction_id, "block", {"reason": "made me uneasy"})
    assert blocked.status_code == 200, blocked.text
    assert blocked.json()["introduction_status"] == "ended"
    assert blocked.json()["alias"] == "Oak"

    # The other side sees only that it ended.
    theirs = cast.client.get(f"/api/v1/introductions/{introduction_id}", headers=mentor.headers)
    assert theirs.json()["status"] == "ended"
    assert theirs.json()["contact"] is None
    assert "block" not in theirs.text and "uneasy" not in theirs.text
    assert cast.client.get("/api/v1/me/blocks", headers=mentor.headers).json() == []

    mine = cast.client.get("/api/v1/me/blocks", headers=mentee.headers)
    assert mine.headers["X-Total-Count"] == "1"
    [entry] = mine.json()
    assert set(entry) == {"id", "alias", "blocked_at"}
    assert entry["alias"] == "Oak"

    # Never proposed again, even after the mentee re-creates the profile.
    assert cast.match(mentee) == []
    cast.client.delete("/api/v1/me/mentee-profile", headers=mentee.headers)
    from tests.factories import mentee_body

    again = cast.client.put("/api/v1/me/mentee-profile", json=mentee_body(), headers=mentee.headers)
    renewed = Person(mentee.headers, again.json()["id"], mentee.email)
    assert cast.match(renewed) == []

    # An ended introduction cannot be blocked again.
    assert cast.act(mentee.headers, introduction_id, "block").status_code in (404, 409)


def test_blocking_a_proposal_ends_it_and_blocking_an_ended_one_is_409(cast: Cast) -> None:
    mentee, mentor, introduction_id = _proposed(cast)
    assert cast.act(mentor.headers, introduction_id, "block").json()["introduction_status"] == (
        "ended"
    )
    assert cast.act(mentee.headers, introduction_id, "block").status_code == 409
    assert cast.act(mentee.headers, introduction_id, "accept").status_code == 409


def test_who_may_block(cast: Cast, coordinator: Callable[..., Headers]) -> None:
    _mentee, _mentor, introduction_id = _proposed(cast)
    assert cast.act(cast.coordinator, introduction_id, "block").status_code == 403
    assert cast.act(coordinator("other"), introduction_id, "block").status_code == 404
    assert cast.act(cast.member(), introduction_id, "block").status_code == 404
    assert cast.client.post(f"/api/v1/introductions/{introduction_id}/block").status_code == 401
    assert cast.act(cast.member(), NOBODY, "block").status_code == 404


# Report


def test_a_report_reaches_the_coordinators_and_not_the_reported(cast: Cast) -> None:
    mentee, mentor, introduction_id = _active(cast)
    filed = cast.act(
        mentee.headers,
        introduction_id,
        "report",
        {"category": "harassment", "details": "messages at 3am"},
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["status"] == "open"
    report_id = filed.json()["id"]

    # The reported person sees nothing: the introduction is as it was.
    theirs = cast.client.get(f"/api/v1/introductions/{introduction_id}", headers=mentor.headers)
    assert theirs.json()["status"] == "active"
    assert "harassment" not in theirs.text and "3am" not in theirs.text

    queue = cast.client.get("/api/v1/coordinator/reports?status=open", headers=cast.coordinator)
    assert queue.status_code == 200
    assert queue.headers["X-Total-Count"] == "1"
    [item] = queue.json()
    assert item["category"] == "harassment"
    assert item["details"] == "messages at 3am"
    assert item["reported_by"] == "mentee"
    assert item["reported_alias"] == "Oak"

    resolved = cast.client.post(
        f"/api/v1/coordinator/reports/{report_id}/resolve",
        json={"note": "spoke with both"},
        headers=cast.coordinator,
    )
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
    again = cast.client.post(
        f"/api/v1/coordinator/reports/{report_id}/resolve",
        json={"note": "again"},
        headers=cast.coordinator,
    )
    assert again.status_code == 409
    open_now = cast.client.get("/api/v1/coordinator/reports?status=open", headers=cast.coordinator)
    assert open_now.json() == []
    done = cast.client.get("/api/v1/coordinator/reports?status=resolved", headers=cast.coordinator)
    assert [r["id"] for r in done.json()] == [report_id]


def test_reports_are_paginated(cast: Cast) -> None:
    mentee, _mentor, introduction_id = _active(cast)
    for category in ("spam", "other", "safety"):
        filed = cast.act(mentee.headers, introduction_id, "report", {"category": category})
        assert filed.status_code == 201
    page = cast.client.get("/api/v1/coordinator/reports?limit=2&offset=1", headers=cast.coordinator)
    assert page.headers["X-Total-Count"] == "3"
    assert [r["category"] for r in page.json()] == ["other", "safety"]


def test_who_may_report_and_resolve(
    cast: Cast, coordinator: Callable[..., Headers], member: Callable[..., Headers]
) -> None:
    mentee, _mentor, introduction_id = _proposed(cast)
    body = {"category": "spam"}
    assert cast.act(cast.coordinator, introduction_id, "report", body).status_code == 403
    assert cast.act(coordinator("other"), introduction_id, "report", body).status_code == 404
    assert cast.act(member(), introduction_id, "report", body).status_code == 404
    assert cast.act(mentee.headers, introduction_id, "report", {"category": "x"}).status_code == 422
    report_id = cast.act(mentee.headers, introduction_id, "report", body).json()["id"]

    other = coordinator("other")
    assert cast.client.get("/api/v1/coordinator/reports", headers=other).json() == []
    resolve = f"/api/v1/coordinator/reports/{report_id}/resolve"
    assert cast.client.post(resolve, json={"note": "x"}, headers=other).status_code == 404
    assert cast.client.post(resolve, json={"note": "x"}, headers=mentee.headers).status_code == 403
    assert cast.client.get("/api/v1/coordinator/reports", headers=mentee.headers).status_code == 403
    nobody = f"/api/v1/coordinator/reports/{NOBODY}/resolve"
    assert cast.client.post(nobody, json={"note": "x"}, headers=cast.coordinator).status_code == 404


# Coordinators' exclusions: who may


def test_who_may_manage_exclusions(
    cast: Cast, coordinator: Callable[..., Headers], member: Callable[..., Headers]
) -> None:
    mentee, mentor = cast.mentee(), cast.mentor()
    body = {
        "mentee_profile_id": mentee.profile_id,
        "mentor_profile_id": mentor.profile_id,
        "reason": "same treatment cohort",
    }
    other = coordinator("other")
    url = "/api/v1/coordinator/exclusions"
    assert cast.client.post(url, json=body, headers=other).status_code == 404
    assert cast.client.post(url, json=body, headers=member()).status_code == 403
    assert cast.client.post(url, json=body).status_code == 401
    swapped = {**body, "mentee_profile_id": mentor.profile_id}
    assert cast.client.post(url, json=swapped, headers=cast.coordinator).status_code == 404
    assert (
        cast.client.post(url, json={**body, "reason": ""}, headers=cast.coordinator).status_code
        == 422
    )
    made = cast.client.post(url, json=body, headers=cast.coordinator)
    assert made.status_code == 201
    exclusion = f"{url}/{made.json()['id']}"
    assert cast.client.get(url, headers=other).json() == []
    assert cast.client.delete(exclusion, headers=other).status_code == 404
    assert cast.client.delete(exclusion, headers=mentee.headers).status_code == 403
    assert cast.client.delete(exclusion, headers=cast.coordinator).status_code == 204
    assert cast.client.delete(exclusion, headers=cast.coordinator).status_code == 404


def test_new_routes_declare_every_status_they_answer(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    expected = {
        ("/api/v1/support-resources", "get"): {"200", "404", "422"},
        ("/api/v1/coordinator/support-resources", "put"): {"200", "401", "403", "422"},
        ("/api/v1/me/blocks", "get"): {"200", "401", "422"},
        ("/api/v1/me/access-log", "get"): {"200", "401", "422"},
        ("/api/v1/me/export", "get"): {"200", "401"},
        ("/api/v1/me", "delete"): {"204", "401", "403", "422"},
        ("/api/v1/introductions/{introduction_id}/block", "post"): {
            "200",
            "401",
            "403",
            "404",
            "409",
            "422",
        },
        ("/api/v1/introductions/{introduction_id}/report", "post"): {
            "201",
            "401",
            "403",
            "404",
            "422",
        },
        ("/api/v1/coordinator/reports", "get"): {"200", "401", "403", "422"},
        ("/api/v1/coordinator/reports/{report_id}/resolve", "post"): {
            "200",
            "401",
            "403",
            "404",
            "409",
            "422",
        },
        ("/api/v1/coordinator/exclusions", "post"): {"201", "401", "403", "404", "409", "422"},
        ("/api/v1/coordinator/exclusions", "get"): {"200", "401", "403", "422"},
        ("/api/v1/coordinator/exclusions/{exclusion_id}", "delete"): {
            "204",
            "401",
            "403",
            "404",
            "422",
        },
    }
    for (path, method), statuses in expected.items():
        declared = set(document["paths"][path][method]["responses"])
        # Every route that reads the database may answer 503 while it is down, and every
        # route with a body 413 when it is too large (services/api/responses.py).
        assert "503" in declared, (path, method)
        assert declared - {"413", "503"} == statuses, (path, method)
