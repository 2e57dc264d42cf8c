"""Pairs that never meet again stay that way: exclusions name the two people, so neither a
withdrawn and re-created profile, the worker, a batch run nor a coordinator brings a
declined, blocked or excluded pair back together."""

from __future__ import annotations

import uuid
from pathlib import Path

from alembic.config import Config
from sqlalchemy import func, select, text

from alembic import command
from services.core.db import make_engine, transaction
from services.core.matching.runs import queue_run, run_batch
from services.core.models import Introduction, PairExclusion, Profile
from tests.conftest import ROOT
from tests.factories import mentee_body, mentor_body
from tests.workflow.conftest import Cast, Person


def _recreate_mentee(cast: Cast, mentee: Person) -> Person:
    assert (
        cast.client.delete("/api/v1/me/mentee-profile", headers=mentee.headers).status_code == 204
    )
    again = cast.client.put("/api/v1/me/mentee-profile", json=mentee_body(), headers=mentee.headers)
    assert again.status_code == 201, again.text
    return Person(mentee.headers, again.json()["id"], mentee.email)


def _proposed_mentors(cast: Cast, mentee: Person) -> set[str]:
    return {i["mentor"]["profile_id"] for i in cast.introductions(mentee, "proposed")}


def _run_batch(cast: Cast) -> int:
    with transaction(cast.app.state.session_factory) as session:
        organization_id = session.scalar(select(Profile.organization_id).limit(1))
        assert organization_id is not None
        run = queue_run(session=session, organization_id=organization_id, requested_by=None)
        done = run_batch(session=session, run_id=run.id, expiry_days=7)
        assert done is not None
        return done.proposals_created


def test_a_declined_pair_stays_apart_after_the_mentee_recreates_the_profile(cast: Cast) -> None:
    mentee, mentor = cast.mentee(), cast.mentor()
    [introduction_id] = cast.match(mentee)
    assert cast.act(mentee.headers, introduction_id, "decline").status_code == 200

    mentee = _recreate_mentee(cast, mentee)
    assert cast.match(mentee) == []  # the worker's path
    assert _run_batch(cast) == 0  # a batch run's path
    assert cast.introductions(mentee, "proposed") == []

    # Matching still works for the person: another mentor is proposed.
    other = cast.mentor(alias="Birch")
    assert len(cast.match(mentee)) == 1
    assert _proposed_mentors(cast, mentee) == {other.profile_id}
    assert mentor.profile_id not in _proposed_mentors(cast, mentee)


def test_a_declined_pair_stays_apart_after_the_mentor_recreates_the_profile(cast: Cast) -> None:
    mentee, mentor = cast.mentee(), cast.mentor()
    [introduction_id] = cast.match(mentee)
    assert cast.act(mentor.headers, introduction_id, "decline").status_code == 200

    assert (
        cast.client.delete("/api/v1/me/mentor-profile", headers=mentor.headers).status_code == 204
    )
    again = cast.client.put("/api/v1/me/mentor-profile", json=mentor_body(), headers=mentor.headers)
    assert again.status_code == 201, again.text
    vetted = cast.client.post(
        f"/api/v1/coordinator/mentors/{again.json()['id']}/vetting",
        json={"decision": "approved"},
        headers=cast.coordinator,
    )
    assert vetted.status_code == 200
    renewed = Person(mentor.headers, again.json()["id"], mentor.email)
    assert cast.match(renewed) == []  # the mentor's side of the worker
    assert cast.match(mentee) == []
    assert _run_batch(cast) == 0


def test_the_batch_path_keeps_a_recreated_pair_apart(cast: Cast) -> None:
    mentee, _mentor = cast.mentee(), cast.mentor()
    assert _run_batch(cast) == 1
    [proposal] = cast.introductions(mentee, "proposed")
    assert cast.act(mentee.headers, proposal["id"], "decline").status_code == 200
    mentee = _recreate_mentee(cast, mentee)
    assert _run_batch(cast) == 0
    assert cast.match(mentee) == []


