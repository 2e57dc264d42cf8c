"""The contract's whole flow through HTTP, with the matching done by a real worker."""

from __future__ import annotations

import os
import signal
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from services.core.broker import publisher
from services.core.db import utcnow
from services.core.models import Introduction, OutboxMessage
from tests.e2e.conftest import Stack, wait_for
from tests.factories import mentee_body, mentor_body


def _introductions(stack: Stack, headers: dict[str, str], status: str = "") -> list[Any]:
    query = f"?status={status}" if status else ""
    response = stack.client.get(f"/api/v1/me/introductions{query}", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json())


def _mentor(stack: Stack, coordinator: dict[str, str], alias: str, capacity: int = 1) -> Any:
    headers, email = stack.member()
    saved = stack.client.put(
        "/api/v1/me/mentor-profile",
        json=mentor_body(alias=alias, capacity=capacity),
        headers=headers,
    )
    assert saved.status_code == 201, saved.text
    vetted = stack.client.post(
        f"/api/v1/coordinator/mentors/{saved.json()['id']}/vetting",
        json={"decision": "approved"},
        headers=coordinator,
    )
    assert vetted.status_code == 200
    return headers, email


def _mentee(stack: Stack, alias: str) -> Any:
    headers, email = stack.member()
    saved = stack.client.put(
        "/api/v1/me/mentee-profile", json=mentee_body(alias=alias), headers=headers
    )
    assert saved.status_code == 201, saved.text
    return headers, email


def _proposal(
    stack: Stack, headers: dict[str, str], mentor_alias: str | None = None, timeout: float = 30
) -> Any:
    def found() -> Any:
        proposed = _introductions(stack, headers, "proposed")
        if proposed and (mentor_alias is None or proposed[0]["mentor"]["alias"] == mentor_alias):
            return proposed[0]
        return None

    try:
        return wait_for(found, timeout=timeout, what=f"a proposal with {mentor_alias or 'anyone'}")
    except AssertionError as error:
        tail = stack.worker_log.read_text(errors="replace")[-3000:]
        raise AssertionError(f"{error}\n--- worker log ---\n{tail}") from None


def _idle(stack: Stack) -> None:
    """Wait until the outbox is empty, then a moment for the worker to finish."""

    def drained() -> bool:
        with stack.session() as session:
            return not session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.dispatched_at.is_(None))
            )

    wait_for(drained, timeout=90, what="the outbox to drain")
    time.sleep(2)


