"""Races that matter: two approvals for one free place, two proposals for one mentee."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.core.db import transaction
from services.core.matching.incremental import match_profile
from services.core.models import Introduction
from tests.factories import mentor_body
from tests.workflow.conftest import Cast


def _at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_approvals_for_one_free_place_give_one_200_and_one_409(
    cast: Cast, coordinator: Callable[..., dict[str, str]]
) -> None:
    second_coordinator = coordinator("demo")
    mentor = cast.mentor(capacity=2)
    mentees = [cast.mentee(alias=f"E{i}") for i in range(2)]
    introduction_ids = cast.match(mentor)
    assert len(introduction_ids) == 2
    for introduction_id in introduction_ids:
        for person in (mentor, *mentees):
            cast.act(person.headers, introduction_id, "accept")
    # The mentor now has room for one: both introductions wait, only one can be approved.
    lowered = cast.client.put(
        "/api/v1/me/mentor-profile", json=mentor_body(capacity=1), headers=mentor.headers
    )
    assert lowered.status_code == 200

    with TestClient(cast.app) as one, TestClient(cast.app) as other:
        responses = _at_once(
            [
                lambda: one.post(
                    f"/api/v1/introductions/{introduction_ids[0]}/approve", headers=cast.coordinator
                ),
                lambda: other.post(
                    f"/api/v1/introductions/{introduction_ids[1]}/approve",
                    headers=second_coordinator,
                ),
            ]
        )
    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    refused = next(r for r in responses if r.status_code == 409)
    assert "full" in refused.json()["detail"]
    statuses = sorted(
        cast.client.get(f"/api/v1/introductions/{i}", headers=cast.coordinator).json()["status"]
        for i in introduction_ids
    )
    assert statuses == ["active", "awaiting_approval"]


def test_concurrent_matching_gives_a_mentee_one_open_proposal(cast: Cast) -> None:
    mentee = cast.mentee()
    for index in range(4):
        cast.mentor(alias=f"M{index}")
    factory = cast.app.state.session_factory

    def match() -> int:
        with transaction(factory) as session:
            made = match_profile(
                session=session, profile_id=uuid.UUID(mentee.profile_id), expiry_days=7
            )
            return len(made.proposals)

    made = _at_once([match for _ in range(4)])
    assert sum(made) == 1
    with transaction(factory) as session:
        count = session.scalar(
            select(func.count())
            .select_from(Introduction)
            .where(Introduction.mentee_profile_id == uuid.UUID(mentee.profile_id))
        )
    assert count == 1