def test_exclusions_name_accounts_and_outlive_profiles(cast: Cast) -> None:
    mentee, _mentor = cast.mentee(), cast.mentor()
    [introduction_id] = cast.match(mentee)
    cast.act(mentee.headers, introduction_id, "decline")
    _recreate_mentee(cast, mentee)
    with transaction(cast.app.state.session_factory) as session:
        [row] = session.scalars(select(PairExclusion)).all()
        assert str(row.reason) == "declined"
        assert session.get(Profile, uuid.UUID(mentee.profile_id)) is None  # the old profile went


def test_a_coordinator_exclusion_stops_worker_run_and_manual_proposal(cast: Cast) -> None:
    mentee, mentor = cast.mentee(), cast.mentor(approve=True)
    made = cast.client.post(
        "/api/v1/coordinator/exclusions",
        json={
            "mentee_profile_id": mentee.profile_id,
            "mentor_profile_id": mentor.profile_id,
            "reason": "same household",
        },
        headers=cast.coordinator,
    )
    assert made.status_code == 201, made.text
    assert cast.match(mentee) == []
    assert _run_batch(cast) == 0
    manual = cast.client.post(
        "/api/v1/coordinator/introductions",
        json={"mentee_profile_id": mentee.profile_id, "mentor_profile_id": mentor.profile_id},
        headers=cast.coordinator,
    )
    assert manual.status_code == 422
    assert "excluded" in manual.json()["detail"][0]["constraints"]
    # Person-level: a re-created mentee profile is still excluded.
    mentee = _recreate_mentee(cast, mentee)
    assert cast.match(mentee) == []
    listed = cast.client.get("/api/v1/coordinator/exclusions", headers=cast.coordinator)
    assert listed.headers["X-Total-Count"] == "1"
    assert listed.json()[0]["mentee_profile_id"] == mentee.profile_id
    assert listed.json()[0]["reason"] == "same household"

    lifted = cast.client.delete(
        f"/api/v1/coordinator/exclusions/{made.json()['id']}", headers=cast.coordinator
    )
    assert lifted.status_code == 204
    assert len(cast.match(mentee)) == 1


def test_lifting_a_coordinator_exclusion_keeps_a_decline(cast: Cast) -> None:
    mentee, mentor = cast.mentee(), cast.mentor()
    [introduction_id] = cast.match(mentee)
    cast.act(mentee.headers, introduction_id, "decline")
    made = cast.client.post(
        "/api/v1/coordinator/exclusions",
        json={
            "mentee_profile_id": mentee.profile_id,
            "mentor_profile_id": mentor.profile_id,
            "reason": "same employer",
        },
        headers=cast.coordinator,
    )
    assert made.status_code == 201
    again = cast.client.post(
        "/api/v1/coordinator/exclusions",
        json={
            "mentee_profile_id": mentee.profile_id,
            "mentor_profile_id": mentor.profile_id,
            "reason": "same employer",
        },
        headers=cast.coordinator,
    )
    assert again.status_code == 409
    cast.client.delete(
        f"/api/v1/coordinator/exclusions/{made.json()['id']}", headers=cast.coordinator
    )
    assert cast.match(mentee) == []


