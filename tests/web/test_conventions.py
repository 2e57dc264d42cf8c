"""What holds for every page: forms carry CSRF, and every email lands on a real page."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from services.core.email_texts import RESET_PASSWORD, TEXTS
from services.web.render import WebRoute
from services.web.session import check_csrf
from tests.web.conftest import WebUser


def _web_routes(app: FastAPI) -> list[APIRoute]:
    # Included routers keep their own routes (FastAPI includes them lazily).
    found: list[APIRoute] = []
    for entry in app.routes:
        router = getattr(entry, "original_router", None)
        for route in router.routes if router is not None else [entry]:
            if isinstance(route, WebRoute):
                found.append(route)
    return found


def test_every_form_the_web_app_takes_checks_its_csrf_token(app: FastAPI) -> None:
    posts = [route for route in _web_routes(app) if "POST" in route.methods]
    assert len(posts) > 15
    unchecked = [
        route.path
        for route in posts
        if not any(dependency.call is check_csrf for dependency in route.dependant.dependencies)
    ]
    assert unchecked == []


@pytest.mark.parametrize("path", sorted({text.path for text in TEXTS.values()} | {RESET_PASSWORD}))
def test_every_email_links_to_a_page_that_exists(app: FastAPI, path: str) -> None:
    visitor = WebUser(app)
    answer = visitor.get(path)
    # A page, or the login that leads to it: never "not found".
    assert answer.status_code in {200, 303}, path
    if answer.status_code == 303:
        assert answer.headers["location"].startswith("/login?next=")
