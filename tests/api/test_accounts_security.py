"""Accounts in API 1.1: private membership, consent, revocable sessions, account recovery and
abuse limits; every test runs on SQLite and PostgreSQL, with a clock the tests move."""

from __future__ import annotations

import email
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.api.deps import get_client_address, get_clock
from services.core.accounts import security
from services.core.accounts.security import create_access_token, hash_reset_token
from services.core.models import Notification, OutboxMessage, User
from services.core.models.accounts import AuthAttempt, PasswordReset
from services.core.settings import Settings
from tests.conftest import PASSWORD, TEST_SECRET, consent, login
from tests.mail import read_mails, send_owed

ADA = "ada@example.org"
NEW_PASSWORD = "a new and longer passphrase"
LIMIT = 3
CLIENT_LIMIT = 8
WINDOW_MINUTES = 15
RESET_MINUTES = 30


class Clock:
    """A clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Caller:
    """The client address the app sees; tests switch it."""

    address = "198.51.100.7"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared test settings with small limits, so that tests reach them quickly."""
    return settings.model_copy(
        update={
            "login_failure_limit": LIMIT,
            "auth_client_limit": CLIENT_LIMIT,
            "auth_window_minutes": WINDOW_MINUTES,
            "password_reset_minutes": RESET_MINUTES,
        }
    )


@pytest.fixture
def clock(app: FastAPI) -> Iterator[Clock]:
    """Move time for the limits and reset links without sleeping."""
    moving = Clock()
    app.dependency_overrides[get_clock] = lambda: moving
    yield moving
    app.dependency_overrides.pop(get_clock, None)


@pytest.fixture
def caller(app: FastAPI) -> Iterator[Caller]:
    """Choose the client address of the next requests."""
    chosen = Caller()
    app.dependency_overrides[get_client_address] = lambda: chosen.address
    yield chosen
    app.dependency_overrides.pop(get_client_address, None)


def register(client: TestClient, **overrides: object) -> Any:
    body: dict[str, object] = {"email": ADA, "password": PASSWORD, "display_name": "Ada"}
    body |= consent(client)
    body.update(overrides)
    return client.post("/api/v1/auth/register", json=body)


def token_for(client: TestClient, address: str, password: str = PASSWORD) -> Any:
    return client.post("/api/v1/auth/token", data={"username": address, "password": password})


def bearer(response: Any) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def mails(client: TestClient) -> list[email.message.Message]:
    """Send what the outbox owes (as the worker would), then read every email written."""
    app = client.app
    assert isinstance(app, FastAPI)
    send_owed(app.state.session_factory, app.state.settings)
    return read_mails(app.state.settings)


def reset_token(message: email.message.Message) -> str:
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    found = re.search(r"reset-password\?token=([A-Za-z0-9_-]+)", body.decode())
    assert found is not None
    return found.group(1)


# Consent


def test_privacy_notice_is_public_and_versioned(client: TestClient, settings: Settings) -> None:
    notice = client.get("/api/v1/privacy-notice")
    assert notice.status_code == 200
    assert notice.json()["version"] == settings.privacy_notice_version
    text = notice.json()["text"]
    for promise in ("1 km", "export", "delete", "coordinator", "email"):
        assert promise in text


def test_registration_requires_the_current_consent(client: TestClient) -> None:
    body = {"email": ADA, "password": PASSWORD, "display_name": "Ada"}
    missing = client.post("/api/v1/auth/register", json=body)
    assert missing.status_code == 422
    assert [error["field"] for error in missing.json()["detail"]] == ["consent_version"]
    stale = client.post("/api/v1/auth/register", json=body | {"consent_version": "2001-01-01"})
    assert stale.status_code == 422
    assert stale.json()["detail"][0]["field"] == "consent_version"
    assert "2001" not in stale.text
    assert token_for(client, ADA).status_code == 401  # nothing was created


def test_me_shows_the_consent_and_its_time(
    client: TestClient, clock: Clock, settings: Settings
) -> None:
    assert register(client).status_code == 201
    me = client.get("/api/v1/me", headers=login(client, ADA)).json()
    assert me["consent"]["version"] == settings.privacy_notice_version
    assert datetime.fromisoformat(me["consent"]["given_at"]) == clock.now


