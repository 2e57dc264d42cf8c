"""The profile forms: saving every field through the API's service, nothing lost on a refused
form, the availability picker's conversion, the city's candidates, pause and resume, and who
may post."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from services.core.errors import InvalidInput
from services.core.profiles import service as profile_service
from services.core.vocabulary import DAYS
from services.web import availability as picker
from services.web.pages import profiles as profile_pages
from tests.conftest import CONSENT, PASSWORD, login
from tests.factories import mentee_body

MENTEE_API = "/api/v1/me/mentee-profile"
MENTOR_API = "/api/v1/me/mentor-profile"
Fields = dict[str, list[str]]

# A location given as a point has no place name.
POINT_ONLY = {"city": None, "region": None, "country": None, "label": None}


class FormReader(HTMLParser):
    """What a browser would send for each form on a page, and the text of each field's
    error."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, Fields] = {}
        self.errors: dict[str, str] = {}
        self.h1 = 0
        self._form: Fields | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "h1":
            self.h1 += 1
        if tag == "form":
            self._form = self.forms.setdefault(found.get("action", ""), {})
        elif tag == "p" and "field-error" in found.get("class", "") and "id" in found:
            self._error = found["id"].removesuffix("-error")
            self.errors[self._error] = ""
        if self._form is None:
            return
        name = found.get("name")
        if tag == "input" and name:
            kind = found.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in found:
                return
            self._form.setdefault(name, []).append(found.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._form.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in found:
            self._form[self._select].append(found.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._form[name] = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._form is not None and self._select:
            if not self._form[self._select]:
                self._form[self._select] = [""]  # the first option, as a browser sends
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "p":
            self._error = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None:
            self._form[self._textarea][0] += data
        if self._error:
            self.errors[self._error] += data.strip()


def read(html: str) -> FormReader:
    """The page's forms and errors."""
    reader = FormReader()
    reader.feed(html)
    return reader


def csrf(html: str) -> str:
    """The page's CSRF token."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


WebMember = Callable[..., dict[str, str]]


@pytest.fixture
def web_member(client: TestClient) -> WebMember:
    """Sign up a member, log the browser in through the login form; their bearer header."""
    counter = iter(range(1_000_000))

    def make() -> dict[str, str]:
        email = f"web{next(counter)}@example.org"
        body = {"email": email, "password": PASSWORD, "display_name": "Sam", **CONSENT}
        assert client.post("/api/v1/auth/register", json=body).status_code == 201
        client.cookies.clear()
        form = client.get("/login")
        answer = client.post(
            "/login",
            data={"email": email, "password": PASSWORD, "csrf_token": csrf(form.text)},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        return login(client, email)

    return make


def mentee_form(**overrides: Any) -> dict[str, Any]:
    """A filled mentee form, as a browser posts it."""
    form: dict[str, Any] = {
        "alias": "River",
        "gender": "woman",
        "gender_preference": ["woman", "nonbinary"],
        "pathways": ["aa", "smart"],
        "recovery_date": "2026-09-01",
        "languages": ["en", "es"],
        "languages_other": "Polish",
        "meeting_format": "either",
        "country": "US",
        "city": "Seattle",
        "region": "",
        "max_distance_km": "30",
        "timezone": "America/Los_Angeles",
        "availability": ["mon-evening", "mon-night", "wed-morning", "sat-early"],
        "interests": "hiking, parenting",
        "about": "Early days, looking for someone who has been there.",
    }
    form.update(overrides)
    return form


def mentor_form(**overrides: Any) -> dict[str, Any]:
    """A filled mentor form."""
    form = mentee_form(alias="Oak", recovery_date="2018-03-15", gender_preference=[], capacity="3")
    form.update(overrides)
    return form


def post_form(client: TestClient, path: str, form: dict[str, Any], *, token: bool = True) -> Any:
    """Post a form the way the page's browser would, CSRF token included."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    data = {**form, "csrf_token": csrf(page.text)} if token else dict(form)
    return client.post(path, data=data, follow_redirects=False)


# ---- the picker's conversion ------------------------------------------------------------

block_keys = st.sets(
    st.tuples(st.sampled_from(DAYS), st.sampled_from([b.code for b in picker.BLOCKS]))
)


@given(block_keys)
def test_blocks_survive_the_round_trip_through_windows(blocks: set[tuple[str, str]]) -> None:
    windows = picker.blocks_to_windows(blocks)
    assert picker.windows_to_blocks(windows) == blocks
    assert picker.exact(windows)
    # What the schema accepts: start before end, no overlaps.
    profile_pages.MenteeProfileIn.model_validate({**mentee_body(), "availability": windows})


@st.composite
def window_lists(draw: st.DrawFn) -> list[dict[str, str]]:
    """Non-overlapping windows at any minute, as the API may have saved them."""
    windows = []
    for day in draw(st.sets(st.sampled_from(DAYS))):
        edges = sorted(draw(st.sets(st.integers(0, 1440), min_size=2, max_size=6)))
        for start, end in zip(edges[::2], edges[1::2], strict=False):
            windows.append({"day": day, "start": picker.clock(start), "end": picker.clock(end)})
    return windows


@given(window_lists())
def test_saved_windows_tick_every_block_they_touch(windows: list[dict[str, str]]) -> None:
    blocks = picker.windows_to_blocks(windows)
    covered = picker.blocks_to_windows(blocks)
    for window in windows:
        start, end = (picker.minutes(window[edge]) for edge in ("start", "end"))
        assert any(
            c["day"] == window["day"]
            and picker.minutes(c["start"]) <= start
            and end <= picker.minutes(c["end"])
            for c in covered
        ), "every saved minute lies inside a ticked block"
    # Left as shown, the saved windows are kept exactly; changed, the ticks win.
    assert picker.keep_or_replace(blocks, windows, blocks) == (windows or covered)
    kept = picker.decode_windows(picker.encode_windows(windows))
    assert kept == windows
    assert picker.decode_blocks(picker.encode_blocks(blocks)) == blocks


def test_adjacent_blocks_join_into_one_window() -> None:
    windows = picker.blocks_to_windows({("mon", "evening"), ("mon", "night"), ("tue", "early")})
    assert windows == [
        {"day": "mon", "start": "17:00", "end": "24:00"},
        {"day": "tue", "start": "00:00", "end": "06:00"},
    ]
    assert picker.block_label("mon", picker.BLOCK_BY_CODE["evening"]) == (
        "Monday evening (5 pm to 10 pm)"
    )
    assert not picker.exact([{"day": "mon", "start": "09:30", "end": "11:00"}])
    assert picker.windows_to_blocks([{"day": "mon", "start": "11:00", "end": "12:30"}]) == {
        ("mon", "morning"),
        ("mon", "afternoon"),
    }


# ---- the pages --------------------------------------------------------------------------


def test_a_visitor_is_sent_to_log_in(client: TestClient) -> None:
    for path in ("/profile/mentee", "/profile/mentor"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/login?next={path}"


def test_a_mentee_saves_every_field_and_sees_it_again(
    client: TestClient, web_member: WebMember
) -> None:
    headers = web_member()
    empty = client.get("/profile/mentee")
    assert empty.status_code == 200
    assert read(empty.text).h1 == 1
    assert 'for="availability-mon-evening"' in empty.text
    assert "Monday </span>Evening" in empty.text
    for day in DAYS:
        for block in picker.BLOCKS:
            key = (
                "availability"
                if (day, block.code) == ("mon", "early")
                else f"availability-{day}-{block.code}"
            )
            assert f'<label class="block" for="{key}">' in empty.text
            assert f"{picker.DAY_NAMES[day]} </span>{block.name}" in empty.text

    answer = post_form(client, "/profile/mentee", mentee_form())
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/profile/mentee?done=saved"

    saved = client.get(MENTEE_API, headers=headers).json()
    assert saved["availability"] == [
        {"day": "mon", "start": "17:00", "end": "24:00"},
        {"day": "wed", "start": "06:00", "end": "12:00"},
        {"day": "sat", "start": "00:00", "end": "06:00"},
    ]
    assert saved["alias"] == "River"
    assert saved["gender"] == "woman"
    assert sorted(saved["gender_preference"]) == ["nonbinary", "woman"]
    assert sorted(saved["pathways"]) == ["aa", "smart"]
    assert saved["recovery_date"] == "2026-09-01"
    assert saved["languages"] == ["en", "es", "pl"]
    assert saved["meeting_format"] == "either"
    assert saved["location"] == {
        "city": "Seattle",
        "region": "Washington",
        "country": "US",
        "label": "Seattle, Washington, United States",
        "latitude": pytest.approx(47.61, abs=0.02),
        "longitude": pytest.approx(-122.33, abs=0.02),
    }
    assert saved["max_distance_km"] == 30
    assert saved["timezone"] == "America/Los_Angeles"
    assert saved["interests"] == ["hiking", "parenting"]
    assert saved["about"].startswith("Early days")

    shown = client.get(answer.headers["location"])
    assert "We will look for a match and email you" in shown.text
    assert "Also want to mentor?" in shown.text
    again = read(shown.text).forms["/profile/mentee"]
    # The saved point is shown as its city again, with the state it is in.
    sent = mentee_form(region="Washington")
    for name, value in sent.items():
        expected = value if isinstance(value, list) else [value]
        assert sorted(again.get(name, [])) == sorted(expected), name

    # Saved again exactly as shown: nothing changes.
    resent = client.post("/profile/mentee", data=again, follow_redirects=False)
    assert resent.status_code == 303
    assert client.get(MENTEE_API, headers=headers).json()["location"] == saved["location"]
    assert client.get(MENTEE_API, headers=headers).json()["availability"] == saved["availability"]


def test_a_refused_form_keeps_everything_typed(client: TestClient, web_member: WebMember) -> None:
    headers = web_member()
    typed = mentee_form(alias="\u200b\u200b", pathways=[], about="Still here, still trying.")
    answer = post_form(client, "/profile/mentee", typed)
    assert answer.status_code == 422
    page = read(answer.text)
    assert "invisible" in page.errors["alias"]
    assert page.errors["pathways"] == "Please choose at least one pathway."
    assert 'href="#alias"' in answer.text and 'href="#pathways"' in answer.text
    again = page.forms["/profile/mentee"]
    for name, value in typed.items():
        if name in {"alias", "pathways"}:
            continue
        expected = value if isinstance(value, list) else [value]
        assert sorted(again.get(name, [])) == sorted(expected), name
    assert again["alias"] == ["\u200b\u200b"]
    assert client.get(MENTEE_API, headers=headers).status_code == 404


def test_a_mentor_with_too_many_places_and_no_date_is_told_beside_each_field(
    client: TestClient, web_member: WebMember
) -> None:
    web_member()
    answer = post_form(client, "/profile/mentor", mentor_form(capacity="99", recovery_date=""))
    assert answer.status_code == 422
    page = read(answer.text)
    assert page.errors["capacity"] == "Please enter a number from 1 to 10."
    assert page.errors["recovery_date"] == "Please enter the date your recovery began."
    assert page.forms["/profile/mentor"]["capacity"] == ["99"]
    assert page.forms["/profile/mentor"]["city"] == ["Seattle"]


def test_in_person_needs_a_city_online_does_not(client: TestClient, web_member: WebMember) -> None:
    headers = web_member()
    answer = post_form(client, "/profile/mentee", mentee_form(city="", meeting_format="in_person"))
    assert answer.status_code == 422
    assert "city or town" in read(answer.text).errors["city"]

    unknown = post_form(client, "/profile/mentee", mentee_form(city="Nowhereville"))
    assert unknown.status_code == 422
    assert "could not find this city" in read(unknown.text).errors["city"]

    online = post_form(client, "/profile/mentee", mentee_form(city="", meeting_format="online"))
    assert online.status_code == 303
    assert client.get(MENTEE_API, headers=headers).json()["location"] is None


def test_times_off_the_blocks_are_kept_until_the_ticks_change(
    client: TestClient, web_member: WebMember
) -> None:
    headers = web_member()
    body = mentee_body(availability=[{"day": "mon", "start": "09:30", "end": "13:00"}])
    assert client.put(MENTEE_API, json=body, headers=headers).status_code == 201
    shown = client.get("/profile/mentee")
    assert "do not line up" in shown.text
    form = read(shown.text).forms["/profile/mentee"]
    assert sorted(form["availability"]) == ["mon-afternoon", "mon-morning"]
    # The stored point is Portland's centre, so the form names it.
    assert (form["city"], form["region"], form["country"]) == (["Portland"], ["Oregon"], ["US"])

    assert client.post("/profile/mentee", data=form, follow_redirects=False).status_code == 303
    saved = client.get(MENTEE_API, headers=headers).json()
    assert saved["availability"] == body["availability"]
    assert saved["location"] == {**POINT_ONLY, "latitude": 45.52, "longitude": -122.68}

    form["availability"] = ["mon-morning"]
    assert client.post("/profile/mentee", data=form, follow_redirects=False).status_code == 303
    assert client.get(MENTEE_API, headers=headers).json()["availability"] == [
        {"day": "mon", "start": "06:00", "end": "12:00"}
    ]


def test_an_ambiguous_city_offers_its_candidates(
    client: TestClient, web_member: WebMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    web_member()
    saved_bodies: list[Any] = []
    real_save = profile_service.save

    def ambiguous(**kwargs: Any) -> Any:
        location = kwargs["body"].location
        if location is not None and location.city == "Portland" and not saved_bodies:
            saved_bodies.append(location)
            raise InvalidInput(
                "location.region",
                "more than one place has this name; please choose the region",
                extra={
                    "candidates": [
                        {"city": "Portland", "region": "Oregon", "country": "US"},
                        {"city": "Portland", "region": "Maine", "country": "US"},
                    ]
                },
            )
        return real_save(**kwargs)

    monkeypatch.setattr(profile_service, "save", ambiguous)
    answer = post_form(client, "/profile/mentee", mentee_form(city="Portland"))
    assert answer.status_code == 422
    assert "Which Portland?" in answer.text
    assert 'value="Portland|Maine|US"' in answer.text
    assert "More than one place" in read(answer.text).errors["region"]

    form = read(answer.text).forms["/profile/mentee"]
    form["place_choice"] = ["Portland|Maine|US"]
    values = profile_pages.values_from_form(_form_data(form), profile_pages.ProfileRole.mentee)
    assert (values["city"], values["region"], values["country"]) == ("Portland", "Maine", "US")
    assert client.post("/profile/mentee", data=form, follow_redirects=False).status_code == 303


def test_a_point_that_is_no_city_centre_is_kept_as_it_was(
    client: TestClient, web_member: WebMember
) -> None:
    headers = web_member()
    body = mentee_body(location={"latitude": 45.6001, "longitude": -122.5003})
    assert client.put(MENTEE_API, json=body, headers=headers).status_code == 201
    shown = client.get("/profile/mentee")
    assert "given as a point on the map" in shown.text
    form = read(shown.text).forms["/profile/mentee"]
    assert form["city"] == [""]
    assert client.post("/profile/mentee", data=form, follow_redirects=False).status_code == 303
    saved = client.get(MENTEE_API, headers=headers).json()
    assert saved["location"] == {**POINT_ONLY, "latitude": 45.6, "longitude": -122.5}


def _form_data(fields: Fields) -> Any:
    from starlette.datastructures import FormData

    return FormData([(name, value) for name, values in fields.items() for value in values])


def test_a_mentor_waits_for_review_and_can_pause_and_resume(
    client: TestClient, web_member: WebMember
) -> None:
    headers = web_member()
    answer = post_form(client, "/profile/mentor", mentor_form())
    assert answer.status_code == 303
    assert answer.headers["location"] == "/profile/mentor?done=saved"
    shown = client.get(answer.headers["location"])
    assert "A coordinator will review your profile before you are matched." in shown.text
    assert "waiting for a coordinator" in shown.text
    saved = client.get(MENTOR_API, headers=headers).json()
    assert saved["vetting_status"] == "pending"
    assert saved["capacity"] == 3
    assert saved["paused"] is False

    token = csrf(shown.text)
    paused = client.post(
        "/profile/mentor/pause", data={"csrf_token": token}, follow_redirects=False
    )
    assert paused.status_code == 303
    assert client.get(MENTOR_API, headers=headers).json()["paused"] is True
    shown = client.get(paused.headers["location"])
    assert "Resume new introductions" in shown.text and ", paused" in shown.text

    # Saving the form while paused keeps the pause.
    form = read(shown.text).forms["/profile/mentor"]
    assert client.post("/profile/mentor", data=form, follow_redirects=False).status_code == 303
    assert client.get(MENTOR_API, headers=headers).json()["paused"] is True

    resumed = client.post(
        "/profile/mentor/resume", data={"csrf_token": token}, follow_redirects=False
    )
    assert resumed.status_code == 303
    assert client.get(MENTOR_API, headers=headers).json()["paused"] is False
    assert "Pause new introductions" in client.get("/profile/mentor").text


def test_withdraw_asks_first_and_deletes(client: TestClient, web_member: WebMember) -> None:
    headers = web_member()
    assert post_form(client, "/profile/mentee", mentee_form()).status_code == 303
    shown = client.get("/profile/mentee")
    assert 'action="/profile/mentee/withdraw" data-confirm=' in shown.text
    answer = client.post(
        "/profile/mentee/withdraw", data={"csrf_token": csrf(shown.text)}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert client.get(MENTEE_API, headers=headers).status_code == 404
    assert "withdrawn" in client.get(answer.headers["location"]).text


def test_a_post_without_its_csrf_token_is_refused_and_saves_nothing(
    client: TestClient, web_member: WebMember
) -> None:
    headers = web_member()
    answer = post_form(client, "/profile/mentee", mentee_form(), token=False)
    assert answer.status_code == 403
    assert client.get(MENTEE_API, headers=headers).status_code == 404
    forged = post_form(
        client, "/profile/mentor", {**mentor_form(), "csrf_token": "forged"}, token=False
    )
    assert forged.status_code == 403
    assert client.get(MENTOR_API, headers=headers).status_code == 404
    for path in ("/profile/mentor/pause", "/profile/mentee/withdraw"):
        assert client.post(path, data={}, follow_redirects=False).status_code == 403


def test_each_message_is_in_the_form_s_own_words(client: TestClient, web_member: WebMember) -> None:
    web_member()
    typed = mentee_form(
        interests=", ".join(f"tag{n}" for n in range(21)),
        recovery_date="2999-01-01",
        languages_other="Elvish",
        timezone="Mars/Olympus",
        max_distance_km="0",
    )
    answer = post_form(client, "/profile/mentee", typed)
    assert answer.status_code == 422
    page = read(answer.text)
    assert page.errors["interests"] == "Please keep to 20 interests or fewer."
    assert page.errors["recovery_date"] == "The date cannot be in the future."
    assert "could not recognise one of these languages" in page.errors["languages_other"]
    assert page.errors["timezone"] == "Please choose your time zone from the list."
    assert page.errors["max_distance_km"] == "Please enter a number of kilometres from 1 to 500."
    again = page.forms["/profile/mentee"]
    assert again["languages_other"] == ["Elvish"]
    assert again["interests"] == [typed["interests"]]
    assert "Elvish" not in page.errors["languages_other"]


def test_a_new_mentor_profile_starts_from_the_mentee_one(
    client: TestClient, web_member: WebMember
) -> None:
    headers = web_member()
    assert post_form(client, "/profile/mentee", mentee_form()).status_code == 303
    shown = client.get("/profile/mentor")
    assert "from your mentee profile" in shown.text
    form = read(shown.text).forms["/profile/mentor"]
    assert form["city"] == ["Seattle"] and form["timezone"] == ["America/Los_Angeles"]
    assert sorted(form["availability"]) == sorted(mentee_form()["availability"])
    assert form["alias"] == [""] and form["about"] == [""]
    form.update(alias=["Oak"], recovery_date=["2018-03-15"])
    assert client.post("/profile/mentor", data=form, follow_redirects=False).status_code == 303
    mentor = client.get(MENTOR_API, headers=headers).json()
    mentee = client.get(MENTEE_API, headers=headers).json()
    for name in ("location", "availability", "languages", "timezone", "pathways"):
        assert mentor[name] == mentee[name], name


def test_the_summary_lists_the_fields_in_the_form_s_order(
    client: TestClient, web_member: WebMember
) -> None:
    web_member()
    typed = mentor_form(about="x" * 1001, capacity="0", alias="", pathways=[], recovery_date="")
    answer = post_form(client, "/profile/mentor", typed)
    assert answer.status_code == 422
    start = answer.text.index('class="error-summary"')
    summary = answer.text[start : answer.text.index("</ul>", start)]
    links = re.findall(r'href="#([a-z_]+)"', summary)
    assert links == ["alias", "pathways", "recovery_date", "about", "capacity"]
