"""Registration, login and the caller's account."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, consent, login


def register(client: TestClient, **overrides: object) -> object:
    body: dict[str, object] = {"email": "ada@example.org", "password": PASSWORD}
    body["display_name"] = "Ada"
    body |= consent(client)
    body.update(overrides)
    return client.post("/api/v1/auth/register", json=body)


def test_register_login_and_me(client: TestClient) -> None:
    response = register(client, email="Ada@Example.org")
    assert response.status_code == 201
    account = response.json()
    # No id: the answer is the same when the email already has an account (API 1.1).
    assert account == {"email": "ada@example.org", "display_name": "Ada", "organization": "demo"}
    assert "password" not in response.text

    token = client.post(
        "/api/v1/auth/token", data={"username": "ADA@example.org", "password": PASSWORD}
    ).json()
    assert token["token_type"] == "bearer"
    assert token["expires_in"] == 3600

    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.status_code == 200
    assert me.json()["role"] == "member"
    assert {key: me.json()[key] for key in account} == account


def test_taken_email_answers_like_a_new_one(client: TestClient) -> None:
    first = register(client)
    again = register(client, email="ADA@example.org", display_name="Someone else")
    assert first.status_code == again.status_code == 201
    assert set(again.json()) == set(first.json())
    me = client.get("/api/v1/me", headers=login(client, "ada@example.org")).json()
    assert me["display_name"] == "Ada"


def test_wrong_password_and_unknown_email_look_the_same(client: TestClient) -> None:
    register(client)
    wrong = client.post(
        "/api/v1/auth/token", data={"username": "ada@example.org", "password": "x" * 12}
    )
    unknown = client.post(
        "/api/v1/auth/token", data={"username": "nobody@example.org", "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_register_into_an_existing_organization(
    client: TestClient, coordinator: Callable[..., dict[str, str]]
) -> None:
    coordinator("harbor-house")
    response = register(client, organization="harbor-house")
    assert response.status_code == 201
    assert response.json()["organization"] == "harbor-house"


def test_register_into_unknown_organization_names_the_field(client: TestClient) -> None:
    response = register(client, organization="nowhere")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "organization"


def test_me_needs_a_valid_token(client: TestClient) -> None:
    assert client.get("/api/v1/me").status_code == 401
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401


def test_token_signed_with_another_key_is_refused(client: TestClient) -> None:
    import uuid

    from services.core.accounts.security import create_access_token

    register(client)
    forged = create_access_token(uuid.uuid4(), secret="another-secret-" * 4, minutes=5)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_expired_token_is_refused(client: TestClient) -> None:
    from services.core.accounts.security import create_access_token
    from tests.conftest import TEST_SECRET

    register(client)
    user_id = client.get("/api/v1/me", headers=login(client, "ada@example.org")).json()["id"]
    import uuid

    expired = create_access_token(uuid.UUID(user_id), secret=TEST_SECRET, minutes=-1)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401


def test_coordinator_role_shows_in_me(
    client: TestClient, coordinator: Callable[..., dict[str, str]]
) -> None:
    headers = coordinator("harbor-house")
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["role"] == "coordinator"
    assert me["organization"] == "harbor-house"
