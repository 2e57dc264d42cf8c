"""A member's own data: the access log of coordinators' reads, vetting by people, the
export, and erasure (what goes, what stays naming nobody, and that the keys stop working)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from services.core.db import transaction
from services.core.models import Introduction, OutboxMessage, PairExclusion, Profile, User
from services.core.models.safety import AccessLogEntry
from services.core.safety.access import prune
from services.core.task_names import MATCH_PROFILE_TASK
from tests.conftest import PASSWORD
from tests.workflow.conftest import Cast, Person

Headers = dict[str, str]


@pytest.fixture
def cast(
    client: TestClient,
    app: FastAPI,
    member: Callable[..., Headers],
    coordinator: Callable[..., Headers],
) -> Cast:
    """A coordinator of `demo` and helpers to add mentees and mentors."""
    return Cast(client=client, app=app, coordinator=coordinator("demo"), member=member)


def _propose(cast: Cast, mentee: Person, mentor: Person) -> str:
    response = cast.client.post(
        "/api/v1/coordinator/introductions",
        json={"mentee_profile_id": mentee.profile_id, "mentor_profile_id": mentor.profile_id},
        headers=cast.coordinator,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _active(cast: Cast) -> tuple[Person, Person, str]:
    mentee, mentor = cast.mentee(), cast.mentor()
    introduction_id = _propose(cast, mentee, mentor)
    cast.act(mentee.headers, introduction_id, "accept")
    cast.act(mentor.headers, introduction_id, "accept")
    assert cast.act(cast.coordinator, introduction_id, "approve").status_code == 200
    return mentee, mentor, introduction_id


def _log(cast: Cast, person: Person) -> list[dict[str, str]]:
    response = cast.client.get("/api/v1/me/access-log?limit=100", headers=person.headers)
    assert response.status_code == 200
    return list(response.json())


# Access log


def test_coordinator_reads_are_in_the_members_access_log(cast: Cast) -> None:
    mentee, mentor = cast.mentee(), cast.mentor()  # vetting reads the mentor once
    assert [e["what"] for e in _log(cast, mentor)] == ["contact"]
    assert _log(cast, mentee) == []

    cast.client.get("/api/v1/coordinator/waiting-mentees", headers=cast.coordinator)
    assert [e["what"] for e in _log(cast, mentee)] == ["profile"]

    introduction_id = _propose(cast, mentee, mentor)  # the proposal's answer shows both
    cast.client.get("/api/v1/coordinator/introductions", headers=cast.coordinator)
    cast.client.get(f"/api/v1/introductions/{introduction_id}", headers=cast.coordinator)
    cast.client.get(
        f"/api/v1/coordinator/introductions/{introduction_id}/events", headers=cast.coordinator
    )
    cast.client.get("/api/v1/coordinator/mentors", headers=cast.coordinator)
    log = _log(cast, mentee)
    assert [e["what"] for e in log] == ["introduction"] * 4 + ["profile"]
    assert {e["coordinator"] for e in log} == {"Coordinator"}
    assert all(e["description"].startswith("A coordinator read") for e in log)
    assert [e["what"] for e in _log(cast, mentor)] == ["contact"] + ["introduction"] * 4 + [
        "contact"
    ]
    # The participants' own reads are not logged; the log is paginated.
    cast.client.get(f"/api/v1/introductions/{introduction_id}", headers=mentee.headers)
    page = cast.client.get("/api/v1/me/access-log?limit=2", headers=mentee.headers)
    assert page.headers["X-Total-Count"] == "5"
    assert len(page.json()) == 2
    assert page.headers["Cache-Control"] == "no-store"


def test_a_listing_is_logged_with_one_insert(cast: Cast) -> None:
    mentees = [cast.mentee(alias=f"M{k}") for k in range(3)]
    statements: list[str] = []
    engine = cast.app.state.engine

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ACCESS_LOG"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        listed = cast.client.get("/api/v1/coordinator/waiting-mentees", headers=cast.coordinator)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(listed.json()) == 3
    assert len(statements) == 1
    with transaction(cast.app.state.session_factory) as session:
        assert session.scalar(select(func.count()).select_from(AccessLogEntry)) == len(mentees)


def test_the_access_log_needs_a_login(client: TestClient) -> None:
    assert client.get("/api/v1/me/access-log").status_code == 401
    assert client.get("/api/v1/me/blocks").status_code == 401
    assert client.get("/api/v1/me/export").status_code == 401


# Vetting people, not aliases


def test_the_vetting_list_shows_name_and_email_to_the_organizations_coordinators(
    cast: Cast, coordinator: Callable[..., Headers]
) -> None:
    mentor = cast.mentor(approve=False)
    [listed] = cast.client.get("/api/v1/coordinator/mentors", headers=cast.coordinator).json()
    assert listed["email"] == mentor.email
    assert listed["display_name"] == "Sam"
    assert cast.client.get("/api/v1/coordinator/mentors", headers=coordinator("other")).json() == []
    assert cast.client.get("/api/v1/coordinator/mentors", headers=mentor.headers).status_code == 403
    assert [e["what"] for e in _log(cast, mentor)] == ["contact"]


def test_approving_a_mentor_too_early_in_recovery_warns(cast: Cast) -> None:
    recent = (date.today() - timedelta(days=100)).isoformat()
    mentor = cast.mentor(approve=False, recovery_date=recent)
    response = cast.client.post(
        f"/api/v1/coordinator/mentors/{mentor.profile_id}/vetting",
        json={"decision": "approved"},
        headers=cast.coordinator,
    )
    assert response.status_code == 200
    [warning] = response.json()["warnings"]
    assert "less time in recovery" in warning
    ready = date.today() - timedelta(days=100) + timedelta(days=365)
    assert str(ready.year) in warning

    seasoned = cast.mentor(approve=False)
    fine = cast.client.post(
        f"/api/v1/coordinator/mentors/{seasoned.profile_id}/vetting",
        json={"decision": "approved"},
        headers=cast.coordinator,
    )
    assert fine.json()["warnings"] == []


# Export


def test_the_export_holds_everything_about_the_caller(cast: Cast) -> None:
    mentee, mentor, introduction_id = _active(cast)
    cast.act(mentee.headers, introduction_id, "report", {"category": "other", "details": "hm"})
    cast.act(mentee.headers, introduction_id, "end", {"reason_code": "moved", "reason": "moving"})
    response = cast.client.get("/api/v1/me/export", headers=mentee.headers)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    document = response.json()
    assert document["account"]["email"] == mentee.email
    assert [p["id"] for p in document["profiles"]] == [mentee.profile_id]
    assert document["profiles"][0]["about"]
    [introduction] = document["introductions"]
    assert introduction["id"] == introduction_id
    assert introduction["your_role"] == "mentee"
    actions = [
        (a["action"], a["reason_code"], a["reason"]) for a in document["answers_and_reasons"]
    ]
    assert ("accept", None, None) in actions
    assert ("end", "moved", "moving") in actions
    assert [r["details"] for r in document["reports_filed"]] == ["hm"]
    assert document["blocks"] == []
    assert {e["what"] for e in document["access_log"]} == {"introduction"}
    # Nothing of the other person beyond what the mentee saw on the card.
    assert mentor.email not in response.text


# Erasure


def _erase(client: TestClient, headers: Headers, password: str = PASSWORD) -> int:
    return client.request(
        "DELETE", "/api/v1/me", json={"password": password}, headers=headers
    ).status_code


def test_a_wrong_password_erases_nothing(cast: Cast) -> None:
    mentee = cast.mentee()
    assert _erase(cast.client, mentee.headers, "not the password at all") == 403
    assert cast.client.get("/api/v1/me", headers=mentee.headers).status_code == 200
    assert cast.client.request("DELETE", "/api/v1/me", json={}).status_code == 401
    assert (
        cast.client.request("DELETE", "/api/v1/me", json={}, headers=mentee.headers).status_code
        == 422
    )


def test_erasure_removes_the_person_and_keeps_statistics_naming_nobody(cast: Cast) -> None:
    mentee, mentor, active = _active(cast)
    cast.act(mentor.headers, active, "report", {"category": "spam", "details": "ads"})
    mentee_user = cast.client.get("/api/v1/me", headers=mentee.headers).json()["id"]
    with transaction(cast.app.state.session_factory) as session:
        queued_before = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.task == MATCH_PROFILE_TASK)
        )

    assert _erase(cast.client, mentee.headers) == 204

    # The old token and the old credentials stop working.
    assert cast.client.get("/api/v1/me", headers=mentee.headers).status_code == 401
    login = cast.client.post(
        "/api/v1/auth/token", data={"username": mentee.email, "password": PASSWORD}
    )
    assert login.status_code == 401

    # The other side sees only that it ended, with someone who has left.
    theirs = cast.client.get(f"/api/v1/introductions/{active}", headers=mentor.headers).json()
    assert theirs["status"] == "ended"
    assert theirs["contact"] is None
    assert theirs["mentee"]["alias"] == "someone who has left"
    assert theirs["mentee"]["profile_id"] is None
    listed = cast.client.get("/api/v1/me/introductions", headers=mentor.headers)
    assert listed.status_code == 200 and len(listed.json()) == 1

    # Coordinators still count it; the queue and the reports name nobody.
    stats = cast.client.get("/api/v1/coordinator/stats", headers=cast.coordinator).json()
    assert stats["introductions_by_status"]["ended"] == 1
    queue = cast.client.get("/api/v1/coordinator/introductions", headers=cast.coordinator)
    assert queue.status_code == 200
    [report] = cast.client.get("/api/v1/coordinator/reports", headers=cast.coordinator).json()
    assert report["reported_alias"] == "someone who has left"
    events = cast.client.get(
        f"/api/v1/coordinator/introductions/{active}/events", headers=cast.coordinator
    ).json()
    assert events[-1]["action"] == "leave"

    with transaction(cast.app.state.session_factory) as session:
        assert session.get(User, uuid.UUID(mentee_user)) is None
        assert (
            session.scalar(
                select(func.count()).select_from(Profile).where(Profile.role == "mentee")
            )
            == 0
        )
        introduction = session.get(Introduction, uuid.UUID(active))
        assert introduction is not None
        assert introduction.mentee_profile_id is None
        assert introduction.explanation == {}
        assert session.scalar(select(func.count()).select_from(PairExclusion)) == 0
        # The other side is queued for matching again.
        queued_after = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.task == MATCH_PROFILE_TASK)
        )
        assert (queued_after or 0) > (queued_before or 0)
        assert mentee.email not in str(session.execute(select(User.email)).scalars().all())


def test_erasing_a_mentor_with_an_open_proposal_frees_the_mentee(cast: Cast) -> None:
    mentee, mentor = cast.mentee(), cast.mentor()
    proposal = _propose(cast, mentee, mentor)
    assert _erase(cast.client, mentor.headers) == 204
    seen = cast.client.get(f"/api/v1/introductions/{proposal}", headers=mentee.headers).json()
    assert seen["status"] == "ended"
    assert seen["mentor"]["alias"] == "someone who has left"
    waiting = cast.client.get("/api/v1/coordinator/waiting-mentees", headers=cast.coordinator)
    assert [m["profile_id"] for m in waiting.json()] == [mentee.profile_id]
    # A new mentor can be proposed to the mentee.
    other = cast.mentor(alias="Birch")
    assert _propose(cast, mentee, other)


def test_a_coordinators_read_of_a_report_is_in_the_reporters_log_only(cast: Cast) -> None:
    mentee, mentor, introduction_id = _active(cast)
    filed = cast.act(
        mentee.headers, introduction_id, "report", {"category": "other", "details": "x"}
    )
    assert filed.status_code == 201, filed.text
    before = len(_log(cast, mentor))
    queue = cast.client.get("/api/v1/coordinator/reports", headers=cast.coordinator)
    assert queue.status_code == 200
    assert [e["what"] for e in _log(cast, mentee)].count("report") == 1
    # The reported member is not told, not even by their access log.
    assert len(_log(cast, mentor)) == before


def test_access_log_entries_past_the_retention_are_deleted(cast: Cast) -> None:
    mentee = cast.mentee()
    cast.client.get("/api/v1/coordinator/waiting-mentees", headers=cast.coordinator)
    assert len(_log(cast, mentee)) == 1
    factory = cast.app.state.session_factory
    with transaction(factory) as session:
        now = session.scalar(select(func.max(AccessLogEntry.at)))
        assert now is not None
        assert prune(session=session, now=now + timedelta(days=364), retention_days=365) == 0
    assert len(_log(cast, mentee)) == 1
    with transaction(factory) as session:
        assert prune(session=session, now=now + timedelta(days=366), retention_days=365) == 1
    assert _log(cast, mentee) == []
