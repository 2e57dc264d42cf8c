"""What people type into a profile is normalized, free of hidden characters, never echoed."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import mentee_body

Member = Callable[..., dict[str, str]]


def _put(client: TestClient, member: Member, **changes: Any) -> Any:
    return client.put("/api/v1/me/mentee-profile", json=mentee_body(**changes), headers=member())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"alias": "\u200b"}, "alias"),
        ({"alias": "   "}, "alias"),
        ({"alias": "Ri\u202ever"}, "alias"),
        ({"alias": "Ri\x00ver"}, "alias"),
        ({"about": "fine\x00 then not"}, "about"),
        ({"about": "reads \u2066backwards\u2069"}, "about"),
        ({"interests": ["hik\u200bing"]}, "interests.0"),
        ({"location": {"city": "Port\x00land", "country": "US"}}, "location.city"),
        ({"timezone": "America/Los_Angeles\x00"}, "timezone"),
    ],
)
def test_hidden_characters_are_refused_by_field(
    client: TestClient, member: Member, changes: dict[str, Any], field: str
) -> None:
    response = _put(client, member, **changes)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["detail"]] == [field]


def test_text_is_stored_in_one_normal_form(client: TestClient, member: Member) -> None:
    decomposed = unicodedata.normalize("NFD", "Zoë")
    response = _put(client, member, alias=f"  {decomposed}  ", about="line one\r\nline two")
    assert response.status_code == 201, response.text
    assert response.json()["alias"] == unicodedata.normalize("NFC", "Zoë")
    assert response.json()["about"] == "line one\nline two"


@pytest.mark.parametrize(
    ("changes", "sent"),
    [
        ({"languages": ["<script>x</script>"]}, "<script>"),
        ({"timezone": "Mars/<b>Base</b>"}, "<b>"),
    ],
)
def test_errors_do_not_repeat_what_was_sent(
    client: TestClient, member: Member, changes: dict[str, Any], sent: str
) -> None:
    response = _put(client, member, **changes)
    assert response.status_code == 422
    assert sent not in response.text