def test_profiles_to_active_introduction_decline_and_expiry(stack: Stack) -> None:
    coordinator = stack.coordinator()
    first_headers, first_email = _mentor(stack, coordinator, "First")

    mentee_headers, mentee_email = _mentee(stack, "River")
    started = time.monotonic()
    proposal = _proposal(stack, mentee_headers, "First")
    print(f"proposal visible {time.monotonic() - started:.2f}s after saving the profile")
    assert proposal["contact"] is None
    assert _introductions(stack, first_headers)[0]["id"] == proposal["id"]

    accept = f"/api/v1/introductions/{proposal['id']}/accept"
    assert stack.client.post(accept, headers=mentee_headers).status_code == 200
    assert stack.client.post(accept, headers=first_headers).json()["status"] == (
        "awaiting_approval"
    )
    approved = stack.client.post(
        f"/api/v1/introductions/{proposal['id']}/approve", headers=coordinator
    )
    assert approved.json()["status"] == "active", approved.text
    contact = stack.client.get(
        f"/api/v1/introductions/{proposal['id']}", headers=mentee_headers
    ).json()["contact"]
    assert contact["mentor"]["email"] == first_email
    assert contact["mentee"]["email"] == mentee_email

    # A declined pair is never proposed again, though the mentor has room and fits.
    second_headers, _ = _mentor(stack, coordinator, "Second")
    decliner, _ = _mentee(stack, "Wren")
    declined = _proposal(stack, decliner, "Second")
    assert (
        stack.client.post(
            f"/api/v1/introductions/{declined['id']}/decline",
            json={"reason": "not a fit"},
            headers=decliner,
        ).status_code
        == 200
    )
    _idle(stack)
    assert _introductions(stack, decliner, "proposed") == []
    _mentor(stack, coordinator, "Third")
    rematched = _proposal(stack, decliner, "Third")
    assert rematched["id"] != declined["id"]
    assert _introductions(stack, second_headers, "proposed") == []

    # A proposal nobody answers expires, and its mentee is matched again.
    waiting, _ = _mentee(stack, "Lark")
    stale = _proposal(stack, waiting, "Second")
    _mentor(stack, coordinator, "Fourth")
    with stack.session() as session:
        session.execute(
            update(Introduction)
            .where(Introduction.id == uuid.UUID(stale["id"]))
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    publisher(stack.settings.broker_url).send_task("introductions.expire")
    _proposal(stack, waiting, "Fourth")
    statuses = {i["id"]: i["status"] for i in _introductions(stack, waiting)}
    assert statuses[stale["id"]] == "expired"

    mails = list(stack.settings.mail_dir.glob("*.eml"))
    assert mails, "the worker sent no notification emails"


def test_profiles_saved_while_the_broker_is_down_are_matched_once_it_is_back(
    stack: Stack,
) -> None:
    coordinator = stack.coordinator()
    for alias in ("North", "South"):
        _mentor(stack, coordinator, alias, capacity=2)
    _idle(stack)

    members = [stack.member()[0] for _ in range(4)]  # accounts first: keep the outage short
    stack.redis.stop()
    try:
        mentees = []
        for index, headers in enumerate(members):
            saved = stack.client.put(
                "/api/v1/me/mentee-profile",
                json=mentee_body(alias=f"Mentee{index}"),
                headers=headers,
            )
            assert saved.status_code == 201, saved.text  # saved while Redis is down
            mentees.append(headers)
        time.sleep(1.5)
        assert all(_introductions(stack, headers) == [] for headers in mentees)
        with stack.session() as session:
            waiting = session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.dispatched_at.is_(None))
            )
        assert waiting >= 4
    finally:
        stack.redis.start()

    # The worker reconnects with a growing back-off (2 s, 4 s, ...): allow for it.
    for headers in mentees:
        _proposal(stack, headers, timeout=90)
    _idle(stack)
    for headers in mentees:
        assert len(_introductions(stack, headers)) == 1  # matched, and only once
    with stack.session() as session:
        per_mentor = session.execute(
            select(Introduction.mentor_profile_id, func.count()).group_by(
                Introduction.mentor_profile_id
            )
        ).all()
    assert sorted(count for _, count in per_mentor) == [2, 2]


def test_a_task_taken_by_a_worker_that_is_killed_runs_again(stack: Stack) -> None:
    import redis

    coordinator = stack.coordinator()
    _mentor(stack, coordinator, "Steady")
    _idle(stack)
    assert stack.worker is not None
    # Freeze the pool's processes: the worker still takes tasks from Redis, runs none.
    pool = [
        int(pid)
        for pid in Path(f"/proc/{stack.worker.pid}/task/{stack.worker.pid}/children")
        .read_text()
        .split()
    ]
    assert pool, "the prefork pool has no processes"
    for pid in pool:
        os.kill(pid, signal.SIGSTOP)
    headers, _ = _mentee(stack, "Patient")
    broker = redis.Redis(host=stack.redis.host, port=stack.redis.port)
    wait_for(lambda: broker.hlen("unacked"), timeout=15, what="the worker to take the task")
    stack.kill_worker()
    assert _introductions(stack, headers) == []

    stack.start_worker()
    proposal = _proposal(stack, headers, "Steady")
    assert proposal["status"] == "proposed"
    _idle(stack)
    assert len(_introductions(stack, headers)) == 1