def test_coordinators_and_the_demo_record_consent(
    client: TestClient,
    coordinator: Callable[..., dict[str, str]],
    db: Callable[[], Any],
    settings: Settings,
) -> None:
    me = client.get("/api/v1/me", headers=coordinator("harbor-house")).json()
    assert me["consent"]["version"] == settings.privacy_notice_version
    from services.core.demo import COORDINATOR, MENTEE, seed

    with db() as session:
        assert seed(session=session)
    for address, password in (COORDINATOR, MENTEE):
        seeded = client.get("/api/v1/me", headers=login(client, address, password)).json()
        assert seeded["consent"]["version"] == settings.privacy_notice_version


# Membership stays private


def test_a_taken_email_answers_exactly_like_a_new_one(
    client: TestClient, settings: Settings, db: Callable[[], Any]
) -> None:
    new = register(client)
    taken = register(client, email="ADA@example.org", display_name="Ada")
    assert new.status_code == taken.status_code == 201
    assert (
        new.json() == taken.json() == {"email": ADA, "display_name": "Ada", "organization": "demo"}
    )
    assert set(new.headers) == set(taken.headers)

    different = register(client, display_name="Someone", password="another password 123")
    assert different.status_code == 201
    assert set(different.json()) == set(new.json())
    # Nothing changed: the first password still opens the account, the name is the first.
    assert token_for(client, ADA, "another password 123").status_code == 401
    me = client.get("/api/v1/me", headers=login(client, ADA)).json()
    assert me["display_name"] == "Ada"
    with db() as session:
        assert len(session.scalars(select(User).where(User.email == ADA)).all()) == 1


def test_the_owner_of_a_taken_email_is_told_once_per_window(
    client: TestClient, settings: Settings, clock: Clock
) -> None:
    register(client)
    assert mails(client) == []  # a new account gets no email
    register(client)
    register(client)
    told = mails(client)
    assert len(told) == 1
    assert told[0]["To"] == ADA
    body = told[0].get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "recovery" not in body.decode().lower()  # a mailbox is not always private
    clock.advance(minutes=WINDOW_MINUTES + 1)
    register(client)
    assert len(mails(client)) == 2


def test_an_unknown_organization_is_refused_without_repeating_it(client: TestClient) -> None:
    response = register(client, organization="nowhere-at-all")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "organization"
    assert "nowhere-at-all" not in response.text


# Sessions


def test_logout_revokes_only_the_token_it_is_called_with(client: TestClient) -> None:
    register(client)
    first, second = bearer(token_for(client, ADA)), bearer(token_for(client, ADA))
    assert client.post("/api/v1/auth/logout", headers=first).status_code == 204
    assert client.get("/api/v1/me", headers=first).status_code == 401
    assert client.get("/api/v1/me/introductions", headers=first).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=first).status_code == 401
    assert client.get("/api/v1/me", headers=second).status_code == 200
    assert client.post("/api/v1/auth/logout").status_code == 401


def test_a_password_change_revokes_every_earlier_token(client: TestClient) -> None:
    register(client)
    first, second = bearer(token_for(client, ADA)), bearer(token_for(client, ADA))
    wrong = client.post(
        "/api/v1/me/password",
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=first,
    )
    assert wrong.status_code == 403
    assert client.get("/api/v1/me", headers=first).status_code == 200
    changed = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=first,
    )
    assert changed.status_code == 204
    assert client.get("/api/v1/me", headers=first).status_code == 401
    assert client.get("/api/v1/me", headers=second).status_code == 401
    assert token_for(client, ADA).status_code == 401
    fresh = bearer(token_for(client, ADA, NEW_PASSWORD))
    assert client.get("/api/v1/me", headers=fresh).status_code == 200


def test_a_password_change_needs_a_long_enough_new_password(client: TestClient) -> None:
    register(client)
    response = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "short"},
        headers=login(client, ADA),
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "new_password"


def test_tokens_without_an_id_or_version_are_refused(client: TestClient) -> None:
    import jwt

    register(client)
    user_id = client.get("/api/v1/me", headers=login(client, ADA)).json()["id"]
    now = datetime.now(UTC)
    old_style = jwt.encode(
        {"sub": user_id, "iat": now, "exp": now + timedelta(minutes=5)}, TEST_SECRET, "HS256"
    )
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {old_style}"})
    assert response.status_code == 401
    stale = create_access_token(uuid.UUID(user_id), secret=TEST_SECRET, minutes=5, version=7)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {stale}"}).status_code == 401


# Account recovery


