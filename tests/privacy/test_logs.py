"""The logs of a whole flow hold none of the personal words the flow used.

People in recovery share what could cost them jobs or custody if it leaked, and logs are
copied, shipped and kept longer than databases. Ids and counts may appear; emails, names,
aliases, free text and places may not.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.core.db import transaction
from services.core.matching.incremental import match_profile
from tests.conftest import PASSWORD, consent, login
from tests.factories import mentee_body, mentor_body

# Words no log line may carry: each one is used by the flow below.
MENTEE_EMAIL = "quillon.marbury@example.org"
MENTOR_EMAIL = "ysolde.penhallow@example.org"
MENTEE_NAME = "Quillon Marbury"
MENTOR_NAME = "Ysolde Penhallow"
MENTEE_ALIAS = "Wrenfield"
MENTOR_ALIAS = "Thistlecombe"
MENTEE_ABOUT = "Forty days since the Harbourview relapse, scared of the evenings."
MENTOR_ABOUT = "Nine years out of the Kestrelmoor treatment centre."
DECLINE_REASON = "Bramblewick reminds me of my old crowd."
SECRET_WORDS = [
    MENTEE_EMAIL,
    MENTOR_EMAIL,
    MENTEE_NAME,
    MENTOR_NAME,
    MENTEE_ALIAS,
    MENTOR_ALIAS,
    "Harbourview",
    "Kestrelmoor",
    "Bramblewick",
    PASSWORD,
    "Portland",
    "45.52",
    "-122.68",
]


def _register(client: TestClient, email: str, name: str) -> dict[str, str]:
    body: dict[str, Any] = {"email": email, "password": PASSWORD, "display_name": name}
    response = client.post("/api/v1/auth/register", json=body | consent(client))
    assert response.status_code == 201, response.text
    return login(client, email)


def test_a_whole_flow_logs_nothing_personal(
    client: TestClient,
    app: FastAPI,
    coordinator: Callable[..., dict[str, str]],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    boss = coordinator("demo")
    mentee = _register(client, MENTEE_EMAIL, MENTEE_NAME)
    mentor = _register(client, MENTOR_EMAIL, MENTOR_NAME)
    # A registration that fails, and a profile that fails, with the same words in them.
    client.post(
        "/api/v1/auth/register",
        json={"email": MENTEE_EMAIL, "password": "short", "display_name": MENTEE_NAME},
    )
    client.put(
        "/api/v1/me/mentee-profile",
        json=mentee_body(alias=MENTEE_ALIAS, location={"city": "Harbourview", "country": "US"}),
        headers=mentee,
    )
    client.get("/api/v1/auth/token", params={"username": MENTEE_EMAIL})
    client.post("/api/v1/auth/token", data={"username": MENTEE_EMAIL, "password": "wrong guess"})

    saved_mentor = client.put(
        "/api/v1/me/mentor-profile",
        json=mentor_body(alias=MENTOR_ALIAS, about=MENTOR_ABOUT),
        headers=mentor,
    )
    assert saved_mentor.status_code == 201, saved_mentor.text
    vetted = client.post(
        f"/api/v1/coordinator/mentors/{saved_mentor.json()['id']}/vetting",
        json={"decision": "approved"},
        headers=boss,
    )
    assert vetted.status_code == 200, vetted.text
    saved = client.put(
        "/api/v1/me/mentee-profile",
        json=mentee_body(alias=MENTEE_ALIAS, about=MENTEE_ABOUT),
        headers=mentee,
    )
    assert saved.status_code == 201, saved.text
    with transaction(app.state.session_factory) as session:
        made = match_profile(
            session=session, profile_id=uuid.UUID(saved.json()["id"]), expiry_days=7
        )
    assert made.proposals, "the two should be matched"
    introduction = str(made.proposals[0].id)
    for headers in (mentee, mentor):
        accepted = client.post(f"/api/v1/introductions/{introduction}/accept", headers=headers)
        assert accepted.status_code == 200, accepted.text
    approved = client.post(f"/api/v1/introductions/{introduction}/approve", json={}, headers=boss)
    assert approved.status_code == 200, approved.text
    shown = client.get(f"/api/v1/introductions/{introduction}", headers=mentee)
    assert shown.json()["contact"], "the flow reached the point where contacts are shown"
    ended = client.post(
        f"/api/v1/introductions/{introduction}/end",
        json={"reason": DECLINE_REASON},
        headers=mentor,
    )
    assert ended.status_code == 200, ended.text
    client.get("/api/v1/coordinator/introductions", headers=boss)
    client.get("/api/v1/coordinator/waiting-mentees", headers=boss)

    printed = capfd.readouterr()
    logged = "\n".join(
        [record.getMessage() for record in caplog.records]
        + [str(record.args) for record in caplog.records]
        + [printed.out, printed.err]
    )
    assert len(caplog.records) > 0, "the flow logged something, so the check means something"
    leaked = [word for word in SECRET_WORDS if word.lower() in logged.lower()]
    assert leaked == []
