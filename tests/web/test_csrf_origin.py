"""A form posted from a real browser: the page's no-referrer policy makes its Origin "null",
and Sec-Fetch-Site says whether it came from our own pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def _token(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found
    return found.group(1)


def test_a_browser_form_with_a_null_origin_from_our_own_page_is_accepted(
    client: TestClient,
) -> None:
    token = _token(client)
    answer = client.post(
        "/login",
        data={"email": "nobody@example.org", "password": "x" * 12, "csrf_token": token},
        headers={"origin": "null", "sec-fetch-site": "same-origin"},
        follow_redirects=False,
    )
    assert answer.status_code == 401  # the form was read: the password was checked


def test_a_form_from_another_site_is_refused_whatever_its_token(client: TestClient) -> None:
    token = _token(client)
    for headers in (
        {"origin": "null", "sec-fetch-site": "cross-site"},
        {"origin": "https://elsewhere.example", "sec-fetch-site": "same-site"},
        {"origin": "null"},
    ):
        answer = client.post(
            "/login",
            data={"email": "nobody@example.org", "password": "x" * 12, "csrf_token": token},
            headers=headers,
            follow_redirects=False,
        )
        assert answer.status_code == 403, headers