def test_password_reset_sets_the_password_once_and_revokes_tokens(
    client: TestClient, settings: Settings, clock: Clock
) -> None:
    register(client)
    before = bearer(token_for(client, ADA))
    asked = client.post("/api/v1/auth/password-reset", json={"email": "Ada@Example.org"})
    assert asked.status_code == 202
    (message,) = mails(client)
    assert message["To"] == ADA
    token = reset_token(message)
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert body.decode().count(settings.public_url) == 1

    clock.advance(minutes=RESET_MINUTES - 1)
    confirm = {"token": token, "new_password": NEW_PASSWORD}
    assert client.post("/api/v1/auth/password-reset/confirm", json=confirm).status_code == 204
    assert client.get("/api/v1/me", headers=before).status_code == 401
    assert token_for(client, ADA).status_code == 401
    bearer(token_for(client, ADA, NEW_PASSWORD))

    again = client.post(
        "/api/v1/auth/password-reset/confirm", json=confirm | {"new_password": PASSWORD + "!"}
    )
    assert again.status_code == 422
    assert again.json()["detail"][0]["field"] == "token"
    assert token not in again.text
    bearer(token_for(client, ADA, NEW_PASSWORD))


def test_a_password_reset_link_expires(
    client: TestClient, settings: Settings, clock: Clock
) -> None:
    register(client)
    client.post("/api/v1/auth/password-reset", json={"email": ADA})
    token = reset_token(mails(client)[0])
    clock.advance(minutes=RESET_MINUTES, seconds=1)
    response = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 422
    assert "expired" in response.json()["detail"][0]["msg"]
    bearer(token_for(client, ADA))


def test_a_new_reset_link_replaces_the_older_one(
    client: TestClient, settings: Settings, clock: Clock
) -> None:
    register(client)
    client.post("/api/v1/auth/password-reset", json={"email": ADA})
    (older,) = {reset_token(message) for message in mails(client)}
    clock.advance(minutes=1)
    client.post("/api/v1/auth/password-reset", json={"email": ADA})
    (newer,) = {reset_token(message) for message in mails(client)} - {older}
    refused = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": older, "new_password": NEW_PASSWORD}
    )
    assert refused.status_code == 422
    accepted = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": newer, "new_password": NEW_PASSWORD}
    )
    assert accepted.status_code == 204


def test_unknown_and_made_up_reset_requests_look_the_same(
    client: TestClient, settings: Settings
) -> None:
    register(client)
    known = client.post("/api/v1/auth/password-reset", json={"email": ADA})
    unknown = client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [message["To"] for message in mails(client)] == [ADA]
    made_up = client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": "x" * 43, "new_password": NEW_PASSWORD},
    )
    assert made_up.status_code == 422


def test_only_the_hash_of_a_reset_token_is_stored(
    client: TestClient, settings: Settings, db: Callable[[], Any]
) -> None:
    register(client)
    client.post("/api/v1/auth/password-reset", json={"email": ADA})
    token = reset_token(mails(client)[0])
    with db() as session:
        (reset,) = session.scalars(select(PasswordReset)).all()
        stored = [str(getattr(reset, column.key)) for column in PasswordReset.__table__.columns]
    assert reset.token_hash == hash_reset_token(token)
    assert all(token not in value for value in stored)
    # Nor is it in the outbox or the owed email: the worker derives it again to write it.
    with db() as session:
        owed = [str(row.payload) for row in session.scalars(select(OutboxMessage))]
        owed += [
            str(getattr(row, column.key))
            for row in session.scalars(select(Notification))
            for column in Notification.__table__.columns
        ]
    assert owed and all(token not in value for value in owed)


def test_reset_emails_to_one_address_are_capped(client: TestClient, settings: Settings) -> None:
    register(client)
    for _ in range(5):
        assert client.post("/api/v1/auth/password-reset", json={"email": ADA}).status_code == 202
        mails(client)  # the worker sends each soon after it is owed
    assert len(mails(client)) == 3


# Abuse limits


