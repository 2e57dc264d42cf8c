"""The text rules (services/core/text.py): what people type is normalized, and hidden or
direction-changing characters are refused with a message that never repeats the input."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, ValidationError

from services.core.text import NAME_RULES, FreeText, Name, Secret
from tests.conftest import PASSWORD, consent, login


class _Example(BaseModel):
    alias: Annotated[Name, Field(max_length=40)]
    display_name: Annotated[str, Field(max_length=5), NAME_RULES] = "Sam"
    about: FreeText = ""
    password: Secret = PASSWORD


def _refusal(**fields: Any) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        _Example(**{"alias": "Robin", **fields})
    (error,) = caught.value.errors()
    return dict(error)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("\u200b", "text_zero_width"),
        ("Ro\u200bbin", "text_zero_width"),
        ("\ufeffRobin", "text_zero_width"),
        ("Robin\u2060", "text_zero_width"),
        ("Ro\x00bin", "text_control_character"),
        ("Ro\x07bin", "text_control_character"),
        ("Ro\x9bbin", "text_control_character"),
        ("Robin\u202egnp.exe", "text_bidi_control"),
        ("\u2066Robin\u2069", "text_bidi_control"),
        ("Robin\nSmith", "text_newline"),
        ("Robin\u2028Smith", "text_newline"),
        ("Ro\ud800bin", "text_invalid_unicode"),
        ("   ", "text_not_visible"),
        ("\u3164", "text_not_visible"),
        ("\u0301", "text_not_visible"),
    ],
)
def test_names_refuse_hidden_characters_without_echoing_them(text: str, kind: str) -> None:
    error = _refusal(alias=text)
    assert error["type"] == kind
    assert error["loc"] == ("alias",)
    assert text.strip() not in error["msg"] or not text.strip()


def test_an_alias_of_only_a_zero_width_space_is_refused() -> None:
    assert _refusal(alias="\u200b")["type"] == "text_zero_width"


def test_names_are_nfc_and_stripped() -> None:
    decomposed = "  Zoe\u0301  "
    example = _Example(alias=decomposed)
    assert example.alias == "Zo\u00e9"
    assert len(_Example(alias="a" * 40).alias) == 40
    assert _refusal(alias="a" * 41)["type"] == "too_long"
    # With the length before the rule, the message is pydantic's plain one for strings.
    assert "at most 5 characters" in _refusal(display_name="abcdef")["msg"]


def test_names_keep_ordinary_writing() -> None:
    for name in ("José", "Łukasz", "محمد", "李小龍", "O'Neil-Smith", "Sam 🌻"):
        assert _Example(alias=name).alias == name


def test_free_text_keeps_lines_and_tabs_but_not_other_controls() -> None:
    example = _Example(alias="Robin", about="Line one\r\nLine two\n\tindented")
    assert example.about == "Line one\nLine two\n\tindented"
    assert _refusal(about="a\x00b")["type"] == "text_control_character"
    assert _refusal(about="a\u202eb")["type"] == "text_bidi_control"
    assert _refusal(about="a\u200db")["type"] == "text_zero_width"


def test_secrets_refuse_only_nul_and_broken_unicode() -> None:
    assert _Example(alias="R", password=" spaces\tand\u202e kept ").password == (
        " spaces\tand\u202e kept "
    )
    assert _refusal(password="a\x00" * 8)["type"] == "text_control_character"
    assert _refusal(password="a\udfff" * 8)["type"] == "text_invalid_unicode"


# Through the API, on both databases: PostgreSQL used to answer 500 to a NUL.


def _register(client: TestClient, **overrides: object) -> Any:
    body: dict[str, object] = {"email": "ada@example.org", "password": PASSWORD}
    body["display_name"] = "Ada"
    body |= consent(client)
    body.update(overrides)
    return client.post("/api/v1/auth/register", json=body)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("display_name", "Ada\x00"),
        ("display_name", "Ada\u202e<script>"),
        ("display_name", "\u200b"),
        ("display_name", " \u200b "),
        ("email", "ada\x00@example.org"),
        ("email", "ada\u202e@example.org"),
        ("email", "<script>@example.org"),
        ("password", "correct horse\x00battery"),
        ("consent_version", "2026\x00"),
    ],
)
def test_registration_refuses_hidden_characters_naming_the_field(
    client: TestClient, field: str, value: str
) -> None:
    response = _register(client, **{field: value})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["field"] == field
    assert value not in response.text
    assert "script" not in response.text


def test_login_name_with_nul_is_invalid_input_not_a_server_error(client: TestClient) -> None:
    assert _register(client).status_code == 201
    response = client.post(
        "/api/v1/auth/token", data={"username": "ada\x00@example.org", "password": PASSWORD}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "username"
    broken = client.post(
        "/api/v1/auth/token", data={"username": "ada@example.org", "password": "a\x00" * 8}
    )
    assert broken.status_code in {401, 422}
    assert login(client, "ada@example.org")


def test_display_name_is_stored_normalized(client: TestClient) -> None:
    assert _register(client, display_name="  Zoe\u0301 ").status_code == 201
    me = client.get("/api/v1/me", headers=login(client, "ada@example.org")).json()
    assert me["display_name"] == "Zo\u00e9"
