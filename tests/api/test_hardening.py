"""What the outside probe found in the domain: mentors who edit what was vetted, matching runs
queued without end, and answers that repeat what was sent."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.core.db import utcnow
from services.core.errors import Conflict
from services.core.matching import runs
from services.core.matching.eligibility import eligible_mentors
from services.core.models import MatchingRun, MatchingRunStatus, Profile, ProfileRole, User
from services.core.profiles.service import vetting_message
from tests.factories import mentee_body, mentor_body

MENTOR = "/api/v1/me/mentor-profile"
RUNS = "/api/v1/matching/runs"
Member = Callable[..., dict[str, str]]
Coordinator = Callable[..., dict[str, str]]
Db = Callable[[], Any]


def _approved_mentor(client: TestClient, member: Member, coordinator: Coordinator) -> Any:
    headers = member()
    staff = coordinator()
    created = client.put(MENTOR, json=mentor_body(), headers=headers)
    assert created.status_code == 201, created.text
    profile_id = created.json()["id"]
    vetted = client.post(
        f"/api/v1/coordinator/mentors/{profile_id}/vetting",
        json={"decision": "approved"},
        headers=staff,
    )
    assert vetted.status_code == 200, vetted.text
    assert client.get(MENTOR, headers=headers).json()["vetting_status"] == "approved"
    return headers, uuid.UUID(profile_id), staff


def _eligible_ids(db: Db) -> set[uuid.UUID]:
    with db() as session:
        organization_id = session.scalar(select(User.organization_id).limit(1))
        return {m.id for m, _ in eligible_mentors(session=session, organization_id=organization_id)}


@pytest.mark.parametrize(
    "change",
    [
        {"alias": "Cedar"},
        {"about": "Call me on 555-0100 any time."},
        {"pathways": ["na"]},
        {"recovery_date": "2015-01-01"},
        {"gender": "man"},
        {"interests": ["fishing"]},
    ],
    ids=lambda change: next(iter(change)),
)
def test_changing_what_was_vetted_sends_a_mentor_back_to_review(
    client: TestClient, member: Member, coordinator: Coordinator, db: Db, change: dict[str, Any]
) -> None:
    headers, profile_id, staff = _approved_mentor(client, member, coordinator)
    assert profile_id in _eligible_ids(db)

    saved = client.put(MENTOR, json=mentor_body(**change), headers=headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["vetting_status"] == "pending"
    assert profile_id not in _eligible_ids(db)  # not matched until approved again
    with db() as session:
        profile = session.get(Profile, profile_id)
        assert profile.changed_since_vetting == [next(iter(change))]
        message = vetting_message(profile)
    assert message is not None and "a coordinator will look at your profile again" in message

    # The coordinator sees it in the queue again; approving it clears the list.
    pending = client.get("/api/v1/coordinator/mentors?vetting_status=pending", headers=staff).json()
    assert [m["profile_id"] for m in pending] == [str(profile_id)]
    client.post(
        f"/api/v1/coordinator/mentors/{profile_id}/vetting",
        json={"decision": "approved"},
        headers=staff,
    )
    with db() as session:
        profile = session.get(Profile, profile_id)
        assert profile.changed_since_vetting is None and vetting_message(profile) is None
    assert profile_id in _eligible_ids(db)


@pytest.mark.parametrize(
    "change",
    [
        {"capacity": 1},
        {"paused": True},
        {"availability": [{"day": "wed", "start": "07:00", "end": "08:00"}]},
        {"location": {"latitude": 45.6, "longitude": -122.5}},
        {"max_distance_km": 40, "meeting_format": "online", "timezone": "America/Denver"},
        {"languages": ["en", "es"]},
        # The same lists in another order are the same answers.
        {"interests": ["hiking", "parenting"]},
    ],
    ids=lambda change: "+".join(change),
)
def test_logistics_keep_the_approval(
    client: TestClient, member: Member, coordinator: Coordinator, db: Db, change: dict[str, Any]
) -> None:
    headers, profile_id, _ = _approved_mentor(client, member, coordinator)
    saved = client.put(MENTOR, json=mentor_body(**change), headers=headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["vetting_status"] == "approved"
    with db() as session:
        assert session.get(Profile, profile_id).changed_since_vetting is None


def test_changes_while_back_in_review_add_up(
    client: TestClient, member: Member, coordinator: Coordinator, db: Db
) -> None:
    headers, profile_id, _ = _approved_mentor(client, member, coordinator)
    client.put(MENTOR, json=mentor_body(alias="Cedar"), headers=headers)
    client.put(MENTOR, json=mentor_body(alias="Cedar", about="New words."), headers=headers)
    with db() as session:
        profile = session.get(Profile, profile_id)
        assert profile.changed_since_vetting == ["about", "alias"]
        assert "your about text and your alias" in (vetting_message(profile) or "")


def test_a_new_or_rejected_mentor_is_not_affected(
    client: TestClient, member: Member, coordinator: Coordinator, db: Db
) -> None:
    headers = member()
    profile_id = client.put(MENTOR, json=mentor_body(), headers=headers).json()["id"]
    client.put(MENTOR, json=mentor_body(alias="Cedar"), headers=headers)
    client.post(
        f"/api/v1/coordinator/mentors/{profile_id}/vetting",
        json={"decision": "rejected"},
        headers=coordinator(),
    )
    saved = client.put(MENTOR, json=mentor_body(alias="Birch"), headers=headers)
    assert saved.json()["vetting_status"] == "rejected"
    with db() as session:
        assert session.get(Profile, uuid.UUID(profile_id)).changed_since_vetting is None


def test_one_matching_run_per_organization_at_a_time(
    client: TestClient, coordinator: Coordinator, db: Db
) -> None:
    headers = coordinator()
    first = client.post(RUNS, headers=headers)
    assert first.status_code == 202, first.text
    second = client.post(RUNS, headers=headers)
    assert second.status_code == 409
    assert first.json()["id"] in second.json()["detail"]
    # Another organization is not held up.
    assert client.post(RUNS, headers=coordinator("lighthouse")).status_code == 202

    # Once the run is done, the next may start.
    with db() as session:
        session.get(MatchingRun, uuid.UUID(first.json()["id"])).status = MatchingRunStatus.succeeded
    assert client.post(RUNS, headers=headers).status_code == 202


def test_a_stale_run_stops_blocking(client: TestClient, coordinator: Coordinator, db: Db) -> None:
    headers = coordinator()
    stuck = client.post(RUNS, headers=headers).json()
    with db() as session:
        run = session.get(MatchingRun, uuid.UUID(stuck["id"]))
        run.status = MatchingRunStatus.running
        organization_id = run.organization_id
        created = run.created_at
    # Not stale yet, by an injected clock just inside the window.
    with pytest.raises(Conflict), db() as session:
        runs.queue_run(
            session=session,
            organization_id=organization_id,
            requested_by=None,
            now=created + runs.STALE_RUN_AFTER - timedelta(seconds=1),
        )
    with db() as session:
        fresh = runs.queue_run(
            session=session,
            organization_id=organization_id,
            requested_by=None,
            now=created + runs.STALE_RUN_AFTER + timedelta(seconds=1),
        )
        fresh_id = fresh.id
    assert client.get(f"{RUNS}/{stuck['id']}", headers=headers).json()["status"] == "failed"
    assert client.get(f"{RUNS}/{fresh_id}", headers=headers).json()["status"] == "queued"


def test_the_database_refuses_a_second_open_run(coordinator: Coordinator, db: Db) -> None:
    coordinator()
    with db() as session:
        organization_id = session.scalar(select(User.organization_id).limit(1))
        session.add(MatchingRun(organization_id=organization_id))
    with pytest.raises(IntegrityError), db() as session:
        session.add(MatchingRun(organization_id=organization_id, status=MatchingRunStatus.running))
        session.flush()
    with db() as session:
        # Finished runs are history, and any number of them may exist.
        for status in (MatchingRunStatus.succeeded, MatchingRunStatus.failed):
            session.add(MatchingRun(organization_id=organization_id, status=status))


def test_the_periodic_runs_skip_an_organization_that_has_one(
    coordinator: Coordinator, db: Db
) -> None:
    coordinator()
    coordinator("lighthouse")
    with db() as session:
        assert runs.queue_all_runs(session=session) == 2
    with db() as session:
        assert runs.queue_all_runs(session=session) == 0
        assert session.query(MatchingRun).count() == 2


def test_an_unknown_city_is_refused_without_repeating_it(
    client: TestClient, member: Member
) -> None:
    sent = "<script>alert(1)</script>"
    body = mentee_body(location={"city": sent, "country": "Atlantis"})
    answer = client.put("/api/v1/me/mentee-profile", json=body, headers=member())
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "location.city"
    assert sent not in answer.text and "Atlantis" not in answer.text


def test_mentees_have_no_vetting_to_lose(client: TestClient, member: Member, db: Db) -> None:
    headers = member()
    client.put("/api/v1/me/mentee-profile", json=mentee_body(), headers=headers)
    client.put("/api/v1/me/mentee-profile", json=mentee_body(alias="Fern"), headers=headers)
    with db() as session:
        profile = session.scalar(select(Profile).where(Profile.role == ProfileRole.mentee))
        assert profile.vetting_status is None and profile.changed_since_vetting is None
        assert profile.created_at <= utcnow()


def test_the_mentor_is_told_and_the_coordinator_sees_what_changed(
    client: TestClient, member: Member, coordinator: Coordinator
) -> None:
    headers, profile_id, staff = _approved_mentor(client, member, coordinator)
    saved = client.put(MENTOR, json=mentor_body(about="Call me on 555-0100."), headers=headers)
    assert saved.json()["vetting_status"] == "pending"
    assert "coordinator will look at your profile again" in saved.json()["vetting_message"]
    listed = client.get("/api/v1/coordinator/mentors?vetting_status=pending", headers=staff)
    [summary] = [m for m in listed.json() if m["profile_id"] == str(profile_id)]
    assert summary["changed_since_vetting"] == ["about"]
    again = client.post(
        f"/api/v1/coordinator/mentors/{profile_id}/vetting",
        json={"decision": "approved"},
        headers=staff,
    )
    assert again.json()["changed_since_vetting"] == []
    assert client.get(MENTOR, headers=headers).json()["vetting_message"] is None