def test_failed_logins_lock_a_known_and_an_unknown_email_alike(
    client: TestClient, clock: Clock
) -> None:
    register(client)
    for address in (ADA, "nobody@example.org"):
        for _ in range(LIMIT):
            assert token_for(client, address, "wrong password!").status_code == 401
    clock.advance(minutes=5)
    known = token_for(client, ADA)  # the right password
    unknown = token_for(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 429
    assert known.json() == unknown.json()
    assert known.headers["retry-after"] == unknown.headers["retry-after"]
    assert int(known.headers["retry-after"]) == (WINDOW_MINUTES - 5) * 60
    # Another email is not affected.
    assert token_for(client, "someone@example.org").status_code == 401

    clock.advance(minutes=WINDOW_MINUTES - 5, seconds=1)
    bearer(token_for(client, ADA))


def test_the_login_limit_also_guards_the_password_change(client: TestClient) -> None:
    register(client)
    headers = login(client, ADA)
    wrong = {"current_password": "not my password", "new_password": NEW_PASSWORD}
    for _ in range(LIMIT):
        assert client.post("/api/v1/me/password", json=wrong, headers=headers).status_code == 403
    right = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    refused = client.post("/api/v1/me/password", json=right, headers=headers)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0


def test_one_client_address_is_limited_across_registrations_logins_and_resets(
    client: TestClient, clock: Clock, caller: Caller
) -> None:
    counted = 0
    for index in range(3):
        assert register(client, email=f"person{index}@example.org").status_code == 201
        counted += 1
    for index in range(3):
        failed = token_for(client, f"person{index}@example.org", "wrong password!")
        assert failed.status_code == 401
        counted += 1
    for _ in range(CLIENT_LIMIT - counted):
        assert client.post("/api/v1/auth/password-reset", json={"email": ADA}).status_code == 202

    refused = [
        register(client, email="late@example.org"),
        token_for(client, "person0@example.org", "wrong password!"),
        token_for(client, "person0@example.org"),
        client.post("/api/v1/auth/password-reset", json={"email": ADA}),
    ]
    assert [response.status_code for response in refused] == [429] * 4
    assert len({response.text for response in refused}) == 1
    assert all(int(response.headers["retry-after"]) > 0 for response in refused)

    caller.address = "203.0.113.9"  # another client is not affected
    assert register(client, email="late@example.org").status_code == 201
    caller.address = "198.51.100.7"
    clock.advance(minutes=WINDOW_MINUTES, seconds=1)
    assert register(client, email="later@example.org").status_code == 201


def test_limits_store_no_email_or_address_and_forget_old_attempts(
    client: TestClient, clock: Clock, caller: Caller, db: Callable[[], Any]
) -> None:
    token_for(client, "nobody@example.org", "wrong password!")
    clock.advance(minutes=WINDOW_MINUTES + 1)
    token_for(client, "nobody@example.org", "wrong password!")
    with db() as session:
        attempts = session.scalars(select(AuthAttempt)).all()
        stored = " ".join(f"{row.email_key} {row.client_key}" for row in attempts)
    assert len(attempts) == 1  # the first has left the window and was pruned
    assert "nobody" not in stored
    assert caller.address not in stored


# The contract


def test_the_openapi_document_declares_the_new_statuses(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    expected = {
        ("/api/v1/privacy-notice", "get"): {"200"},
        ("/api/v1/auth/register", "post"): {"201", "422", "429"},
        ("/api/v1/auth/token", "post"): {"200", "401", "422", "429"},
        ("/api/v1/auth/logout", "post"): {"204", "401"},
        ("/api/v1/auth/password-reset", "post"): {"202", "422", "429"},
        ("/api/v1/auth/password-reset/confirm", "post"): {"204", "422"},
        ("/api/v1/me", "get"): {"200", "401"},
        ("/api/v1/me/password", "post"): {"204", "401", "403", "422", "429"},
    }
    for (path, method), statuses in expected.items():
        assert statuses <= set(paths[path][method]["responses"]), (path, method)
    retry_after = paths["/api/v1/auth/token"]["post"]["responses"]["429"]["headers"]
    assert "Retry-After" in retry_after
    register_answer = paths["/api/v1/auth/register"]["post"]["responses"]["201"]
    schema_name = register_answer["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    schema = client.get("/openapi.json").json()["components"]["schemas"][schema_name]
    assert "id" not in schema["properties"]


def test_a_login_holds_no_database_connection_while_its_password_is_checked(
    app: FastAPI,
    client: TestClient,
    member: Callable[..., dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Logins queue for argon2 in a crowd; each one waiting with a connection held emptied
    # the pool, and every save and read then waited seconds for one.
    member(email="checked@example.org")
    real = security._hasher
    connections_held: list[int] = []

    class _Watching:
        def verify(self, password: str, password_hash: str) -> bool:
            connections_held.append(app.state.engine.pool.checkedout())
            return real.verify(password, password_hash)

    monkeypatch.setattr(security, "_hasher", _Watching())
    login(client, "checked@example.org")
    wrong = client.post(
        "/api/v1/auth/token", data={"username": "checked@example.org", "password": "not it"}
    )
    assert wrong.status_code == 401
    assert connections_held == [0, 0]
