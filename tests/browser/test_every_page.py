"""Every page of the web app, as the demo's people see it with the demo data in it (a
queue, a waiting list, charts), at a desk's width and a phone's: axe-core finds no serious
or critical violation, each has one h1, the crisis link and no sideways scrolling."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveSite, assert_accessible

OpenPage = Callable[..., Page]
VISITS = {
    "mentee": (
        "mentee@demo.example.org",
        "demo-mentee-password",
        ["/introductions", "/profile/mentee", "/profile/mentor", "/me/data", "/logout"],
    ),
    "mentor": (
        "mentor1@demo.example.org",
        "demo-mentor-password",
        ["/introductions", "/profile/mentor"],
    ),
    "coordinator": (
        "coordinator@demo.example.org",
        "demo-coordinator-password",
        [
            "/coordinator",
            "/coordinator/mentors",
            "/coordinator/waiting",
            "/coordinator/reports",
            "/coordinator/dashboard",
            "/coordinator/model",
            "/coordinator/support",
        ],
    ),
}


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("who", sorted(VISITS))
def test_every_page_with_the_demo_data(
    demo_site: LiveSite, open_page: OpenPage, who: str, width: int
) -> None:
    email, password, paths = VISITS[who]
    page = open_page(width=width)
    page.goto(demo_site.url + "/login")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    for path in paths:
        page.goto(demo_site.url + path)
        expect(page.get_by_role("link", name="Crisis support")).to_be_visible()
        assert_accessible(page)
    if who == "mentee":
        # A proposal's report page, reached from its card.
        page.goto(demo_site.url + "/introductions")
        page.get_by_role("button", name="Report").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Tell a coordinator what happened"
        )
        assert_accessible(page)
    if who == "coordinator":
        # The queue and the waiting list are not empty: the demo shows what they hold.
        page.goto(demo_site.url + "/coordinator")
        expect(page.get_by_role("button", name="Approve").first).to_be_visible()
        page.goto(demo_site.url + "/coordinator/dashboard")
        expect(page.locator("figure svg[role=img]").first).to_be_visible()
