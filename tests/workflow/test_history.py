"""History that survives a withdrawn profile: every introduction stays with its outcome,
naming nobody on the side that left, and every view that lists it still answers."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from services.core.db import transaction
from services.core.models import Introduction, Profile
from tests.workflow.conftest import Cast, Person


def _activate(cast: Cast, mentee: Person, mentor: Person) -> str:
    [introduction_id] = cast.match(mentee)
    for person in (mentee, mentor):
        assert cast.act(person.headers, introduction_id, "accept").status_code == 200
    assert cast.act(cast.coordinator, introduction_id, "approve").status_code == 200
    return introduction_id


def _rows(cast: Cast) -> dict[str, Introduction]:
    with transaction(cast.app.state.session_factory) as session:
        rows = session.scalars(select(Introduction)).all()
        session.expunge_all()
        return {str(row.id): row for row in rows}


def test_a_withdrawn_mentor_leaves_every_outcome_behind_naming_nobody(cast: Cast) -> None:
    mentor = cast.mentor(capacity=2)
    declining, staying = cast.mentee(alias="Declines"), cast.mentee(alias="Stays")
    [declined_id] = cast.match(declining)
    declined = cast.act(declining.headers, declined_id, "decline", {"reason_code": "schedule"})
    assert declined.json()["status"] == "declined", declined.text
    active_id = _activate(cast, staying, mentor)

    withdrawn = cast.client.delete("/api/v1/me/mentor-profile", headers=mentor.headers)
    assert withdrawn.status_code == 204

    rows = _rows(cast)
    assert set(rows) == {declined_id, active_id}  # nothing was deleted with the profile
    assert rows[declined_id].status == "declined"
    assert rows[declined_id].decline_reason == "schedule"
    assert rows[active_id].status == "ended"  # the open mentorship ended, as on erasure
    assert rows[active_id].approved_at is not None  # it did become active: an outcome kept
    for row in rows.values():
        assert row.mentor_profile_id is None
        assert row.mentee_profile_id is not None
        assert row.explanation == {}
        assert row.organization_id is not None
    with transaction(cast.app.state.session_factory) as session:
        assert session.get(Profile, uuid.UUID(mentor.profile_id)) is None

    # Every listing still answers, and names nobody on the side that left.
    listed = cast.client.get("/api/v1/coordinator/introductions", headers=cast.coordinator)
    assert listed.status_code == 200, listed.text
    assert {i["id"] for i in listed.json()} == {declined_id, active_id}
    assert "someone who has left" in listed.text.lower()
    for introduction_id in (declined_id, active_id):
        events = cast.client.get(
            f"/api/v1/coordinator/introductions/{introduction_id}/events",
            headers=cast.coordinator,
        )
        assert events.status_code == 200, events.text
    stats = cast.client.get("/api/v1/coordinator/stats", headers=cast.coordinator)
    assert stats.status_code == 200, stats.text
    assert stats.json()["introductions_by_status"]["declined"] == 1
    assert stats.json()["introductions_by_status"]["ended"] == 1
    assert stats.json()["decline_reasons"]["schedule"] == 1
    mine = cast.client.get(f"/api/v1/introductions/{active_id}", headers=staying.headers)
    assert mine.status_code == 200, mine.text
    assert mine.json()["status"] == "ended"
    export = cast.client.get("/api/v1/me/export", headers=staying.headers)
    assert export.status_code == 200, export.text
    mentors = cast.client.get("/api/v1/coordinator/mentors", headers=cast.coordinator)
    assert mentors.status_code == 200, mentors.text
    # The mentee is free again and waits for a new match.
    waiting = cast.client.get("/api/v1/coordinator/waiting-mentees", headers=cast.coordinator)
    assert staying.profile_id in waiting.text


def test_a_withdrawn_mentee_leaves_their_proposal_ended_and_nameless(cast: Cast) -> None:
    mentor, mentee = cast.mentor(), cast.mentee()
    [proposed_id] = cast.match(mentee)
    withdrawn = cast.client.delete("/api/v1/me/mentee-profile", headers=mentee.headers)
    assert withdrawn.status_code == 204

    row = _rows(cast)[proposed_id]
    assert row.status == "ended"
    assert row.mentee_profile_id is None
    assert str(row.mentor_profile_id) == mentor.profile_id
    seen = cast.client.get(f"/api/v1/introductions/{proposed_id}", headers=mentor.headers)
    assert seen.status_code == 200, seen.text
    assert seen.json()["status"] == "ended"
    assert "someone who has left" in seen.text.lower()
