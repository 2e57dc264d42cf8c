"""Anyone's pages in a real browser: found by role and accessible name, checked by axe."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveSite, assert_accessible
from tests.conftest import PASSWORD

OpenPage = Callable[..., Page]
PUBLIC = ["/", "/signup", "/login", "/support", "/privacy", "/forgot-password", "/reset-password"]


@pytest.mark.parametrize("width", [1280, 390])
def test_every_public_page_is_accessible_and_links_to_crisis_support(
    live_site: LiveSite, open_page: OpenPage, width: int
) -> None:
    page = open_page(width=width)
    for path in PUBLIC:
        page.goto(live_site.url + path)
        expect(page.get_by_role("link", name="Crisis support")).to_be_visible()
        assert page.locator("html").get_attribute("lang") == "en"
        assert_accessible(page)


def test_sign_up_log_in_and_out(live_site: LiveSite, open_page: OpenPage) -> None:
    email = f"newcomer.{uuid.uuid4().hex[:8]}@example.org"
    page = open_page(width=390)
    page.goto(live_site.url + "/signup")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill("short")
    page.get_by_role("textbox", name="Display name").fill("Robin")
    page.get_by_role("button", name="Sign up").click()
    # Refused: the errors are next to their fields, and what was typed is still there.
    expect(
        page.get_by_role("checkbox", name="I agree to the privacy notice")
    ).to_have_accessible_description(
        "Please read the privacy notice and tick the box to agree to it."
    )
    expect(page.get_by_role("textbox", name="Password")).to_have_accessible_description(
        re.compile("Please use at least 12 characters")
    )
    expect(page.get_by_role("textbox", name="Email")).to_have_value(email)
    expect(page.get_by_role("textbox", name="Display name")).to_have_value("Robin")
    assert_accessible(page)

    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("checkbox", name="I agree to the privacy notice").check()
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Thank you for signing up")).to_be_visible()

    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My introductions", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="My data").click()
    expect(page.get_by_role("heading", name="My data", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out")).to_be_visible()
    page.goto(live_site.url + "/introductions")
    expect(page.get_by_role("heading", name="Log in", level=1)).to_be_visible()


def test_the_keyboard_reaches_the_form_with_visible_focus(
    live_site: LiveSite, open_page: OpenPage
) -> None:
    page = open_page()
    page.goto(live_site.url + "/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the page's content")
    expect(skip).to_be_focused()
    outline = skip.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none"
