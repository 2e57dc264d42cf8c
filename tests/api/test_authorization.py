"""Object-level authorization: each route shows and changes only what is the caller's."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.factories import mentee_body, mentor_body

Headers = Callable[..., dict[str, str]]
NOBODY = "00000000-0000-4000-8000-000000000000"
OWN_ROUTES = [
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/me/mentee-profile"),
    ("PUT", "/api/v1/me/mentee-profile"),
    ("DELETE", "/api/v1/me/mentee-profile"),
    ("GET", "/api/v1/me/mentor-profile"),
    ("PUT", "/api/v1/me/mentor-profile"),
    ("DELETE", "/api/v1/me/mentor-profile"),
    ("GET", "/api/v1/me/introductions"),
    ("GET", f"/api/v1/introductions/{NOBODY}"),
    ("POST", f"/api/v1/introductions/{NOBODY}/accept"),
    ("POST", f"/api/v1/introductions/{NOBODY}/decline"),
    ("POST", f"/api/v1/introductions/{NOBODY}/approve"),
    ("POST", f"/api/v1/introductions/{NOBODY}/reject"),
    ("POST", f"/api/v1/introductions/{NOBODY}/end"),
]
COORDINATOR_ROUTES = [
    ("GET", "/api/v1/coordinator/mentors"),
    ("GET", "/api/v1/coordinator/waiting-mentees"),
    ("POST", f"/api/v1/coordinator/mentors/{NOBODY}/vetting"),
    ("GET", "/api/v1/coordinator/introductions"),
    ("POST", "/api/v1/coordinator/introductions"),
    ("GET", f"/api/v1/coordinator/introductions/{NOBODY}/events"),
    ("GET", "/api/v1/coordinator/stats"),
    ("POST", "/api/v1/matching/runs"),
    ("GET", f"/api/v1/matching/runs/{NOBODY}"),
]


@pytest.mark.parametrize(("method", "path"), OWN_ROUTES + COORDINATOR_ROUTES)
def test_every_route_needs_a_login(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, json={"decision": "approved"})
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path"), COORDINATOR_ROUTES)
def test_members_get_403_on_coordinator_routes(
    client: TestClient, member: Headers, method: str, path: str
) -> None:
    body = {"decision": "approved", "mentee_profile_id": NOBODY, "mentor_profile_id": NOBODY}
    response = client.request(method, path, headers=member(), json=body)
    assert response.status_code == 403


@pytest.mark.parametrize("side", ["mentee", "mentor"])
def test_another_members_profile_is_not_found(
    client: TestClient, member: Headers, side: str
) -> None:
    path = f"/api/v1/me/{side}-profile"
    owner, other = member(), member()
    body = mentee_body() if side == "mentee" else mentor_body()
    assert client.put(path, json=body, headers=owner).status_code == 201
    assert client.get(path, headers=other).status_code == 404
    assert client.delete(path, headers=other).status_code == 404
    # Saving one's own never touches someone else's.
    assert client.put(path, json={**body, "alias": "Other"}, headers=other).status_code == 201
    assert client.get(path, headers=owner).json()["alias"] == body["alias"]


def test_vetting_another_organizations_mentor_is_not_found(
    client: TestClient, member: Headers, coordinator: Headers
) -> None:
    ours, theirs = coordinator("harbor-house"), coordinator("lighthouse")
    mentor = member(organization="harbor-house")
    profile = client.put("/api/v1/me/mentor-profile", json=mentor_body(), headers=mentor).json()
    path = f"/api/v1/coordinator/mentors/{profile['id']}/vetting"

    assert client.post(path, json={"decision": "approved"}, headers=theirs).status_code == 404
    assert client.get("/api/v1/me/mentor-profile", headers=mentor).json()["vetting_status"] == (
        "pending"
    )
    approved = client.post(
        path, json={"decision": "approved", "note": "met in person"}, headers=ours
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["vetting_status"] == "approved"
    assert client.get("/api/v1/me/mentor-profile", headers=mentor).json()["vetting_status"] == (
        "approved"
    )


def test_a_mentee_profile_cannot_be_vetted(
    client: TestClient, member: Headers, coordinator: Headers
) -> None:
    ours = coordinator("demo")
    mentee = client.put("/api/v1/me/mentee-profile", json=mentee_body(), headers=member()).json()
    path = f"/api/v1/coordinator/mentors/{mentee['id']}/vetting"
    assert client.post(path, json={"decision": "approved"}, headers=ours).status_code == 404


def test_coordinators_list_only_their_own_organization(
    client: TestClient, member: Headers, coordinator: Headers
) -> None:
    ours, theirs = coordinator("harbor-house"), coordinator("lighthouse")
    for organization in ("harbor-house", "lighthouse"):
        headers = member(organization=organization)
        client.put(
            "/api/v1/me/mentor-profile", json=mentor_body(alias=organization), headers=headers
        )
        client.put(
            "/api/v1/me/mentee-profile", json=mentee_body(alias=organization), headers=headers
        )

    for headers, organization in ((ours, "harbor-house"), (theirs, "lighthouse")):
        mentors = client.get("/api/v1/coordinator/mentors", headers=headers)
        waiting = client.get("/api/v1/coordinator/waiting-mentees", headers=headers)
        assert [m["alias"] for m in mentors.json()] == [organization]
        assert [m["alias"] for m in waiting.json()] == [organization]
        assert mentors.headers["x-total-count"] == "1"


def test_coordinator_views_hold_no_location_and_contact_only_for_vetting(
    client: TestClient, member: Headers, coordinator: Headers
) -> None:
    ours = coordinator("demo")
    headers = member(email="private.person@example.org")
    client.put("/api/v1/me/mentor-profile", json=mentor_body(), headers=headers)
    client.put("/api/v1/me/mentee-profile", json=mentee_body(), headers=headers)
    waiting = client.get("/api/v1/coordinator/waiting-mentees", headers=ours).text
    vetting = client.get("/api/v1/coordinator/mentors", headers=ours).text
    # Coordinators vet people, not aliases (API 1.1): the applicant's name and email.
    assert "private.person@example.org" in vetting
    assert "private.person" not in waiting
    assert "Sam" not in waiting  # the display name
    for text in (waiting, vetting):
        assert "latitude" not in text and "45.52" not in text
        assert "2018-03-15" not in text  # the exact recovery date


def test_vetting_filter_and_pagination(
    client: TestClient, member: Headers, coordinator: Headers
) -> None:
    ours = coordinator("demo")
    ids = []
    for index in range(3):
        profile = client.put(
            "/api/v1/me/mentor-profile", json=mentor_body(alias=f"m{index}"), headers=member()
        ).json()
        ids.append(profile["id"])
    client.post(
        f"/api/v1/coordinator/mentors/{ids[0]}/vetting", json={"decision": "rejected"}, headers=ours
    )
    pending = client.get("/api/v1/coordinator/mentors?vetting_status=pending", headers=ours)
    assert [m["alias"] for m in pending.json()] == ["m1", "m2"]
    page = client.get("/api/v1/coordinator/mentors?limit=1&offset=1", headers=ours)
    assert [m["alias"] for m in page.json()] == ["m1"]
    assert page.headers["x-total-count"] == "3"
    assert client.get("/api/v1/coordinator/mentors?limit=0", headers=ours).status_code == 422
    bad = client.get("/api/v1/coordinator/mentors?vetting_status=maybe", headers=ours)
    assert bad.status_code == 422


def test_invalid_vetting_decision_is_422(
    client: TestClient, member: Headers, coordinator: Headers
) -> None:
    ours = coordinator("demo")
    profile = client.put("/api/v1/me/mentor-profile", json=mentor_body(), headers=member()).json()
    path = f"/api/v1/coordinator/mentors/{profile['id']}/vetting"
    for body in ({"decision": "pending"}, {"decision": "yes"}, {}):
        response = client.post(path, json=body, headers=ours)
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "decision"
    assert (
        client.post(
            "/api/v1/coordinator/mentors/not-a-uuid/vetting",
            json={"decision": "approved"},
            headers=ours,
        ).status_code
        == 422
    )
