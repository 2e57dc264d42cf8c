"""The whole flow in a real browser, by role and accessible name, as people would use it:
a mentor signs up and fills the profile form, a coordinator vets them, a mentee signs up and
fills the form with the availability picker and the city search, the worker's proposal
appears, both accept, the coordinator approves, and both see each other's contact. Then a
decline with a reason, a block, and bad input in the profile form. axe runs on each page."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveSite, assert_accessible
from tests.conftest import PASSWORD

OpenPage = Callable[..., Page]


@dataclass
class Person:
    page: Page
    email: str
    name: str


def _sign_up(site: LiveSite, open_page: OpenPage, name: str, width: int = 390) -> Person:
    page = open_page(width=width)
    email = f"{name.lower()}.{uuid.uuid4().hex[:8]}@example.org"
    page.goto(site.url + "/signup")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("textbox", name="Display name").fill(name)
    page.get_by_role("checkbox", name="I agree to the privacy notice").check()
    page.get_by_role("button", name="Sign up").click()
    _log_in(page, site, email)
    return Person(page, email, name)


def _log_in(page: Page, site: LiveSite, email: str) -> None:
    page.goto(site.url + "/login")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def _fill_profile(page: Page, *, alias: str, pathway: str, mentor: bool) -> None:
    page.get_by_role("textbox", name="Alias").fill(alias)
    page.get_by_role("radio", name="Woman").check()
    page.get_by_role("checkbox", name=pathway, exact=True).check()
    if mentor:
        page.get_by_label("The date your recovery began").fill("2015-06-01")
        page.get_by_role("spinbutton", name=re.compile("How many people could you mentor")).fill(
            "2"
        )
    page.get_by_role("checkbox", name="English").check()
    page.get_by_role("radio", name="Either is fine").check()
    page.get_by_role("combobox", name="Your time zone").select_option("America/Los_Angeles")
    # The availability picker: parts of the day, each named for a screen reader.
    page.get_by_role("checkbox", name=re.compile(r"^Tuesday Evening")).check()
    page.get_by_role("checkbox", name=re.compile(r"^Thursday Evening")).check()


def _choose_city(page: Page, typed: str, label: str) -> None:
    """The city search: suggestions arrive as one types; choosing one fills the region."""
    page.get_by_role("combobox", name="Country").select_option("US")
    city = page.get_by_role("combobox", name="City")
    city.press_sequentially(typed, delay=60)
    expect(page.locator(f'#city-suggestions option[value="{label}"]')).to_have_count(1)
    city.fill(label)  # what choosing the suggestion puts in the field
    expect(city).to_have_value(label.split(",")[0])
    expect(page.get_by_role("textbox", name="State or region")).not_to_have_value("")


def _mentor(site: LiveSite, open_page: OpenPage, name: str, alias: str, pathway: str) -> Person:
    mentor = _sign_up(site, open_page, name)
    mentor.page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Be a mentor"
    ).click()
    assert_accessible(mentor.page)
    _fill_profile(mentor.page, alias=alias, pathway=pathway, mentor=True)
    _choose_city(mentor.page, "Portl", "Portland, Oregon, United States")
    mentor.page.get_by_role("button", name="Save my mentor profile").click()
    expect(
        mentor.page.get_by_role("status").filter(has_text="A coordinator will review")
    ).to_be_visible()
    return mentor


def _vet(coordinator: Page, site: LiveSite, mentor: Person) -> None:
    coordinator.goto(site.url + "/coordinator/mentors")
    assert_accessible(coordinator)
    card = coordinator.locator("li.card.mentor").filter(has_text=mentor.email)
    card.get_by_role("button", name="Approve mentor").click()
    expect(coordinator.get_by_role("heading", level=1)).to_be_visible()


def _mentee(site: LiveSite, open_page: OpenPage, name: str, alias: str, pathway: str) -> Person:
    mentee = _sign_up(site, open_page, name)
    mentee.page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Find a mentor"
    ).click()
    _fill_profile(mentee.page, alias=alias, pathway=pathway, mentor=False)
    _choose_city(mentee.page, "Portla", "Portland, Oregon, United States")
    mentee.page.get_by_role("button", name="Save my mentee profile").click()
    expect(mentee.page.get_by_role("status").filter(has_text="look for a match")).to_be_visible()
    return mentee


def _wait_for_proposal(person: Person, site: LiveSite, alias: str, timeout: float = 45) -> None:
    """The worker proposes within seconds: reload My introductions until it shows."""
    deadline = time.monotonic() + timeout
    while True:
        person.page.goto(site.url + "/introductions")
        if person.page.get_by_role("heading", name=re.compile(alias)).count():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"no proposal with {alias} after {timeout:.0f} s")
        time.sleep(0.5)


def _card(person: Person, alias: str):  # type: ignore[no-untyped-def]
    return person.page.locator("li.card").filter(
        has=person.page.get_by_role("heading", name=re.compile(alias))
    )


def test_the_whole_flow_from_sign_up_to_contact(live_site: LiveSite, open_page: OpenPage) -> None:
    coordinator_email = f"coordinator.{uuid.uuid4().hex[:8]}@example.org"
    live_site.coordinator(coordinator_email)
    coordinator = open_page(width=1280)
    _log_in(coordinator, live_site, coordinator_email)

    mentor = _mentor(live_site, open_page, "Juniper", "Oak", "AA")
    _vet(coordinator, live_site, mentor)
    mentee = _mentee(live_site, open_page, "River", "Willow", "AA")

    _wait_for_proposal(mentee, live_site, "Oak")
    assert_accessible(mentee.page)
    card = _card(mentee, "Oak")
    expect(card.get_by_role("button", name="Decline")).to_be_visible()
    expect(card.get_by_role("button", name="Block")).to_be_visible()
    expect(card.get_by_role("button", name="Report")).to_be_visible()
    expect(card).not_to_contain_text(mentor.email)
    card.get_by_role("button", name="Accept").click()
    expect(mentee.page.get_by_text("We will let you know")).to_be_visible()

    _wait_for_proposal(mentor, live_site, "Willow")
    _card(mentor, "Willow").get_by_role("button", name="Accept").click()

    coordinator.get_by_role("link", name="Approval queue").click()
    assert_accessible(coordinator)
    queued = coordinator.locator("li.card.introduction").filter(has_text="Willow and Oak")
    queued.get_by_role("button", name="Approve").click()
    expect(
        coordinator.locator("li.card.introduction").filter(has_text="Willow and Oak")
    ).to_have_count(0)

    for person, other in ((mentee, mentor), (mentor, mentee)):
        person.page.get_by_role("link", name="My introductions").click()
        expect(person.page.get_by_text(other.email)).to_be_visible()
        expect(person.page.get_by_text(other.name, exact=True)).to_be_visible()
        expect(person.page.get_by_role("button", name="End")).to_be_visible()
        assert_accessible(person.page)

    coordinator.get_by_role("link", name="Dashboard").click()
    assert_accessible(coordinator)


def test_a_decline_with_a_reason(live_site: LiveSite, open_page: OpenPage) -> None:
    coordinator_email = f"coordinator.{uuid.uuid4().hex[:8]}@example.org"
    live_site.coordinator(coordinator_email)
    coordinator = open_page()
    _log_in(coordinator, live_site, coordinator_email)
    mentor = _mentor(live_site, open_page, "Sage", "Cedar", "SMART Recovery")
    _vet(coordinator, live_site, mentor)
    mentee = _mentee(live_site, open_page, "Quinn", "Fern", "SMART Recovery")

    _wait_for_proposal(mentee, live_site, "Cedar")
    card = _card(mentee, "Cedar")
    card.get_by_role("combobox", name=re.compile("If you decline, why")).select_option(
        label="Our times don't fit"
    )
    card.get_by_role("button", name="Decline").click()
    expect(mentee.page.get_by_text("We won't suggest the two of you")).to_be_visible()
    expect(mentee.page.get_by_text("988", exact=False).first).to_be_visible()
    expect(_card(mentee, "Cedar")).to_contain_text("Declined")


def test_a_block(live_site: LiveSite, open_page: OpenPage) -> None:
    coordinator_email = f"coordinator.{uuid.uuid4().hex[:8]}@example.org"
    live_site.coordinator(coordinator_email)
    coordinator = open_page()
    _log_in(coordinator, live_site, coordinator_email)
    mentor = _mentor(live_site, open_page, "Rowan", "Birch", "Refuge Recovery")
    _vet(coordinator, live_site, mentor)
    mentee = _mentee(live_site, open_page, "Ash", "Hazel", "Refuge Recovery")

    _wait_for_proposal(mentor, live_site, "Hazel")
    mentor.page.once("dialog", lambda dialog: dialog.accept())
    _card(mentor, "Hazel").get_by_role("button", name="Block").click()
    expect(mentor.page.get_by_text("The two of you will not be introduced again")).to_be_visible()
    mentor.page.get_by_role("link", name="My data").click()
    expect(mentor.page.get_by_role("heading", name="People you blocked")).to_be_visible()
    _wait_for_proposal(mentee, live_site, "Birch")
    expect(_card(mentee, "Birch")).to_contain_text("Ended")
    expect(_card(mentee, "Birch")).not_to_contain_text("block")


def test_bad_input_in_the_profile_form_shows_by_the_field(
    live_site: LiveSite, open_page: OpenPage
) -> None:
    person = _sign_up(live_site, open_page, "Morgan")
    page = person.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find a mentor").click()
    page.get_by_role("textbox", name="Alias").fill("\u200b\u200b")
    page.get_by_role("checkbox", name=re.compile(r"^Monday Morning")).check()
    page.get_by_role("button", name="Save my mentee profile").click()
    alias = page.get_by_role("textbox", name="Alias")
    expect(alias).to_have_attribute("aria-invalid", "true")
    expect(alias).to_have_accessible_description(re.compile(r"\w"))
    expect(page.get_by_role("checkbox", name=re.compile(r"^Monday Morning"))).to_be_checked()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
