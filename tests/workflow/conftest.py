"""People and helpers for the introductions workflow."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.core.db import transaction
from services.core.matching.incremental import match_profile
from tests.factories import mentee_body, mentor_body

Headers = dict[str, str]


@dataclass
class Person:
    """A member with a profile."""

    headers: Headers
    profile_id: str
    email: str


@dataclass
class Cast:
    """A coordinator, and helpers to add people to their organization."""

    client: TestClient
    app: FastAPI
    coordinator: Headers
    member: Callable[..., Headers]
    organization: str = "demo"
    counter: list[int] = field(default_factory=lambda: [0])

    def _email(self, kind: str) -> str:
        self.counter[0] += 1
        return f"{kind}{self.counter[0]}.{self.organization}@example.org"

    def mentee(self, **overrides: Any) -> Person:
        email = self._email("mentee")
        headers = self.member(email=email, organization=self.organization)
        response = self.client.put(
            "/api/v1/me/mentee-profile", json=mentee_body(**overrides), headers=headers
        )
        assert response.status_code == 201, response.text
        return Person(headers, response.json()["id"], email)

    def mentor(self, *, approve: bool = True, **overrides: Any) -> Person:
        email = self._email("mentor")
        headers = self.member(email=email, organization=self.organization)
        response = self.client.put(
            "/api/v1/me/mentor-profile", json=mentor_body(**overrides), headers=headers
        )
        assert response.status_code == 201, response.text
        profile_id = response.json()["id"]
        if approve:
            vetted = self.client.post(
                f"/api/v1/coordinator/mentors/{profile_id}/vetting",
                json={"decision": "approved"},
                headers=self.coordinator,
            )
            assert vetted.status_code == 200, vetted.text
        return Person(headers, profile_id, email)

    def match(self, person: Person) -> list[str]:
        """Run the incremental matching for a profile, as the worker's task does."""
        with transaction(self.app.state.session_factory) as session:
            made = match_profile(
                session=session, profile_id=uuid.UUID(person.profile_id), expiry_days=7
            )
            return [str(i.id) for i in made.proposals]

    def introductions(self, person: Person, status: str | None = None) -> list[dict[str, Any]]:
        query = f"?status={status}" if status else ""
        response = self.client.get(f"/api/v1/me/introductions{query}", headers=person.headers)
        assert response.status_code == 200, response.text
        return list(response.json())

    def act(
        self,
        headers: Headers,
        introduction_id: str,
        action: str,
        body: dict[str, Any] | None = None,
    ) -> Any:
        return self.client.post(
            f"/api/v1/introductions/{introduction_id}/{action}", json=body, headers=headers
        )


@pytest.fixture
def cast(
    client: TestClient,
    app: FastAPI,
    member: Callable[..., Headers],
    coordinator: Callable[..., Headers],
) -> Cast:
    """A coordinator of `demo` and helpers to add mentees and mentors."""
    return Cast(client=client, app=app, coordinator=coordinator("demo"), member=member)
