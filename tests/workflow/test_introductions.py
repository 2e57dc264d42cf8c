"""The contract's introductions workflow, driven through HTTP."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select, update

from services.core.db import transaction, utcnow
from services.core.introductions.transitions import expire_due
from services.core.models import Introduction, Notification, OutboxMessage
from services.core.notifications import send
from tests.factories import mentor_body
from tests.workflow.conftest import Cast


def test_proposal_then_both_accept_then_approval_reveals_contact(cast: Cast) -> None:
    mentee, mentor = cast.mentee(), cast.mentor()
    [introduction_id] = cast.match(mentee)

    seen_by_mentee = cast.introductions(mentee)
    seen_by_mentor = cast.introductions(mentor)
    assert (
        [i["id"] for i in seen_by_mentee] == [i["id"] for i in seen_by_mentor] == [introduction_id]
    )
    proposal = seen_by_mentee[0]
    assert proposal["status"] == "proposed"
    assert proposal["contact"] is None
    assert 0 <= proposal["score"] <= 1
    assert proposal["explanation"]["pathway"]["detail"]
    assert proposal["mentor"]["time_in_recovery"] == "5-10 years"
    assert proposal["mentor"]["approximate_distance"] == "under 2 km"
    assert proposal["mentee"]["weekly_overlap"] == "3 hours a week in common"
    for private in (mentee.email, mentor.email, "45.52", "latitude", "2018-03-15"):
        assert private not in str(seen_by_mentee) + str(seen_by_mentor)

    first = cast.act(mentee.headers, introduction_id, "accept")
    assert first.status_code == 200
    assert first.json()["status"] == "proposed"
    assert first.json()["mentee_response"] == "accepted"
    both = cast.act(mentor.headers, introduction_id, "accept")
    assert both.json()["status"] == "awaiting_approval"

    queue = cast.client.get(
        "/api/v1/coordinator/introductions?status=awaiting_approval", headers=cast.coordinator
    ).json()
    assert [i["id"] for i in queue] == [introduction_id]
    approved = cast.act(cast.coordinator, introduction_id, "approve", {"note": "good fit"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "active"
    assert approved.json()["contact"] is None  # the coordinator is not a participant

    contact = cast.client.get(
        f"/api/v1/introductions/{introduction_id}", headers=mentee.headers
    ).json()["contact"]
    assert contact["mentor"]["email"] == mentor.email
    assert contact["mentee"]["email"] == mentee.email
    mentor_profile = cast.client.get("/api/v1/me/mentor-profile", headers=mentor.headers).json()
    assert mentor_profile["active_mentees"] == 1
    assert (
        cast.client.get("/api/v1/me/mentee-profile", headers=mentee.headers).json()["waiting_since"]
        is None
    )

    events = cast.client.get(
        f"/api/v1/coordinator/introductions/{introduction_id}/events", headers=cast.coordinator
    ).json()
    assert [(e["actor"], e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("system", "propose", None, "proposed"),
        ("mentee", "accept", "proposed", "proposed"),
        ("mentor", "accept", "proposed", "awaiting_approval"),
        ("coordinator", "approve", "awaiting_approval", "active"),
    ]

    ended = cast.act(mentor.headers, introduction_id, "end", {"reason": "moved away"})
    assert ended.json()["status"] == "ended"
    assert ended.json()["contact"] is None


def test_a_declined_pair_is_never_proposed_again(cast: Cast) -> None:
    mentee, first = cast.mentee(), cast.mentor(alias="First")
    [introduction_id] = cast.match(mentee)
    declined = cast.act(first.headers, introduction_id, "decline", {"reason": "not now"})
    assert declined.json()["status"] == "declined"
    assert declined.json()["mentor_response"] == "declined"

    assert cast.match(mentee) == []  # the only mentor was declined
    assert cast.match(first) == []
    second = cast.mentor(alias="Second")
    [again] = cast.match(mentee)
    assert cast.introductions(mentee, "proposed")[0]["mentor"]["alias"] == "Second"
    assert again != introduction_id
    assert cast.introductions(second)[0]["id"] == again


def test_wrong_state_is_409_and_wrong_role_is_403(cast: Cast) -> None:
    mentee, mentor = cast.mentee(), cast.mentor()
    [introduction_id] = cast.match(mentee)
    assert cast.act(cast.coordinator, introduction_id, "approve").status_code == 409
    assert cast.act(mentee.headers, introduction_id, "end").status_code == 409
    assert cast.act(mentee.headers, introduction_id, "approve").status_code == 403
    assert cast.act(cast.coordinator, introduction_id, "accept").status_code == 403
    cast.act(mentee.headers, introduction_id, "accept")
    cast.act(mentor.headers, introduction_id, "accept")
    assert cast.act(mentee.headers, introduction_id, "decline").status_code == 409
    assert cast.act(mentor.headers, introduction_id, "accept").status_code == 409
    rejected = cast.act(cast.coordinator, introduction_id, "reject", {"note": "conflict"})
    assert rejected.json()["status"] == "rejected"
    assert cast.act(cast.coordinator, introduction_id, "approve").status_code == 409


def test_others_cannot_see_or_touch_an_introduction(cast: Cast, coordinator) -> None:  # type: ignore[no-untyped-def]
    mentee, _mentor = cast.mentee(), cast.mentor()
    [introduction_id] = cast.match(mentee)
    stranger = cast.member()
    elsewhere = coordinator("lighthouse")
    for headers in (stranger, elsewhere):
        assert (
            cast.client.get(f"/api/v1/introductions/{introduction_id}", headers=headers).status_code
            == 404
        )
        for action in ("accept", "decline", "approve", "reject", "end"):
            assert cast.act(headers, introduction_id, action).status_code == 404
        assert cast.client.get(
            f"/api/v1/coordinator/introductions/{introduction_id}/events", headers=headers
        ).status_code in (403, 404)
    assert cast.client.get("/api/v1/coordinator/introductions", headers=elsewhere).json() == []
    assert cast.client.get("/api/v1/coordinator/introductions", headers=stranger).status_code == 403
    assert (
        cast.client.get(
            f"/api/v1/coordinator/introductions/{introduction_id}/events", headers=mentee.headers
        ).status_code
        == 403
    )
    assert (
        cast.client.get(f"/api/v1/introductions/{uuid.uuid4()}", headers=mentee.headers).status_code
        == 404
    )


def test_expiry_rematches_the_mentee_with_someone_else(cast: Cast) -> None:
    mentee, first = cast.mentee(), cast.mentor(alias="First")
    [introduction_id] = cast.match(mentee)
    cast.mentor(alias="Second")
    factory = cast.app.state.session_factory
    with transaction(factory) as session:
        session.execute(update(Introduction).values(expires_at=utcnow() - timedelta(minutes=1)))
    with transaction(factory) as session:
        assert expire_due(session=session) == 1
    with transaction(factory) as session:
        assert expire_due(session=session) == 0  # running it twice expires nothing twice
    assert cast.introductions(first)[0]["status"] == "expired"
    [again] = cast.match(mentee)
    assert cast.introductions(mentee, "proposed")[0]["mentor"]["alias"] == "Second"
    assert again != introduction_id


def test_matching_twice_proposes_once_and_a_mentee_holds_one_proposal(cast: Cast) -> None:
    mentee = cast.mentee()
    mentors = [cast.mentor(alias=f"M{i}") for i in range(3)]
    assert len(cast.match(mentee)) == 1
    assert cast.match(mentee) == []
    for mentor in mentors:
        cast.match(mentor)
    assert len(cast.introductions(mentee)) == 1


def test_a_mentor_is_proposed_up_to_capacity(cast: Cast) -> None:
    mentees = [cast.mentee(alias=f"E{i}") for i in range(3)]
    mentor = cast.mentor(capacity=2)
    made = cast.match(mentor)
    assert len(made) == 2
    assert len(cast.introductions(mentor)) == 2
    assert sum(len(cast.introductions(m)) for m in mentees) == 2


def test_unvetted_or_paused_mentors_and_oneself_are_never_proposed(cast: Cast) -> None:
    mentee = cast.mentee()
    cast.mentor(approve=False)
    paused = cast.mentor(paused=True)
    assert cast.match(mentee) == []
    assert cast.match(paused) == []
    # The same member as a mentor: never introduced to themselves.
    own = cast.client.put("/api/v1/me/mentor-profile", json=mentor_body(), headers=mentee.headers)
    assert own.status_code == 201
    cast.client.post(
        f"/api/v1/coordinator/mentors/{own.json()['id']}/vetting",
        json={"decision": "approved"},
        headers=cast.coordinator,
    )
    assert cast.match(mentee) == []


def test_manual_proposal_names_broken_constraints(cast: Cast, coordinator) -> None:  # type: ignore[no-untyped-def]
    mentee = cast.mentee()
    smart = cast.mentor(pathways=["smart"], languages=["de"])
    body = {"mentee_profile_id": mentee.profile_id, "mentor_profile_id": smart.profile_id}
    refused = cast.client.post(
        "/api/v1/coordinator/introductions", json=body, headers=cast.coordinator
    )
    assert refused.status_code == 422
    detail = refused.json()["detail"][0]
    assert detail["field"] == "mentor_profile_id"
    assert set(detail["constraints"]) == {"pathway", "language"}

    fine = cast.mentor()
    body["mentor_profile_id"] = fine.profile_id
    assert (
        cast.client.post(
            "/api/v1/coordinator/introductions", json=body, headers=coordinator("lighthouse")
        ).status_code
        == 404
    )
    assert (
        cast.client.post(
            "/api/v1/coordinator/introductions", json=body, headers=mentee.headers
        ).status_code
        == 403
    )
    made = cast.client.post(
        "/api/v1/coordinator/introductions", json=body, headers=cast.coordinator
    )
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "proposed"
    again = cast.client.post(
        "/api/v1/coordinator/introductions", json=body, headers=cast.coordinator
    )
    assert again.status_code == 422
    assert "mentee_has_open_introduction" in again.json()["detail"][0]["constraints"]


def test_matching_runs_and_stats(cast: Cast, coordinator) -> None:  # type: ignore[no-untyped-def]
    from services.core.matching.runs import run_batch

    for index in range(3):
        cast.mentee(alias=f"E{index}")
    cast.mentor(capacity=2)
    started = cast.client.post("/api/v1/matching/runs", headers=cast.coordinator)
    assert started.status_code == 202
    run = started.json()
    assert run["status"] == "queued"
    with transaction(cast.app.state.session_factory) as session:
        run_batch(session=session, run_id=uuid.UUID(run["id"]), expiry_days=7)
    with transaction(cast.app.state.session_factory) as session:
        run_batch(session=session, run_id=uuid.UUID(run["id"]), expiry_days=7)  # a second delivery
    done = cast.client.get(f"/api/v1/matching/runs/{run['id']}", headers=cast.coordinator).json()
    assert done["status"] == "succeeded"
    assert done["mentees_considered"] == 3
    assert done["proposals_created"] == 2
    assert (
        cast.client.get(
            f"/api/v1/matching/runs/{run['id']}", headers=coordinator("lighthouse")
        ).status_code
        == 404
    )
    assert cast.client.post("/api/v1/matching/runs", headers=cast.member()).status_code == 403

    waiting = cast.client.get("/api/v1/coordinator/waiting-mentees", headers=cast.coordinator)
    assert len(waiting.json()) == 1  # the two with a proposal are no longer waiting
    assert waiting.headers["x-total-count"] == "1"
    stats = cast.client.get("/api/v1/coordinator/stats", headers=cast.coordinator).json()
    assert stats["introductions_by_status"]["proposed"] == 2
    assert stats["waiting_mentees"] == 1
    assert stats["mentors_by_vetting_status"]["approved"] == 1
    assert stats["acceptance_rate"] is None
    assert stats["mentor_utilization"] == 0


def test_each_step_owes_one_email_and_sends_it_once(cast: Cast) -> None:
    mentee = cast.mentee()
    cast.mentor()
    assert len(cast.match(mentee)) == 1
    assert cast.match(mentee) == []
    factory = cast.app.state.session_factory
    with transaction(factory) as session:
        owed = session.scalars(
            select(Notification).where(Notification.introduction_id.is_not(None))
        ).all()
        assert {n.kind for n in owed} == {"proposed"}
        assert len(owed) == 2
        # One send task per owed email, those about the mentor's vetting included.
        tasks = session.scalars(select(OutboxMessage.task)).all()
        everything = session.scalar(select(func.count()).select_from(Notification))
        assert tasks.count("notifications.send") == everything
        first = owed[0].id
    settings = cast.app.state.settings
    with transaction(factory) as session:
        assert send(session=session, notification_id=first, settings=settings) is True
    with transaction(factory) as session:
        assert send(session=session, notification_id=first, settings=settings) is False
    mails = list(settings.mail_dir.glob("*.eml"))
    assert len(mails) == 1
    text = mails[0].read_text()
    assert "introduction" in text
    assert "River" not in text and "Oak" not in text  # no aliases in a mailbox
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(Introduction)) == 1


def test_a_changed_or_paused_mentor_is_judged_as_they_are_now(cast: Cast) -> None:
    mentor = cast.mentor(capacity=3)
    assert len(cast.match(cast.mentee(alias="First"))) == 1
    # The worker keeps mentors encoded between tasks; an edit must not go unseen.
    changed = cast.client.put(
        "/api/v1/me/mentor-profile",
        json=mentor_body(capacity=3, languages=["de"]),
        headers=mentor.headers,
    )
    assert changed.status_code == 200
    second = cast.mentee(alias="Second")
    assert cast.match(second) == []
    cast.client.put(
        "/api/v1/me/mentor-profile",
        json=mentor_body(capacity=3, paused=True),
        headers=mentor.headers,
    )
    third = cast.mentee(alias="Third")
    assert cast.match(third) == []
    cast.client.put(
        "/api/v1/me/mentor-profile", json=mentor_body(capacity=3), headers=mentor.headers
    )
    # Both places go to the two who waited longer, before the newcomer.
    fourth = cast.mentee(alias="Fourth")
    assert len(cast.match(fourth)) == 2
    assert [len(cast.introductions(p, "proposed")) for p in (second, third, fourth)] == [1, 1, 0]


def test_accepting_twice_answers_the_same_and_records_it_once(cast: Cast) -> None:
    mentee, _mentor = cast.mentee(), cast.mentor()
    [introduction_id] = cast.match(mentee)
    first = cast.act(mentee.headers, introduction_id, "accept")
    assert first.status_code == 200, first.text
    with transaction(cast.app.state.session_factory) as session:
        owed = session.scalar(select(func.count()).select_from(Notification))
    again = cast.act(mentee.headers, introduction_id, "accept")
    assert again.status_code == 200, again.text
    assert again.json() == first.json()

    events = cast.client.get(
        f"/api/v1/coordinator/introductions/{introduction_id}/events", headers=cast.coordinator
    ).json()
    assert [(e["actor"], e["action"]) for e in events] == [
        ("system", "propose"),
        ("mentee", "accept"),
    ]
    with transaction(cast.app.state.session_factory) as session:
        assert session.scalar(select(func.count()).select_from(Notification)) == owed
