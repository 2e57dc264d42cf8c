"""Every route times every role, in one table: who gets what.

The roles: nobody logged in, an unrelated member of the same organization, the mentee and
the mentor of an introduction, a coordinator of another organization, and a coordinator of
the introduction's own organization. Each case starts from a fresh world in the state the
route acts on (a proposal, an introduction awaiting approval, an active one), so that an
expected success really is one and a refusal is the role's, not the state's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services.core.accounts.security import create_access_token, hash_password
from services.core.db import transaction, utcnow
from services.core.models import (
    Answer,
    Introduction,
    IntroductionSource,
    IntroductionStatus,
    MatchingRun,
    MatchingRunStatus,
    Organization,
    PairExclusion,
    Profile,
    ProfileRole,
    Role,
    User,
    VettingStatus,
)
from services.core.models.safety import Report
from services.core.vocabulary import ExclusionReason, ReportCategory
from tests.conftest import PASSWORD, TEST_SECRET
from tests.factories import mentee_body, mentor_body

ROLES = ("anonymous", "stranger", "mentee", "mentor", "other_coordinator", "coordinator")
API = "/api/v1"


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass
class World:
    """Ids a route's path and body need, and each role's email and token."""

    introduction: uuid.UUID | None
    mentee_profile: uuid.UUID
    mentor_profile: uuid.UUID
    run: uuid.UUID
    report: uuid.UUID
    exclusion: uuid.UUID | None
    emails: dict[str, str]
    tokens: dict[str, str]


def _user(session: Session, organization: Organization, name: str, role: Role) -> User:
    user = User(
        email=f"{name}.{uuid.uuid4().hex[:8]}@example.org",
        password_hash=_password_hash(),
        display_name=name.title(),
        role=role,
        organization_id=organization.id,
    )
    session.add(user)
    return user


def _profile(session: Session, user: User, role: ProfileRole) -> Profile:
    body = mentee_body() if role == ProfileRole.mentee else mentor_body()
    location = body.pop("location")
    body.pop("recovery_date")
    profile = Profile(
        user_id=user.id,
        organization_id=user.organization_id,
        role=role,
        latitude=round(location["latitude"], 2),
        longitude=round(location["longitude"], 2),
        recovery_date=utcnow().date() - timedelta(days=3000 if role == ProfileRole.mentor else 60),
        vetting_status=VettingStatus.approved if role == ProfileRole.mentor else None,
        waiting_since=utcnow(),
        **body,
    )
    session.add(profile)
    return profile


def build(app: FastAPI, state: str | None, *, exclusion: bool = True) -> World:
    """A fresh world: two organizations, six people, and the introduction in `state`."""
    with transaction(app.state.session_factory) as session:
        demo = session.query(Organization).filter_by(slug="demo").one_or_none()
        if demo is None:
            demo = Organization(slug="demo", name="Demo")
            session.add(demo)
        other = Organization(slug=f"other-{uuid.uuid4().hex[:6]}", name="Other")
        session.add(other)
        session.flush()
        users = {
            "stranger": _user(session, demo, "stranger", Role.member),
            "mentee": _user(session, demo, "mentee", Role.member),
            "mentor": _user(session, demo, "mentor", Role.member),
            "other_coordinator": _user(session, other, "other", Role.coordinator),
            "coordinator": _user(session, demo, "coordinator", Role.coordinator),
        }
        session.flush()
        mentee = _profile(session, users["mentee"], ProfileRole.mentee)
        mentor = _profile(session, users["mentor"], ProfileRole.mentor)
        session.flush()
        introduction = None
        if state is not None:
            answered = state != "proposed"
            introduction = Introduction(
                organization_id=demo.id,
                mentee_profile_id=mentee.id,
                mentor_profile_id=mentor.id,
                status=IntroductionStatus(state),
                mentee_response=Answer.accepted if answered else Answer.pending,
                mentor_response=Answer.accepted if answered else Answer.pending,
                score=0.8,
                explanation={},
                distance_km=1.0,
                overlap_minutes=60,
                source=IntroductionSource.manual,
                expires_at=utcnow() + timedelta(days=7),
                approved_at=utcnow() if state == "active" else None,
            )
            session.add(introduction)
            session.flush()
        run = MatchingRun(organization_id=demo.id, status=MatchingRunStatus.succeeded)
        report = Report(
            organization_id=demo.id,
            introduction_id=introduction.id if introduction else None,
            reporter_user_id=users["mentee"].id,
            reported_user_id=users["mentor"].id,
            reporter_role="mentee",
            reported_alias="Oak",
            category=ReportCategory.harassment,
        )
        session.add_all([run, report])
        excluded = None
        if exclusion:
            excluded = PairExclusion(
                organization_id=demo.id,
                mentee_user_id=users["stranger"].id,
                mentor_user_id=users["mentor"].id,
                reason=ExclusionReason.coordinator,
            )
            session.add(excluded)
        session.flush()
        return World(
            introduction=introduction.id if introduction else None,
            mentee_profile=mentee.id,
            mentor_profile=mentor.id,
            run=run.id,
            report=report.id,
            exclusion=excluded.id if excluded else None,
            emails={role: user.email for role, user in users.items()},
            tokens={
                role: create_access_token(user.id, secret=TEST_SECRET, minutes=5)
                for role, user in users.items()
            },
        )


@dataclass(frozen=True)
class Route:
    """One route, the state it acts on, and the status each role gets, in ROLES order."""

    method: str
    path: str
    expected: tuple[int, int, int, int, int, int]
    state: str | None = "proposed"
    body: str | None = None  # a key of BODIES
    form: bool = False
    exclusion: bool = True

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def _bodies(world: World, role: str) -> dict[str, Any]:
    return {
        "register": {
            "email": f"new.{uuid.uuid4().hex[:8]}@example.org",
            "password": PASSWORD,
            "display_name": "New",
            "consent_version": "2026-12-01",
        },
        "login": {"username": world.emails.get(role, "nobody@example.org"), "password": PASSWORD},
        "reset": {"email": world.emails.get(role, "nobody@example.org")},
        "reset_confirm": {"token": "x" * 43, "new_password": "a new long passphrase"},
        "erase": {"password": PASSWORD},
        "password": {"current_password": PASSWORD, "new_password": "a new long passphrase"},
        "mentee": mentee_body(),
        "mentor": mentor_body(),
        "reason": {"reason_code": "other"},
        "note": {"note": "ok"},
        "hand_weights": {"version": None},
        "report": {"category": "harassment"},
        "vetting": {"decision": "approved"},
        "pair": {
            "mentee_profile_id": str(world.mentee_profile),
            "mentor_profile_id": str(world.mentor_profile),
        },
        "exclusion": {
            "mentee_profile_id": str(world.mentee_profile),
            "mentor_profile_id": str(world.mentor_profile),
            "reason": "same household",
        },
        "resources": {
            "resources": [
                {
                    "name": "Line",
                    "contact": "call 988",
                    "url": "https://988lifeline.org",
                    "hours": "24/7",
                }
            ]
        },
        "resolve": {"note": "talked to both"},
    }


PUBLIC = (200,) * 6
MEMBER_OWN = (401, 200, 200, 200, 200, 200)
COORDINATOR_LIST = (401, 403, 403, 403, 200, 200)
COORDINATOR_OBJECT = (401, 403, 403, 403, 404, 200)
PARTICIPANT = (401, 404, 200, 200, 404, 403)
APPROVER = (401, 404, 403, 403, 404, 200)
INTRO = "/introductions/{introduction}"

ROUTES = [
    Route("GET", "/healthz", PUBLIC),
    Route("GET", "/readyz", PUBLIC),
    Route("GET", "/privacy-notice", PUBLIC),
    Route("GET", "/support-resources", PUBLIC),
    Route("GET", "/places?q=port", PUBLIC),
    Route("POST", "/auth/register", (201,) * 6, body="register"),
    Route("POST", "/auth/token", (401, 200, 200, 200, 200, 200), body="login", form=True),
    Route("POST", "/auth/logout", (401, 204, 204, 204, 204, 204)),
    Route("POST", "/auth/password-reset", (202,) * 6, body="reset"),
    Route("POST", "/auth/password-reset/confirm", (422,) * 6, body="reset_confirm"),
    Route("GET", "/me", MEMBER_OWN),
    Route("DELETE", "/me", (401, 204, 204, 204, 204, 204), body="erase"),
    Route("POST", "/me/password", (401, 204, 204, 204, 204, 204), body="password"),
    Route("GET", "/me/mentee-profile", (401, 404, 200, 404, 404, 404)),
    Route("PUT", "/me/mentee-profile", (401, 201, 200, 201, 201, 201), body="mentee"),
    Route("DELETE", "/me/mentee-profile", (401, 404, 204, 404, 404, 404)),
    Route("GET", "/me/mentor-profile", (401, 404, 404, 200, 404, 404)),
    Route("PUT", "/me/mentor-profile", (401, 201, 201, 200, 201, 201), body="mentor"),
    Route("DELETE", "/me/mentor-profile", (401, 404, 404, 204, 404, 404)),
    Route("POST", "/me/mentor-profile/pause", (401, 404, 404, 200, 404, 404)),
    Route("POST", "/me/mentor-profile/resume", (401, 404, 404, 200, 404, 404)),
    Route("GET", "/me/introductions", MEMBER_OWN),
    Route("GET", "/me/blocks", MEMBER_OWN),
    Route("GET", "/me/access-log", MEMBER_OWN),
    Route("GET", "/me/export", MEMBER_OWN),
    Route("GET", INTRO, (401, 404, 200, 200, 404, 200)),
    Route("POST", INTRO + "/accept", PARTICIPANT),
    Route("POST", INTRO + "/decline", PARTICIPANT, body="reason"),
    Route("POST", INTRO + "/approve", APPROVER, state="awaiting_approval", body="note"),
    Route("POST", INTRO + "/reject", APPROVER, state="awaiting_approval", body="note"),
    Route("POST", INTRO + "/end", PARTICIPANT, state="active", body="reason"),
    Route("POST", INTRO + "/block", PARTICIPANT, state="active"),
    Route("POST", INTRO + "/report", (401, 404, 201, 201, 404, 403), state="active", body="report"),
    Route("GET", "/coordinator/mentors", COORDINATOR_LIST),
    # Not on hold: the coordinator's answer is 409 (wrong state), everyone else's a refusal.
    Route("POST", "/coordinator/mentors/{mentor_profile}/resume", (401, 403, 403, 403, 404, 409)),
    Route(
        "POST", "/coordinator/mentors/{mentor_profile}/vetting", COORDINATOR_OBJECT, body="vetting"
    ),
    Route("GET", "/coordinator/waiting-mentees", COORDINATOR_LIST),
    Route("GET", "/coordinator/introductions", COORDINATOR_LIST),
    Route(
        "POST",
        "/coordinator/introductions",
        (401, 403, 403, 403, 404, 201),
        state=None,
        body="pair",
    ),
    Route("GET", "/coordinator/introductions/{introduction}/events", COORDINATOR_OBJECT),
    Route("GET", "/coordinator/stats", COORDINATOR_LIST),
    Route("PUT", "/coordinator/support-resources", COORDINATOR_LIST, body="resources"),
    Route("GET", "/coordinator/reports", COORDINATOR_LIST),
    Route("POST", "/coordinator/reports/{report}/resolve", COORDINATOR_OBJECT, body="resolve"),
    Route("GET", "/coordinator/exclusions", COORDINATOR_LIST),
    Route(
        "POST",
        "/coordinator/exclusions",
        (401, 403, 403, 403, 404, 201),
        body="exclusion",
        exclusion=False,
    ),
    Route("DELETE", "/coordinator/exclusions/{exclusion}", (401, 403, 403, 403, 404, 204)),
    Route("POST", "/matching/runs", (401, 403, 403, 403, 202, 202), state=None),
    Route("GET", "/matching/runs/{run}", COORDINATOR_OBJECT),
    Route("GET", "/coordinator/model", COORDINATOR_LIST),
    Route("GET", "/coordinator/model/versions", COORDINATOR_LIST),
    # A fresh world has no outcomes to learn from: a coordinator hears so (409).
    Route("POST", "/coordinator/model/refit", (401, 403, 403, 403, 409, 409)),
    Route("POST", "/coordinator/model/activate", COORDINATOR_LIST, body="hand_weights"),
]
CASES = [
    pytest.param(route, role, id=f"{route.label} as {role}") for route in ROUTES for role in ROLES
]


@pytest.mark.parametrize(("route", "role"), CASES)
def test_each_role_gets_what_the_contract_says(
    app: FastAPI, client: TestClient, route: Route, role: str
) -> None:
    world = build(app, route.state, exclusion=route.exclusion)
    path = route.path.format(
        introduction=world.introduction,
        mentor_profile=world.mentor_profile,
        report=world.report,
        exclusion=world.exclusion,
        run=world.run,
    )
    url = path if path in ("/healthz", "/readyz") else API + path
    headers = {"Authorization": f"Bearer {world.tokens[role]}"} if role in world.tokens else {}
    body = _bodies(world, role)[route.body] if route.body else None
    if route.form:
        response = client.request(route.method, url, data=body, headers=headers)
    else:
        response = client.request(route.method, url, json=body, headers=headers)
    assert response.status_code == route.expected[ROLES.index(role)], response.text


def test_the_table_covers_every_route(app: FastAPI) -> None:
    documented = {
        f"{method.upper()} {path.removeprefix(API)}"
        for path, item in app.openapi()["paths"].items()
        for method in item
    }
    tabled = {
        f"{route.method} "
        + route.path.split("?")[0]
        .replace("{introduction}", "{introduction_id}")
        .replace("{mentor_profile}", "{profile_id}")
        .replace("{report}", "{report_id}")
        .replace("{exclusion}", "{exclusion_id}")
        .replace("{run}", "{run_id}")
        for route in ROUTES
    }
    assert documented == tabled
    assert len(CASES) == len(ROUTES) * len(ROLES)
