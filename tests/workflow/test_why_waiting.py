"""A mentee who waits is told why, and so is their coordinator; a profile that can never
match says so when saved (issue 12's reasons, through the API)."""

from __future__ import annotations

from tests.workflow.conftest import Cast

ME = "/api/v1/me/mentee-profile"


def test_a_mentee_no_mentor_shares_a_schedule_with_is_told_what_would_help(cast: Cast) -> None:
    cast.mentor(availability=[{"day": "wed", "start": "18:00", "end": "21:00"}])
    mentee = cast.mentee(availability=[{"day": "tue", "start": "18:00", "end": "21:00"}])
    assert cast.match(mentee) == []

    status = cast.client.get(ME, headers=mentee.headers).json()["matching_status"]
    assert status["code"] == "schedule"
    assert status["mentors_with_room"] == 1
    [schedule] = [o for o in status["obstacles"] if o["code"] == "schedule"]
    assert schedule["mentors"] == 1
    suggestion = status["suggestions"][0]
    assert suggestion["code"] == "add_availability" and suggestion["opens"] == 1
    assert {"day": "wed", "start": "18:00", "end": "21:00"} in [
        {k: w[k] for k in ("day", "start", "end")} for w in suggestion["change"]["availability"]
    ]

    waiting = cast.client.get("/api/v1/coordinator/waiting-mentees", headers=cast.coordinator)
    [row] = [m for m in waiting.json() if m["profile_id"] == mentee.profile_id]
    assert row["matching_status"]["code"] == "schedule"


def test_taking_the_suggestion_opens_a_match(cast: Cast) -> None:
    cast.mentor(availability=[{"day": "wed", "start": "18:00", "end": "21:00"}])
    mentee = cast.mentee(availability=[{"day": "tue", "start": "18:00", "end": "21:00"}])
    assert cast.match(mentee) == []
    profile = cast.client.get(ME, headers=mentee.headers).json()
    # The change is the whole new field: the mentee's own windows and the one to add.
    change = profile["matching_status"]["suggestions"][0]["change"]
    body = {k: v for k, v in profile.items() if k not in _READ_ONLY} | change
    body["location"] = {"city": "Portland", "region": "Oregon", "country": "US"}
    saved = cast.client.put(ME, json=body, headers=mentee.headers)
    assert saved.status_code == 200, saved.text
    assert len(cast.match(mentee)) == 1
    assert cast.client.get(ME, headers=mentee.headers).json()["matching_status"] is None


def test_a_profile_with_no_availability_says_it_can_never_match(cast: Cast) -> None:
    mentee = cast.mentee(availability=[])
    saved = cast.client.get(ME, headers=mentee.headers).json()
    assert [b["code"] for b in saved["blockers"]] == ["no_availability"]
    assert saved["blockers"][0]["field"] == "availability"


_READ_ONLY = {
    "id",
    "role",
    "created_at",
    "updated_at",
    "waiting_since",
    "matching_status",
    "blockers",
}


def test_the_reasons_follow_the_mentors_as_they_change(cast: Cast) -> None:
    # The API keeps the organization's encoded mentors between saves: a mentor who pauses,
    # resumes or joins must show at once in why the mentee waits.
    wednesday = [{"day": "wed", "start": "18:00", "end": "21:00"}]
    first = cast.mentor(availability=wednesday)
    mentee = cast.mentee(availability=[{"day": "tue", "start": "18:00", "end": "21:00"}])

    def with_room() -> int:
        status = cast.client.get(ME, headers=mentee.headers).json()["matching_status"]
        return int(status["mentors_with_room"])

    assert with_room() == 1
    paused = cast.client.post("/api/v1/me/mentor-profile/pause", headers=first.headers)
    assert paused.status_code == 200, paused.text
    assert with_room() == 0
    cast.mentor(availability=wednesday)
    assert with_room() == 1
    resumed = cast.client.post("/api/v1/me/mentor-profile/resume", headers=first.headers)
    assert resumed.status_code == 200, resumed.text
    assert with_room() == 2
