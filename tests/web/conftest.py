"""A person using the web pages: their own cookie jar, forms posted with the page's CSRF
token, as a browser would."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import PASSWORD
from tests.workflow.conftest import cast  # noqa: F401 (the workflow's people, here too)

_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def words(answer: httpx.Response) -> str:
    """A page's text as a person reads it (entities decoded)."""
    return html.unescape(answer.text)


class WebUser:
    """One browser: log in, read pages, submit forms."""

    def __init__(self, app: FastAPI) -> None:
        self.client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path)

    def csrf(self, path: str) -> str:
        page = self.client.get(path)
        assert page.status_code == 200, page.text
        found = _CSRF.search(page.text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def submit(
        self, form_page: str, action: str, data: dict[str, Any] | None = None
    ) -> httpx.Response:
        """Post a form found on `form_page` to `action`, with that page's CSRF token."""
        return self.client.post(action, data={"csrf_token": self.csrf(form_page), **(data or {})})

    def log_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        answer = self.submit("/login", "/login", {"email": email, "password": password})
        assert answer.status_code == 303, answer.text
        return answer


@pytest.fixture
def browser(app: FastAPI) -> Iterator[Callable[[], WebUser]]:
    """Open a new browser (cookie jar) on the app."""
    opened: list[WebUser] = []

    def open_one() -> WebUser:
        opened.append(WebUser(app))
        return opened[-1]

    yield open_one
    for one in opened:
        one.client.close()
