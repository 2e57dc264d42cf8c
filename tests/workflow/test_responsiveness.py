"""Mentors who answer: reminders, a hold after two unanswered expiries, resume, a mentor's
own pause, the answering record, and a mentee's changed recovery date. The clock is moved
by writing `expires_at` and passing `now`, never by sleeping."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from services.core.db import transaction, utcnow
from services.core.introductions.responsiveness import remind_due
from services.core.introductions.transitions import expire_due
from services.core.models import Introduction, Notification, User
from tests.factories import mentee_body
from tests.workflow.conftest import Cast, Person


def _expire_all(cast: Cast) -> int:
    factory = cast.app.state.session_factory
    with transaction(factory) as session:
        session.execute(
            update(Introduction)
            .where(Introduction.status == "proposed")
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    with transaction(factory) as session:
        return expire_due(session=session)


def _kinds_for(cast: Cast, email: str) -> list[str]:
    with transaction(cast.app.state.session_factory) as session:
        user_id = session.scalar(select(User.id).where(User.email == email))
        return list(
            session.scalars(
                select(Notification.kind)
                .where(Notification.recipient_id == user_id)
                .order_by(Notification.created_at)
            )
        )


def _mentor_row(cast: Cast, mentor: Person) -> dict[str, object]:
    listed = cast.client.get("/api/v1/coordinator/mentors", headers=cast.coordinator)
    assert listed.status_code == 200, listed.text
    [row] = [m for m in listed.json() if m["profile_id"] == mentor.profile_id]
    return dict(row)


def test_each_side_that_has_not_answered_is_reminded_once_a_day_before(cast: Cast) -> None:
    mentee, mentor = cast.mentee(), cast.mentor()
    [introduction_id] = cast.match(mentee)
    assert cast.act(mentee.headers, introduction_id, "accept").status_code == 200
    factory = cast.app.state.session_factory
    with transaction(factory) as session:
        # Not yet: the proposal expires in a week.
        assert remind_due(session=session, now=utcnow()) == 0
    soon = utcnow() + timedelta(days=6, hours=12)
    with transaction(factory) as session:
        assert remind_due(session=session, now=soon) == 1
    with transaction(factory) as session:
        assert remind_due(session=session, now=soon) == 0  # once per proposal
    # The mentee already answered: only the mentor is reminded.
    assert "expiring" in _kinds_for(cast, mentor.email)
    assert "expiring" not in _kinds_for(cast, mentee.email)


def test_two_unanswered_expiries_hold_the_mentor_until_a_coordinator_resumes(cast: Cast) -> None:
    mentor = cast.mentor(capacity=1)
    for _ in range(2):
        mentee = cast.mentee()
        assert len(cast.match(mentee)) == 1
        assert _expire_all(cast) == 1
    row = _mentor_row(cast, mentor)
    assert row["held_since"] is not None
    assert row["expired_unanswered"] == 2
    assert "held" in _kinds_for(cast, mentor.email)
    # Held: a new mentee is not proposed to them.
    newcomer = cast.mentee()
    assert cast.match(newcomer) == []
    resumed = cast.client.post(
        f"/api/v1/coordinator/mentors/{mentor.profile_id}/resume", headers=cast.coordinator
    )
    assert resumed.status_code == 200, resumed.text
    assert _mentor_row(cast, mentor)["held_since"] is None
    again = cast.client.post(
        f"/api/v1/coordinator/mentors/{mentor.profile_id}/resume", headers=cast.coordinator
    )
    assert again.status_code == 409
    assert len(cast.match(newcomer)) == 1


def test_one_answered_proposal_between_expiries_keeps_the_mentor_matched(cast: Cast) -> None:
    mentor = cast.mentor(capacity=1)
    first = cast.mentee()
    assert len(cast.match(first)) == 1
    assert _expire_all(cast) == 1
    second = cast.mentee()
    [answered] = cast.match(second)
    assert cast.act(mentor.headers, answered, "accept").status_code == 200
    assert _expire_all(cast) == 1  # expired after the mentor's answer: not unanswered
    assert _mentor_row(cast, mentor)["held_since"] is None


def test_a_mentor_who_pauses_keeps_their_mentee_and_gets_no_new_one(cast: Cast) -> None:
    mentor = cast.mentor(capacity=2)
    mentee = cast.mentee()
    [introduction_id] = cast.match(mentee)
    for headers in (mentee.headers, mentor.headers):
        assert cast.act(headers, introduction_id, "accept").status_code == 200
    assert cast.act(cast.coordinator, introduction_id, "approve").status_code == 200
    paused = cast.client.post("/api/v1/me/mentor-profile/pause", headers=mentor.headers)
    assert paused.status_code == 200, paused.text
    assert paused.json()["paused"] is True
    assert cast.introductions(mentor, "active")[0]["id"] == introduction_id
    newcomer = cast.mentee()
    assert cast.match(newcomer) == []
    resumed = cast.client.post("/api/v1/me/mentor-profile/resume", headers=mentor.headers)
    assert resumed.status_code == 200 and resumed.json()["paused"] is False
    assert len(cast.match(newcomer)) == 1
    assert cast.introductions(mentor, "active")[0]["id"] == introduction_id


def test_a_mentee_whose_recovery_date_changes_keeps_their_mentorship(cast: Cast) -> None:
    mentor, mentee = cast.mentor(), cast.mentee()
    [introduction_id] = cast.match(mentee)
    for headers in (mentee.headers, mentor.headers):
        assert cast.act(headers, introduction_id, "accept").status_code == 200
    assert cast.act(cast.coordinator, introduction_id, "approve").status_code == 200
    profile = cast.client.get("/api/v1/me/mentee-profile", headers=mentee.headers).json()
    restarted = (utcnow() - timedelta(days=3)).date().isoformat()
    assert profile["recovery_date"] != restarted
    # The same profile as saved (the factory's), with a new recovery date: a relapse.
    body = mentee_body(recovery_date=restarted)
    saved = cast.client.put("/api/v1/me/mentee-profile", json=body, headers=mentee.headers)
    assert saved.status_code == 200, saved.text
    [active] = cast.introductions(mentee, "active")
    assert active["id"] == introduction_id
    assert saved.json()["recovery_date"] == restarted


def test_the_mentor_list_shows_how_fast_a_mentor_answers(cast: Cast) -> None:
    mentor = cast.mentor(capacity=3)
    assert _mentor_row(cast, mentor)["median_answer_hours"] is None
    [introduction_id] = cast.match(cast.mentee())
    assert cast.act(mentor.headers, introduction_id, "accept").status_code == 200
    row = _mentor_row(cast, mentor)
    assert row["median_answer_hours"] == 0.0
    assert row["expired_unanswered"] == 0
