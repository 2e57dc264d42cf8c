"""The demo data: something on every page, and a reset that keeps the set-up."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.core.demo import COORDINATOR, MENTEE, MENTOR, reset, seed
from services.core.matching.incremental import match_profile
from services.core.models import Introduction, Organization, User
from services.core.models.operations import Notification
from tests.conftest import ROOT, login, migrate
from tests.factories import mentee_body

API = "/api/v1"
Db = Callable[[], Any]


def _seed(db: Db) -> bool:
    session: Session
    with db() as session:
        return seed(session=session)


def _get(client: TestClient, path: str, headers: dict[str, str]) -> Any:
    answer = client.get(API + path, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_every_coordinator_page_has_something(client: TestClient, db: Db) -> None:
    assert _seed(db) is True
    boss = login(client, *COORDINATOR)
    queue = _get(client, "/coordinator/introductions?status=awaiting_approval", boss)
    assert len(queue) == 2
    assert len(_get(client, "/coordinator/mentors?vetting_status=pending", boss)) == 2
    waiting = _get(client, "/coordinator/waiting-mentees", boss)
    assert [m["alias"] for m in waiting] == ["Wren", "Heron", "Lark", "Finch"]
    assert [m["waiting_days"] for m in waiting] == [21, 20, 9, 4]
    assert len(_get(client, "/coordinator/reports?status=open", boss)) == 1

    stats = _get(client, "/coordinator/stats", boss)
    assert stats["introductions_by_status"] == {
        "proposed": 2,
        "awaiting_approval": 2,
        "active": 4,
        "declined": 5,
        "rejected": 1,
        "expired": 1,
        "ended": 3,
    }
    assert stats["median_days_to_active"] is not None and stats["median_days_to_active"] > 1
    assert 0 < stats["acceptance_rate"] < 1
    assert stats["mentor_utilization"] == 0.4
    assert stats["decline_reasons"] == {
        "schedule": 1,
        "distance": 1,
        "not_a_fit": 1,
        "personal": 1,
        "other": 1,
    }
    assert {k for k, v in stats["end_reasons"].items() if v} == {
        "goals_met",
        "schedule",
        "lost_contact",
    }
    history = _get(client, "/coordinator/introductions?limit=100", boss)
    months = {i["proposed_at"][:7] for i in history}
    assert len(months) >= 4


def test_the_demo_members_have_proposals_to_accept(client: TestClient, db: Db) -> None:
    _seed(db)
    mentee = login(client, *MENTEE)
    [proposal] = _get(client, "/me/introductions?status=proposed", mentee)
    accepted = client.post(f"{API}/introductions/{proposal['id']}/accept", headers=mentee)
    assert accepted.status_code == 200, accepted.text

    mentor = login(client, *MENTOR)
    proposals = _get(client, "/me/introductions?status=proposed", mentor)
    assert len(proposals) == 2
    # Dove accepted already: the mentor's answer makes it wait for the coordinator.
    dove = next(p for p in proposals if p["id"] != proposal["id"])
    assert dove["mentee_response"] == "accepted"
    done = client.post(f"{API}/introductions/{dove['id']}/accept", headers=mentor)
    assert done.json()["status"] == "awaiting_approval"


def _count(db: Db, model: Any) -> int:
    session: Session
    with db() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_reset_renews_the_demo_people_and_keeps_the_set_up(
    client: TestClient,
    db: Db,
    coordinator: Callable[..., dict[str, str]],
    member: Callable[..., dict[str, str]],
) -> None:
    _seed(db)
    lead = coordinator("demo", "lead@example.org")
    resources = {
        "resources": [
            {
                "name": "Our line",
                "contact": "call 555-0100",
                "url": "https://example.org/help",
                "hours": "24/7",
            }
        ]
    }
    assert client.put(
        f"{API}/coordinator/support-resources", json=resources, headers=lead
    ).is_success
    someone = member("someone@example.org", "demo")
    assert client.put(f"{API}/me/mentee-profile", json=mentee_body(), headers=someone).is_success
    mentee = login(client, *MENTEE)
    [proposal] = _get(client, "/me/introductions?status=proposed", mentee)
    client.post(f"{API}/introductions/{proposal['id']}/decline", json={}, headers=mentee)
    introductions, users, organizations = (
        _count(db, Introduction),
        _count(db, User),
        _count(db, Organization),
    )

    session: Session
    with db() as session:
        assert reset(session=session) == 19
        assert seed(session=session) is True
    # The same numbers of everything: nothing doubled, nothing of the set-up lost.
    assert (_count(db, Introduction), _count(db, User), _count(db, Organization)) == (
        introductions,
        users,
        organizations,
    )
    assert _get(client, "/support-resources?organization=demo", {})["resources"][0]["name"] == (
        "Our line"
    )
    assert _get(client, "/me/mentee-profile", login(client, "someone@example.org"))["alias"]
    assert _get(client, "/me", login(client, "lead@example.org"))["role"] == "coordinator"
    # The demo mentee's declined proposal is a fresh one to answer again.
    [fresh] = _get(client, "/me/introductions?status=proposed", login(client, *MENTEE))
    assert fresh["id"] != proposal["id"]
    with db() as session:
        assert reset(session=session) == 19
        assert reset(session=session) == 0


def test_seeding_twice_creates_nothing_more(client: TestClient, db: Db) -> None:
    assert _seed(db) is True
    before = (_count(db, Introduction), _count(db, User))
    assert _seed(db) is False
    assert (_count(db, Introduction), _count(db, User)) == before


def test_the_command_seeds_once_and_resets_on_request(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    migrate(f"sqlite:///{database}")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}

    def peermatch(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "services.cli", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    lead = ["--email", "lead@example.org", "--password", "a long enough password"]
    assert peermatch("create-coordinator", *lead, "--organization", "demo").returncode == 0
    first = peermatch("seed-demo")
    assert first.returncode == 0, first.stderr
    assert "demo data created" in first.stdout
    again = peermatch("seed-demo")
    assert "already present" in again.stdout
    renewed = peermatch("seed-demo", "--reset")
    assert renewed.returncode == 0, renewed.stderr
    assert "removed: 19 accounts" in renewed.stdout and "demo data created" in renewed.stdout
    # The coordinator an operator made is still there (a second one is refused).
    taken = peermatch("create-coordinator", *lead, "--organization", "demo")
    assert "already exists" in taken.stderr


def _match(db: Db, profile_id: str) -> int:
    session: Session
    with db() as session:
        made = match_profile(session=session, profile_id=uuid.UUID(profile_id), expiry_days=7)
        return len(made.proposals)


def test_the_waiting_stay_waiting_and_a_newcomer_is_matched(
    client: TestClient, db: Db, member: Callable[..., dict[str, str]]
) -> None:
    """What the worker does at start-up changes nothing, and the README's walk-through (a
    new mentee free on Saturday mornings) gets the mentor with room."""
    _seed(db)
    boss = login(client, *COORDINATOR)
    for waiting in _get(client, "/coordinator/waiting-mentees", boss):
        assert _match(db, waiting["profile_id"]) == 0
    for mentor in _get(client, "/coordinator/mentors?vetting_status=approved", boss):
        assert _match(db, mentor["profile_id"]) == 0
    alex = member("alex@example.org", "demo")
    body = mentee_body(
        location={"city": "Portland", "region": "Oregon", "country": "US"},
        availability=[{"day": "sat", "start": "09:30", "end": "11:30"}],
    )
    profile = client.put(f"{API}/me/mentee-profile", json=body, headers=alex).json()
    assert _match(db, profile["id"]) == 1
    [proposal] = _get(client, "/me/introductions?status=proposed", alex)
    assert proposal["mentor"]["alias"] == "Linden"


def test_only_what_is_live_owes_an_email(client: TestClient, db: Db) -> None:
    """History's emails were sent back then; the live proposals and queues owe theirs."""
    _seed(db)
    session: Session
    with db() as session:
        unsent = session.execute(
            select(Notification.kind, Introduction.status)
            .outerjoin(Introduction, Introduction.id == Notification.introduction_id)
            .where(Notification.sent_at.is_(None))
        ).all()
    statuses = {str(status) for _, status in unsent if status is not None}
    assert statuses == {"proposed", "awaiting_approval"}
    kinds = {kind for kind, _ in unsent}
    assert "mentor_approved" not in kinds and "ended" not in kinds
    assert {"proposed", "approval_needed", "mentor_applied"} <= kinds
