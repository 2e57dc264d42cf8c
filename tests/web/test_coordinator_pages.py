"""The coordinators' pages, driven as a browser would: log in through the form, read the
page, post its forms with their CSRF token; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from html import unescape

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from services.core.db import transaction
from services.core.matching import runs
from services.core.models import Introduction, IntroductionEvent, MatchingRun, Profile
from tests.conftest import PASSWORD
from tests.workflow.conftest import Cast, Person

Headers = dict[str, str]
COORDINATOR_EMAIL = "coordinator.web@example.org"


def csrf_of(html: str) -> str:
    """The CSRF token of the page's forms, as a browser would send it back."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def web_login(client: TestClient, email: str, password: str = PASSWORD) -> None:
    """Log in through the login form."""
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def submit(client: TestClient, page: str, action: str, **fields: str) -> object:
    """Open `page` and post one of its forms to `action` with the page's token."""
    opened = client.get(page)
    assert opened.status_code == 200, opened.text
    assert f'"{action}"' in opened.text, f"no form for {action} on {page}"
    return client.post(
        action, data={"csrf_token": csrf_of(opened.text), **fields}, follow_redirects=False
    )


def text_of(html: str) -> str:
    """The page's text without tags, spaces collapsed, as a reader hears it."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def cast(
    client: TestClient,
    app: FastAPI,
    member: Callable[..., Headers],
    coordinator: Callable[..., Headers],
) -> Cast:
    """A coordinator of `demo` (logged in on the client's browser session) and helpers."""
    headers = coordinator("demo", email=COORDINATOR_EMAIL)
    web_login(client, COORDINATOR_EMAIL)
    return Cast(client=client, app=app, coordinator=headers, member=member)


def awaiting(cast: Cast, **mentor: object) -> tuple[Person, Person, str]:
    """A mentee and a mentor who both accepted their introduction."""
    mentee, mentor_person = cast.mentee(), cast.mentor(**mentor)
    [introduction_id] = cast.match(mentee)
    assert cast.act(mentee.headers, introduction_id, "accept").status_code == 200
    assert cast.act(mentor_person.headers, introduction_id, "accept").status_code == 200
    return mentee, mentor_person, introduction_id


def status_of(cast: Cast, introduction_id: str) -> str:
    with transaction(cast.app.state.session_factory) as session:
        row = session.get(Introduction, uuid.UUID(introduction_id))
        assert row is not None
        return str(row.status)


# The approval queue


def test_the_queue_shows_both_cards_the_fit_and_the_buttons(cast: Cast) -> None:
    mentee, mentor, introduction_id = awaiting(cast)
    page = cast.client.get("/coordinator")
    assert page.status_code == 200
    html, words = page.text, text_of(page.text)
    assert html.count("<h1") == 1
    assert 'class="pair"' in html
    assert "Mentee River" in words and "Mentor Oak" in words
    assert "5-10 years" in words  # the mentor's card
    assert "out of 1)" in words  # the score's number, for coordinators
    assert "Recovery pathway" in words  # the explanation in words
    assert f'/coordinator/introductions/{introduction_id}/approve"' in html
    assert ">Approve</button>" in html and ">Reject</button>" in html
    assert "Waiting for approval: since today" in words
    # The cards never carry contact details, and the read is in both access logs.
    assert "@example.org" not in html.replace(COORDINATOR_EMAIL, "")
    for person in (mentee, mentor):
        log = cast.client.get("/api/v1/me/access-log", headers=person.headers).json()
        assert log[0]["what"] == "introduction"  # newest first (the mentor's vetting after)
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_approving_through_the_form_makes_it_active(cast: Cast) -> None:
    mentee, mentor, introduction_id = awaiting(cast)
    response = submit(
        cast.client,
        "/coordinator",
        f"/coordinator/introductions/{introduction_id}/approve",
        note="Good fit, both keen",
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == "/coordinator?done=approved"  # type: ignore[attr-defined]
    assert status_of(cast, introduction_id) == "active"
    seen = cast.client.get(f"/api/v1/introductions/{introduction_id}", headers=mentee.headers)
    assert seen.json()["contact"]["mentor"]["email"] == mentor.email
    after = cast.client.get("/coordinator?done=approved")
    assert "can now see each other" in after.text
    assert "Nothing is waiting for your approval" in after.text
    with transaction(cast.app.state.session_factory) as session:
        notes = session.scalars(
            select(IntroductionEvent.note).where(
                IntroductionEvent.introduction_id == uuid.UUID(introduction_id),
                IntroductionEvent.action == "approve",
            )
        ).all()
    assert notes == ["Good fit, both keen"]


def test_rejecting_through_the_form(cast: Cast) -> None:
    _mentee, _mentor, introduction_id = awaiting(cast)
    response = submit(
        cast.client, "/coordinator", f"/coordinator/introductions/{introduction_id}/reject"
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert status_of(cast, introduction_id) == "rejected"


def test_a_full_mentor_is_told_kindly_and_nothing_changes(cast: Cast) -> None:
    first_mentee, mentor = cast.mentee(), cast.mentor(capacity=2)
    second_mentee = cast.mentee(alias="Brook")
    ids = cast.match(first_mentee) + cast.match(second_mentee)
    assert len(ids) == 2
    for introduction_id in ids:
        for person in (first_mentee, second_mentee, mentor):
            cast.act(person.headers, introduction_id, "accept")
    with transaction(cast.app.state.session_factory) as session:
        session.execute(
            update(Profile).where(Profile.id == uuid.UUID(mentor.profile_id)).values(capacity=1)
        )
    first = submit(cast.client, "/coordinator", f"/coordinator/introductions/{ids[0]}/approve")
    assert first.status_code == 303  # type: ignore[attr-defined]
    second = submit(cast.client, "/coordinator", f"/coordinator/introductions/{ids[1]}/approve")
    assert second.status_code == 409  # type: ignore[attr-defined]
    assert "no free place" in second.text  # type: ignore[attr-defined]
    assert 'role="alert"' in second.text  # type: ignore[attr-defined]
    assert status_of(cast, ids[1]) == "awaiting_approval"


def test_a_long_queue_is_paged(cast: Cast) -> None:
    mentor = cast.mentor(capacity=3)
    ids = []
    for alias in ("Ash", "Birch", "Cedar"):
        mentee = cast.mentee(alias=alias)
        [introduction_id] = cast.match(mentee)
        cast.act(mentee.headers, introduction_id, "accept")
        cast.act(mentor.headers, introduction_id, "accept")
        ids.append(introduction_id)
    first = cast.client.get("/coordinator?limit=2")
    assert first.text.count(">Approve</button>") == 2
    assert "Showing 1 to 2 of 3" in text_of(first.text)
    next_link = re.search(r'<a href="([^"]+)">Next</a>', first.text)
    assert next_link
    second = cast.client.get(unescape(next_link.group(1)))
    assert second.text.count(">Approve</button>") == 1
    assert ">Previous</a>" in second.text


def test_an_empty_queue_is_a_calm_sentence(cast: Cast) -> None:
    page = cast.client.get("/coordinator")
    assert page.status_code == 200
    assert "Nothing is waiting for your approval right now" in page.text


# Who may see the pages

PAGES = [
    "/coordinator",
    "/coordinator/mentors",
    "/coordinator/waiting",
    "/coordinator/reports",
    "/coordinator/dashboard",
]


@pytest.mark.parametrize("path", PAGES)
def test_a_member_gets_403_and_a_visitor_is_sent_to_log_in(
    client: TestClient, member: Callable[..., Headers], path: str
) -> None:
    visitor = client.get(path, follow_redirects=False)
    assert visitor.status_code == 303
    assert visitor.headers["location"].startswith("/login?next=")
    member(email="someone@example.org")
    web_login(client, "someone@example.org")
    refused = client.get(path)
    assert refused.status_code == 403
    assert "This page is for coordinators." in refused.text


def test_a_post_without_its_token_is_refused_and_changes_nothing(cast: Cast) -> None:
    _mentee, _mentor, introduction_id = awaiting(cast)
    refused = cast.client.post(
        f"/coordinator/introductions/{introduction_id}/approve",
        data={"note": "sneaky"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert status_of(cast, introduction_id) == "awaiting_approval"
    forged = cast.client.post(
        f"/coordinator/introductions/{introduction_id}/approve",
        data={"csrf_token": "0" * 64},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert status_of(cast, introduction_id) == "awaiting_approval"


# Vetting


def test_vetting_shows_the_applicant_and_approves_or_rejects(cast: Cast) -> None:
    first = cast.mentor(approve=False, alias="Willow")
    second = cast.mentor(approve=False, alias="Hazel")
    page = cast.client.get("/coordinator/mentors")
    assert page.status_code == 200
    words = text_of(page.text)
    assert "Waiting for vetting (2)" in words
    assert first.email in words and second.email in words
    assert page.text.count(">Approve mentor</button>") == 2
    assert page.text.count(">Reject mentor</button>") == 2
    log = cast.client.get("/api/v1/me/access-log", headers=first.headers).json()
    assert [entry["what"] for entry in log] == ["contact"]

    approved = submit(
        cast.client,
        "/coordinator/mentors",
        f"/coordinator/mentors/{first.profile_id}/vetting",
        decision="approved",
        note="Met in person",
    )
    assert approved.status_code == 303  # type: ignore[attr-defined]
    assert approved.headers["location"] == "/coordinator/mentors?done=mentor-approved"  # type: ignore[attr-defined]
    rejected = submit(
        cast.client,
        "/coordinator/mentors",
        f"/coordinator/mentors/{second.profile_id}/vetting",
        decision="rejected",
    )
    assert rejected.status_code == 303  # type: ignore[attr-defined]
    mine = cast.client.get("/api/v1/me/mentor-profile", headers=first.headers).json()
    theirs = cast.client.get("/api/v1/me/mentor-profile", headers=second.headers).json()
    assert (mine["vetting_status"], theirs["vetting_status"]) == ("approved", "rejected")
    after = text_of(cast.client.get("/coordinator/mentors").text)
    assert "Waiting for vetting (0)" in after
    assert "Approved mentors (1)" in after and "Not approved (1)" in after


def test_a_mentor_too_new_in_recovery_carries_the_warning(cast: Cast) -> None:
    recent = (date.today() - timedelta(days=200)).isoformat()
    mentor = cast.mentor(approve=False, recovery_date=recent)
    page = text_of(cast.client.get("/coordinator/mentors").text)
    assert "Can't be matched yet" in page
    assert "less time in recovery than mentors need" in page
    approved = submit(
        cast.client,
        "/coordinator/mentors",
        f"/coordinator/mentors/{mentor.profile_id}/vetting",
        decision="approved",
    )
    assert approved.headers["location"].endswith("done=mentor-approved-waits")  # type: ignore[attr-defined]


def test_a_bad_vetting_decision_changes_nothing(cast: Cast) -> None:
    mentor = cast.mentor(approve=False)
    response = submit(
        cast.client,
        "/coordinator/mentors",
        f"/coordinator/mentors/{mentor.profile_id}/vetting",
        decision="pending",
    )
    assert response.status_code == 422  # type: ignore[attr-defined]
    profile = cast.client.get("/api/v1/me/mentor-profile", headers=mentor.headers).json()
    assert profile["vetting_status"] == "pending"


def test_a_held_mentor_can_be_resumed(cast: Cast) -> None:
    mentor = cast.mentor()
    with transaction(cast.app.state.session_factory) as session:
        session.execute(
            update(Profile)
            .where(Profile.id == uuid.UUID(mentor.profile_id))
            .values(held_since=Profile.created_at)
        )
    page = cast.client.get("/coordinator/mentors")
    assert ">Resume</button>" in page.text
    resumed = submit(
        cast.client,
        "/coordinator/mentors",
        f"/coordinator/mentors/{mentor.profile_id}/resume",
    )
    assert resumed.status_code == 303  # type: ignore[attr-defined]
    profile = cast.client.get("/api/v1/me/mentor-profile", headers=mentor.headers).json()
    assert profile["on_hold"] is False


# The waiting list


def test_the_waiting_list_and_a_matching_run(cast: Cast) -> None:
    cast.mentee(alias="Fern")
    page = cast.client.get("/coordinator/waiting")
    assert page.status_code == 200
    words = text_of(page.text)
    assert "Fern" in words and "Waiting less than a day" in words
    assert "Why they still wait (as PeerMatch explains it to them):" in words
    started = submit(cast.client, "/coordinator/waiting", "/coordinator/matching-runs")
    assert started.status_code == 303  # type: ignore[attr-defined]
    again = submit(cast.client, "/coordinator/waiting", "/coordinator/matching-runs")
    assert again.status_code == 409  # type: ignore[attr-defined]
    assert "already under way" in again.text  # type: ignore[attr-defined]
    with transaction(cast.app.state.session_factory) as session:
        assert len(session.scalars(select(MatchingRun)).all()) == 1
    followed = cast.client.get(started.headers["location"])  # type: ignore[attr-defined]
    assert "Matching is under way" in followed.text
    assert "waiting to start" in text_of(followed.text)
    assert cast.client.get(f"/coordinator/waiting?run={uuid.uuid4()}").status_code == 404
    run_id = started.headers["location"].split("run=")[1].split("&")[0]  # type: ignore[attr-defined]
    cast.mentor(alias="Late")  # someone for the run to find
    with transaction(cast.app.state.session_factory) as session:
        runs.run_batch(session=session, run_id=uuid.UUID(run_id), expiry_days=7)
    finished = text_of(cast.client.get(f"/coordinator/waiting?run={run_id}").text)
    assert "finished. It looked at 1 waiting mentee and made 1 proposal." in finished


def test_a_manual_proposal_names_the_rules_a_pair_breaks(cast: Cast) -> None:
    mentee = cast.mentee(alias="Fern")
    stranger = cast.mentor(alias="Stranger", languages=["de"])
    with transaction(cast.app.state.session_factory) as session:
        # Matching ran for neither; keep the mentee waiting for the manual pair.
        assert session.scalars(select(Introduction)).all() == []
    refused = submit(
        cast.client,
        "/coordinator/waiting",
        "/coordinator/proposals",
        mentee_profile_id=mentee.profile_id,
        mentor_profile_id=stranger.profile_id,
    )
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "They have no language in common." in refused.text  # type: ignore[attr-defined]
    nothing_chosen = submit(cast.client, "/coordinator/waiting", "/coordinator/proposals")
    assert nothing_chosen.status_code == 422  # type: ignore[attr-defined]
    assert "Please choose someone from the list." in nothing_chosen.text  # type: ignore[attr-defined]
    friend = cast.mentor(alias="Friend")
    made = submit(
        cast.client,
        "/coordinator/waiting",
        "/coordinator/proposals",
        mentee_profile_id=mentee.profile_id,
        mentor_profile_id=friend.profile_id,
    )
    assert made.status_code == 303  # type: ignore[attr-defined]
    [introduction] = cast.introductions(mentee)
    assert introduction["mentor"]["alias"] == "Friend"


# Reports


def test_reports_show_open_first_and_resolve_with_a_note(cast: Cast) -> None:
    mentee, _mentor, introduction_id = awaiting(cast)
    filed = cast.act(
        mentee.headers,
        introduction_id,
        "report",
        {"category": "harassment", "details": "Sent <b>many</b> messages at night"},
    )
    assert filed.status_code == 201, filed.text
    report_id = filed.json()["id"]
    page = cast.client.get("/coordinator/reports")
    assert page.status_code == 200
    words = text_of(page.text)
    assert "Open (1)" in words and "Harassment" in words
    assert "Sent <b>many</b> messages at night" in words  # shown as text, not markup
    assert "<b>many</b>" not in page.text

    empty = submit(
        cast.client, "/coordinator/reports", f"/coordinator/reports/{report_id}/resolve", note=""
    )
    assert empty.status_code == 422  # type: ignore[attr-defined]
    assert "Please say in a few words what was done." in empty.text  # type: ignore[attr-defined]
    resolved = submit(
        cast.client,
        "/coordinator/reports",
        f"/coordinator/reports/{report_id}/resolve",
        note="Talked with both",
    )
    assert resolved.status_code == 303  # type: ignore[attr-defined]
    [row] = cast.client.get(
        "/api/v1/coordinator/reports?status=resolved", headers=cast.coordinator
    ).json()
    assert row["resolution_note"] == "Talked with both"
    after = text_of(cast.client.get("/coordinator/reports").text)
    assert "Open (0)" in after and "Resolved (1)" in after and "Talked with both" in after


# The dashboard


def _table_row(html: str, caption: str, header: str) -> list[str]:
    table = html.split(f"<caption>{caption}", 1)[1].split("</table>", 1)[0]
    row = re.search(rf'<th scope="row">{re.escape(header)}</th>(.*?)</tr>', table)
    assert row, f"no row {header} in {caption}"
    return re.findall(r"<td>(.*?)</td>", row.group(1))


def test_the_dashboard_numbers_match_the_data(cast: Cast) -> None:
    mentee, mentor, introduction_id = awaiting(cast, capacity=3)
    cast.act(cast.coordinator, introduction_id, "approve")
    declining = cast.mentee(alias="Brook")
    [declined_id] = cast.match(declining)
    cast.act(declining.headers, declined_id, "decline", {"reason_code": "schedule"})
    third = cast.mentee(alias="Clay")
    [open_id] = cast.match(third)

    page = cast.client.get("/coordinator/dashboard")
    assert page.status_code == 200
    html = page.text
    assert html.count("<h1") == 1
    assert html.count("<figure") == html.count("<figcaption>") == 6
    assert html.count('role="img"') == 6
    header = re.search(r"<thead><tr><th scope=\"col\">Month</th>(.*?)</tr>", html)
    assert header
    columns = re.findall(r'<th scope="col">(.*?)</th>', header.group(1))
    assert columns == ["Active", "Declined", "Waiting for answers", "All"]
    this_month = date.today().strftime("%b %Y")
    assert _table_row(html, "Introductions made each month", this_month) == ["1", "1", "1", "3"]
    assert _table_row(html, "Declines by reason", "Schedule") == ["1"]
    assert _table_row(html, "Declines by reason", "Distance") == ["0"]
    assert _table_row(html, "Acceptance rate", "Both said yes") == ["50%"]
    assert _table_row(html, "Mentor utilization", "Places taken") == ["33%"]
    median = _table_row(html, "Median days from profile to an active introduction", this_month)
    assert median == ["0.0", "1"]
    assert open_id and mentee and mentor

    weekly = cast.client.get("/coordinator/dashboard?period=week").text
    this_week = date.today() - timedelta(days=date.today().weekday())
    label = f"{this_week.day} {this_week:%b}"
    assert _table_row(weekly, "Introductions made each week", label) == ["1", "1", "1", "3"]


# Support resources


def test_support_resources_are_replaced_through_the_form(cast: Cast) -> None:
    page = cast.client.get("/coordinator/support")
    assert page.status_code == 200
    assert "988 Suicide" in page.text  # the defaults, to edit
    token = csrf_of(page.text)
    fields = {
        "csrf_token": token,
        "resources.0.name": "Our warmline",
        "resources.0.contact": "Call 555-0100",
        "resources.0.url": "https://warmline.example.org",
        "resources.0.hours": "Evenings, 6 to 11",
        "resources.2.name": "Second line",
        "resources.2.contact": "Text HOME",
        "resources.2.url": "http://not-secure.example.org",
        "resources.2.hours": "24/7",
    }
    refused = cast.client.post("/coordinator/support", data=fields, follow_redirects=False)
    assert refused.status_code == 422
    assert 'id="resources-2-url"' in refused.text
    assert "Use a full https:// address." in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert 'value="Our warmline"' in refused.text  # nothing typed is lost
    fields["resources.2.url"] = "https://second.example.org"
    saved = cast.client.post("/coordinator/support", data=fields, follow_redirects=False)
    assert saved.status_code == 303
    public = cast.client.get("/api/v1/support-resources?organization=demo").json()
    assert [r["name"] for r in public["resources"]] == ["Our warmline", "Second line"]
    emptied = cast.client.post(
        "/coordinator/support", data={"csrf_token": token}, follow_redirects=False
    )
    assert emptied.status_code == 422
    assert "at least one place people can turn to" in emptied.text
