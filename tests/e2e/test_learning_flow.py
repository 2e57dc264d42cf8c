"""Outcomes recorded through the API train a model in the real worker; the model becomes
active, scores the next proposal (which records its version), and going back to the hand
weights works."""

from __future__ import annotations

import uuid
from typing import Any

from services.core.models import Introduction
from tests.e2e.conftest import Stack, wait_for
from tests.e2e.test_worker_flow import _introductions, _proposal
from tests.factories import mentee_body, mentor_body

MENTORS = {"Willow": "woman", "Wren": "woman", "Wynn": "woman", "Moss": "man", "Mica": "man"}


def _new_mentee(stack: Stack, alias: str, gender: str) -> dict[str, str]:
    headers, _ = stack.member()
    body = mentee_body(alias=alias, gender=gender, gender_preference=[])
    saved = stack.client.put("/api/v1/me/mentee-profile", json=body, headers=headers)
    assert saved.status_code == 201, saved.text
    return headers


def _live_outcomes(stack: Stack, coordinator: dict[str, str], alias: str, gender: str) -> int:
    """A mentee who declines every mentor of another gender and takes the first of their
    own (both accept, the coordinator approves); how many outcomes that made."""
    headers = _new_mentee(stack, alias, gender)
    made = 0
    while True:
        proposal = _proposal(stack, headers, timeout=60)
        made += 1
        path = f"/api/v1/introductions/{proposal['id']}"
        mentor = proposal["mentor"]["alias"]
        if MENTORS[mentor] != gender:
            answer = stack.client.post(
                f"{path}/decline", json={"reason_code": "not_a_fit"}, headers=headers
            )
            assert answer.json()["status"] == "declined", answer.text
            continue
        assert stack.client.post(f"{path}/accept", headers=headers).status_code == 200
        mentor_headers = _mentor_headers[mentor]
        accepted = stack.client.post(f"{path}/accept", headers=mentor_headers)
        assert accepted.json()["status"] == "awaiting_approval", accepted.text
        approved = stack.client.post(f"{path}/approve", headers=coordinator)
        assert approved.json()["status"] == "active", approved.text
        return made


_mentor_headers: dict[str, dict[str, str]] = {}


def _model(stack: Stack, coordinator: dict[str, str]) -> Any:
    answer = stack.client.get("/api/v1/coordinator/model", headers=coordinator)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _row(stack: Stack, introduction_id: str) -> Introduction:
    with stack.session() as session:
        row = session.get(Introduction, uuid.UUID(introduction_id))
        assert row is not None
        session.expunge(row)
        return row


def test_outcomes_train_a_model_in_the_worker_that_scores_the_next_proposal(
    stack: Stack,
) -> None:
    coordinator = stack.coordinator()
    for alias, gender in MENTORS.items():
        headers, _ = stack.member()
        saved = stack.client.put(
            "/api/v1/me/mentor-profile",
            json=mentor_body(alias=alias, gender=gender, capacity=10),
            headers=headers,
        )
        assert saved.status_code == 201, saved.text
        vetted = stack.client.post(
            f"/api/v1/coordinator/mentors/{saved.json()['id']}/vetting",
            json={"decision": "approved"},
            headers=coordinator,
        )
        assert vetted.status_code == 200, vetted.text
        _mentor_headers[alias] = headers

    assert _model(stack, coordinator)["source"] == "hand"
    early = stack.client.post("/api/v1/coordinator/model/refit", headers=coordinator)
    assert early.status_code == 409, early.text

    made = 0
    for k in range(8):
        made += _live_outcomes(stack, coordinator, f"M{k}", "woman" if k % 2 else "man")
    assert made >= 12

    queued = stack.client.post("/api/v1/coordinator/model/refit", headers=coordinator)
    assert queued.status_code == 202, queued.text
    assert queued.json()["outcomes_available"] == made
    learned = wait_for(
        lambda: (lambda m: m if m["source"] == "learned" else None)(_model(stack, coordinator)),
        timeout=120,
        what="the worker to fit and activate a model",
    )
    assert learned["version"] == 1 and learned["training_size"] == made
    assert learned["figures"]["beats_hand"] is True
    assert max(learned["weights"], key=lambda k: abs(learned["weights"][k])) == "same_gender"

    # The worker loads the new version for the next save: a woman is proposed a woman.
    newcomer = _new_mentee(stack, "Newcomer", "woman")
    proposal = _proposal(stack, newcomer, timeout=60)
    assert MENTORS[proposal["mentor"]["alias"]] == "woman"
    assert "predicted_chance" in proposal["explanation"]
    assert _row(stack, proposal["id"]).model_version == 1

    # Back to the hand weights: the next proposal is theirs and records no version.
    back = stack.client.post(
        "/api/v1/coordinator/model/activate", json={"version": None}, headers=coordinator
    )
    assert back.status_code == 200 and back.json()["source"] == "hand", back.text
    later = _new_mentee(stack, "Later", "man")
    hand = _proposal(stack, later, timeout=60)
    assert "predicted_chance" not in hand["explanation"]
    row = _row(stack, hand["id"])
    assert row.model_version is None and row.features is not None
    versions = stack.client.get("/api/v1/coordinator/model/versions", headers=coordinator)
    assert [(v["number"], v["active"]) for v in versions.json()] == [(1, False)]
    assert _introductions(stack, later, "proposed")
