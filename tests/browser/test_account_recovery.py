"""A forgotten password, in a real browser: the emailed link opens the page that sets a new
one, the link works once, and the old password stops working."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from email import message_from_bytes
from email.policy import default
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveSite, assert_accessible
from tests.conftest import PASSWORD

OpenPage = Callable[..., Page]
NEW_PASSWORD = "a brand new passphrase for today"


def _reset_link(mail_dir: Path, email: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []:
            message = message_from_bytes(path.read_bytes(), policy=default)
            if message["To"] == email:
                body = message.get_body(preferencelist=("plain",))
                assert body is not None
                found = re.search(r"https?://\S+/reset-password\?token=\S+", body.get_content())
                if found:
                    return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no reset email reached {email} in {timeout:.0f} s")


def _sign_up(page: Page, site: LiveSite, email: str) -> None:
    page.goto(site.url + "/signup")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("textbox", name="Display name").fill("Jo")
    page.get_by_role("checkbox", name="I agree to the privacy notice").check()
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Thank you for signing up")).to_be_visible()


def _log_in(page: Page, site: LiveSite, email: str, password: str) -> None:
    page.goto(site.url + "/login")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_forgotten_password_is_reset_from_the_emailed_link(
    live_site: LiveSite, open_page: OpenPage
) -> None:
    email = f"forgetful.{uuid.uuid4().hex[:8]}@example.org"
    page = open_page(width=390)
    _sign_up(page, live_site, email)

    page.get_by_role("link", name="Forgot your password?").click()
    assert_accessible(page)
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("a link to choose a new password is on its way")).to_be_visible()

    link = _reset_link(live_site.mail_dir, email)
    assert link.startswith(live_site.url)  # PUBLIC_URL follows the port
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("textbox", name="New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_text("Your new password is set")).to_be_visible()

    _log_in(page, live_site, email, PASSWORD)
    expect(page.get_by_text("That email and password did not match")).to_be_visible()
    _log_in(page, live_site, email, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="My introductions", level=1)).to_be_visible()

    # The link worked once.
    page.goto(link)
    page.get_by_role("textbox", name="New password").fill("yet another long passphrase")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("link", name="Ask for a new link")).to_be_visible()