def test_the_migration_turns_profile_exclusions_into_person_exclusions(tmp_path: Path) -> None:
    """Rows written before the change are carried over, and no event or notification is
    lost while SQLite rebuilds the introductions table."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "a11ce5500001")
    engine = make_engine(url)
    ids = {name: uuid.uuid4().hex for name in ("org", "u1", "u2", "p1", "p2", "i1", "e1", "n1")}
    now = "2026-12-01 10:00:00.000000"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organizations (id, slug, name, created_at) VALUES (:id, 'o', 'O', :t)"
            ),
            {"id": ids["org"], "t": now},
        )
        for user in ("u1", "u2"):
            connection.execute(
                text(
                    "INSERT INTO users (id, email, password_hash, display_name, role, "
                    "organization_id, created_at) VALUES (:id, :email, 'x', 'Sam', 'member', "
                    ":org, :t)"
                ),
                {"id": ids[user], "email": f"{user}@example.org", "org": ids["org"], "t": now},
            )
        for profile, user, role in (("p1", "u1", "mentee"), ("p2", "u2", "mentor")):
            connection.execute(
                text(
                    "INSERT INTO profiles (id, user_id, organization_id, role, alias, gender, "
                    "gender_preference, pathways, languages, max_distance_km, meeting_format, "
                    "timezone, availability, interests, about, paused, created_at, updated_at) "
                    "VALUES (:id, :user, :org, :role, 'A', 'woman', '[]', '[\"aa\"]', '[\"en\"]', "
                    "25, 'online', 'UTC', '[]', '[]', '', 0, :t, :t)"
                ),
                {"id": ids[profile], "user": ids[user], "org": ids["org"], "role": role, "t": now},
            )
        connection.execute(
            text(
                "INSERT INTO introductions (id, organization_id, mentee_profile_id, "
                "mentor_profile_id, status, mentee_response, mentor_response, score, explanation, "
                "overlap_minutes, source, proposed_at, expires_at) VALUES (:id, :org, :p1, :p2, "
                "'declined', 'declined', 'pending', 0.5, '{}', 60, 'batch', :t, :t)"
            ),
            {"id": ids["i1"], "org": ids["org"], "p1": ids["p1"], "p2": ids["p2"], "t": now},
        )
        connection.execute(
            text(
                "INSERT INTO introduction_events (id, introduction_id, actor_role, action, "
                "to_status, at) VALUES (:id, :i, 'mentee', 'decline', 'declined', :t)"
            ),
            {"id": ids["e1"], "i": ids["i1"], "t": now},
        )
        connection.execute(
            text(
                "INSERT INTO notifications (id, introduction_id, recipient_id, kind, created_at) "
                "VALUES (:id, :i, :u, 'declined', :t)"
            ),
            {"id": ids["n1"], "i": ids["i1"], "u": ids["u1"], "t": now},
        )
        connection.execute(
            text(
                "INSERT INTO pair_exclusions (mentee_profile_id, mentor_profile_id, reason, "
                "created_at) VALUES (:p1, :p2, 'declined', :t)"
            ),
            {"p1": ids["p1"], "p2": ids["p2"], "t": now},
        )
    engine.dispose()

    command.upgrade(config, "5afe70000002")
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT mentee_user_id, mentor_user_id, reason FROM pair_exclusions")
        ).all()
        assert [(str(a).replace("-", ""), str(b).replace("-", ""), r) for a, b, r in rows] == [
            (ids["u1"], ids["u2"], "declined")
        ]
        assert connection.scalar(text("SELECT count(*) FROM introduction_events")) == 1
        assert connection.scalar(text("SELECT count(*) FROM notifications")) == 1
    engine.dispose()

    command.downgrade(config, "a11ce5500001")
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT reason FROM pair_exclusions")).scalars().all() == [
            "declined"
        ]
        assert connection.scalar(text("SELECT count(*) FROM introduction_events")) == 1
    engine.dispose()


def test_exclusion_checks_do_not_grow_with_the_number_of_profiles(cast: Cast) -> None:
    """`excluded_partners_of` answers for a whole queue in two queries."""
    from services.core.matching.eligibility import excluded_partners_of

    mentees = [cast.mentee(alias=f"M{k}") for k in range(3)]
    cast.mentor()
    with transaction(cast.app.state.session_factory) as session:
        profiles = [session.get(Profile, uuid.UUID(m.profile_id)) for m in mentees]
        found = excluded_partners_of(session=session, profiles=[p for p in profiles if p])
        assert set(found) == {uuid.UUID(m.profile_id) for m in mentees}
        assert session.scalar(select(func.count()).select_from(Introduction)) == 0
