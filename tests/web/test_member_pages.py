"""My introductions and My data, through the pages as a browser uses them."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from services.core.models import User
from services.core.models.safety import Block, Report
from tests.conftest import PASSWORD
from tests.web.conftest import WebUser, words
from tests.workflow.conftest import Cast

Browser = Callable[[], WebUser]


def _proposed(cast: Cast) -> tuple[object, object, str]:
    mentor = cast.mentor()
    mentee = cast.mentee()
    [introduction_id] = cast.match(mentee)
    return mentee, mentor, introduction_id


def test_a_visitor_is_sent_to_log_in_and_comes_back(browser: Browser, cast: Cast) -> None:
    mentee, _mentor, _ = _proposed(cast)
    visitor = browser()
    answer = visitor.get("/introductions")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/introductions"
    form = visitor.submit(
        "/login?next=/introductions",
        "/login",
        {"email": mentee.email, "password": PASSWORD, "next": "/introductions"},
    )
    assert form.headers["location"] == "/introductions"
    assert visitor.get("/introductions").status_code == 200


def test_login_never_goes_to_another_site(browser: Browser, cast: Cast) -> None:
    mentee = cast.mentee()
    visitor = browser()
    for elsewhere in ("//evil.example", "https://evil.example", "/\\evil.example"):
        answer = visitor.submit(
            "/login", "/login", {"email": mentee.email, "password": PASSWORD, "next": elsewhere}
        )
        assert answer.headers["location"] == "/introductions"


def test_wrong_password_says_so_without_naming_the_email(browser: Browser, cast: Cast) -> None:
    mentee = cast.mentee()
    visitor = browser()
    answer = visitor.submit("/login", "/login", {"email": mentee.email, "password": "wrong one"})
    assert answer.status_code == 401
    assert "did not match" in answer.text
    assert visitor.get("/introductions").status_code == 303


def test_both_accept_and_then_see_each_others_contact(browser: Browser, cast: Cast) -> None:
    mentee, mentor, introduction_id = _proposed(cast)
    mentee_web, mentor_web = browser(), browser()
    mentee_web.log_in(mentee.email)
    mentor_web.log_in(mentor.email)

    page = mentee_web.get("/introductions").text
    assert "Oak" in page and "Accept" in page and "Decline" in page
    assert mentor.email not in page  # no contact before approval
    path = f"/introductions/{introduction_id}/accept"
    assert mentee_web.submit("/introductions", path).status_code == 303
    assert "Waiting for their answer" in words(mentee_web.get("/introductions"))
    assert "Waiting for your answer" in words(mentor_web.get("/introductions"))
    assert mentor_web.submit("/introductions", path).status_code == 303
    assert "a coordinator is looking at it" in words(mentee_web.get("/introductions"))
    approved = cast.act(cast.coordinator, introduction_id, "approve")
    assert approved.status_code == 200

    mentee_page = mentee_web.get("/introductions").text
    mentor_page = mentor_web.get("/introductions").text
    assert mentor.email in mentee_page and mentee.email in mentor_page
    assert ">End</button>" in mentee_page


def test_decline_with_a_reason_reaches_the_coordinator_and_shows_support(
    browser: Browser, cast: Cast
) -> None:
    mentee, _mentor, introduction_id = _proposed(cast)
    web = browser()
    web.log_in(mentee.email)
    answer = web.submit(
        "/introductions",
        f"/introductions/{introduction_id}/decline",
        {"reason_code": "schedule", "reason": "Evenings only"},
    )
    assert answer.status_code == 303
    after = words(web.get(answer.headers["location"]))
    assert "won't suggest the two of you" in after
    assert "988" in after  # where to turn, after a decline
    seen = cast.client.get(
        f"/api/v1/introductions/{introduction_id}", headers=cast.coordinator
    ).json()
    assert seen["status"] == "declined" and seen["decline_reason"] == "schedule"


def test_a_bad_reason_code_changes_nothing(browser: Browser, cast: Cast) -> None:
    mentee, _mentor, introduction_id = _proposed(cast)
    web = browser()
    web.log_in(mentee.email)
    answer = web.submit(
        "/introductions", f"/introductions/{introduction_id}/decline", {"reason_code": "nope"}
    )
    assert answer.status_code == 422
    assert "choose one of the options" in answer.text
    assert cast.introductions(mentee)[0]["status"] == "proposed"


def test_block_ends_it_and_report_reaches_the_queue(
    browser: Browser, cast: Cast, db: Callable[[], object]
) -> None:
    mentee, mentor, introduction_id = _proposed(cast)
    web = browser()
    web.log_in(mentor.email)
    unchosen = web.submit(
        f"/introductions/{introduction_id}/report",
        f"/introductions/{introduction_id}/report",
        {"details": "Messages at night"},
    )
    assert unchosen.status_code == 422 and "Please choose what it is about" in unchosen.text
    assert "Messages at night" in unchosen.text  # nothing typed is lost
    reported = web.submit(
        f"/introductions/{introduction_id}/report",
        f"/introductions/{introduction_id}/report",
        {"category": "harassment", "details": "Messages at night"},
    )
    assert reported.status_code == 303
    blocked = web.submit("/introductions", f"/introductions/{introduction_id}/block")
    assert blocked.status_code == 303
    with db() as session:  # type: ignore[attr-defined]
        assert session.scalar(select(Block)) is not None
        assert session.scalar(select(Report)).category.value == "harassment"
    assert cast.introductions(mentee)[0]["status"] == "ended"


def test_someone_elses_introduction_is_not_found(browser: Browser, cast: Cast) -> None:
    _mentee, _mentor, introduction_id = _proposed(cast)
    stranger = cast.mentee()
    web = browser()
    web.log_in(stranger.email)
    answer = web.submit("/introductions", f"/introductions/{introduction_id}/accept")
    assert answer.status_code in {403, 404}
    assert web.get(f"/introductions/{introduction_id}/report").status_code == 404
    assert "<h1>" in answer.text and "detail" not in answer.text


def test_a_form_without_its_token_is_refused_and_changes_nothing(
    browser: Browser, cast: Cast
) -> None:
    mentee, _mentor, introduction_id = _proposed(cast)
    web = browser()
    web.log_in(mentee.email)
    for token in ("", "0" * 64):
        answer = web.client.post(
            f"/introductions/{introduction_id}/accept", data={"csrf_token": token}
        )
        assert answer.status_code == 403
    from_elsewhere = web.client.post(
        f"/introductions/{introduction_id}/accept",
        data={"csrf_token": web.csrf("/introductions")},
        headers={"origin": "https://evil.example"},
    )
    assert from_elsewhere.status_code == 403
    assert cast.introductions(mentee)[0]["mentee_response"] == "pending"


def test_logout_revokes_the_session(browser: Browser, cast: Cast) -> None:
    mentee = cast.mentee()
    web = browser()
    web.log_in(mentee.email)
    cookie = dict(web.client.cookies)
    answer = web.submit("/introductions", "/logout")
    assert answer.status_code == 303
    assert web.get("/introductions").status_code == 303
    replay = WebUser(web.client.app)  # type: ignore[arg-type]
    for name, value in cookie.items():
        replay.client.cookies.set(name, value)
    assert replay.get("/introductions").status_code == 303  # the old cookie is revoked too


def test_my_data_exports_and_erases(browser: Browser, cast: Cast, db: Callable[[], object]) -> None:
    mentee = cast.mentee()
    web = browser()
    web.log_in(mentee.email)
    page = web.get("/me/data")
    assert page.status_code == 200 and "Download my data" in page.text
    exported = web.get("/me/data/export")
    assert exported.status_code == 200
    assert exported.json()["account"]["email"] == mentee.email
    wrong = web.submit("/me/data", "/me/data/erase", {"password": "not my password"})
    assert wrong.status_code == 403 and "nothing was deleted" in wrong.text
    erased = web.submit("/me/data", "/me/data/erase", {"password": PASSWORD})
    assert erased.status_code == 200 and "Your account is deleted" in erased.text
    with db() as session:  # type: ignore[attr-defined]
        assert session.scalar(select(User).where(User.email == mentee.email)) is None


def test_signup_keeps_what_was_typed_and_names_each_problem(browser: Browser) -> None:
    web = browser()
    answer = web.submit(
        "/signup",
        "/signup",
        {"email": "someone@example.org", "password": "tiny-secret", "display_name": "Robin"},
    )
    assert answer.status_code == 422
    assert 'value="someone@example.org"' in answer.text and 'value="Robin"' in answer.text
    assert "at least 12 characters" in answer.text
    assert "tick the box" in answer.text
    assert "tiny-secret" not in answer.text  # a password is never sent back


def test_signup_then_login_works_and_the_answer_is_the_same_for_a_taken_email(
    browser: Browser,
) -> None:
    web = browser()
    form = {
        "email": "new@example.org",
        "password": PASSWORD,
        "display_name": "Robin",
        "consent": "yes",
    }
    first = web.submit("/signup", "/signup", form)
    again = web.submit("/signup", "/signup", {**form, "password": "another long password"})
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    web.log_in("new@example.org")
    assert web.get("/introductions").status_code == 200


def test_an_organizations_link_signs_people_up_there(
    browser: Browser, coordinator: Callable[..., object], db: Callable[[], object]
) -> None:
    coordinator("riverside")
    web = browser()
    page = web.get("/signup?organization=riverside")
    assert "You are joining" in page.text
    answer = web.submit(
        "/signup?organization=riverside",
        "/signup",
        {
            "email": "joiner@example.org",
            "password": PASSWORD,
            "display_name": "Lee",
            "consent": "yes",
            "organization": "riverside",
        },
    )
    assert answer.status_code == 303
    with db() as session:  # type: ignore[attr-defined]
        joined = session.scalar(select(User).where(User.email == "joiner@example.org"))
        assert joined.organization.slug == "riverside"
    assert "don't recognise" in words(web.get("/signup?organization=nowhere"))
