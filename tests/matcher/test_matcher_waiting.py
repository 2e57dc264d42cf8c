"""Why a mentee waits: every count against the pair-by-pair reference rules, and every
suggested change applied to the mentee and checked again with those rules."""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from matcher_reference import near_distance_boundary, reference_violations
from matcher_strategies import problems

from services.matcher import PartnerIndex, explain_waiting, never_matches, solve
from services.matcher.constraints import CONSTRAINTS
from services.matcher.problem import Participant, Problem, parse_participant, parse_problem
from services.matcher.waiting import WaitingReason

CHECK = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MAIN_CODES = {*CONSTRAINTS, "capacity", "no_mentors", "can_match"}
BLOCKER_CODES = {"no_availability", "too_little_availability", "no_travel_distance"}


def _broken(problem: Problem, mentee: Participant, mentor: Participant) -> set[str]:
    excluded = (mentee.id, mentor.id) in problem.exclusions
    return reference_violations(mentee, mentor, problem.settings, problem.reference_date, excluded)


def _unsure(problem: Problem, mentee: Participant) -> bool:
    return any(near_distance_boundary(mentee, m) for m in problem.mentors)


def _check_reason(
    problem: Problem,
    data: dict[str, Any],
    mentee: Participant,
    reason: WaitingReason,
    room: dict[str, int],
) -> None:
    """Counts against the reference rules; each suggestion re-checked after applying it."""
    with_room = [m for m in problem.mentors if room[m.id] > 0]
    full = [m for m in problem.mentors if room[m.id] <= 0]
    assert reason.mentee_id == mentee.id
    assert reason.mentors_with_room == len(with_room)
    found = {o.code: o for o in reason.obstacles}
    broken = [_broken(problem, mentee, m) for m in with_room]
    for rule in CONSTRAINTS:
        ruled_out = sum(rule in b for b in broken)
        alone = sum(b == {rule} for b in broken)
        got = found.get(rule)
        assert ((got.mentors, got.only) if got else (0, 0)) == (ruled_out, alone), rule
    fits_full = sum(not _broken(problem, mentee, m) for m in full)
    got_full = found.get("capacity")
    assert (got_full.mentors if got_full else 0) == fits_full
    open_now = sum(not b for b in broken)
    if reason.blockers:
        assert reason.code == reason.blockers[0].code
        assert {b.code for b in reason.blockers} <= BLOCKER_CODES
    else:
        assert reason.code in MAIN_CODES
        assert (reason.code == "can_match") == (open_now > 0)
        if open_now == 0:
            assert (reason.code == "capacity") == (fits_full > 0)
    assert len(reason.suggestions) <= 2
    record = next(r for r in data["mentees"] if r["id"] == mentee.id)
    for suggestion in reason.suggestions:
        changed = copy.deepcopy(record)
        changed.update(suggestion.change)
        after = parse_participant(changed, "mentee", problem.reference_date)
        opened = sum(not _broken(problem, after, m) for m in with_room)
        assert suggestion.opens >= 1
        assert opened - open_now == suggestion.opens, suggestion


def _texts(reason: WaitingReason) -> list[str]:
    return [
        reason.text,
        *(o.text for o in reason.obstacles),
        *(s.text for s in reason.suggestions),
        *(b.text for b in reason.blockers),
    ]


@CHECK
@given(problems(max_mentees=4, max_mentors=6))
def test_each_reason_count_and_suggestion_holds_against_the_reference(data: dict) -> None:
    problem = parse_problem(data)
    reasons = explain_waiting(
        problem.mentees,
        problem.mentors,
        reference_date=problem.reference_date,
        settings=problem.settings,
        exclusions=problem.exclusions,
    )
    assert [r.mentee_id for r in reasons] == [m.id for m in problem.mentees]
    room = {m.id: m.remaining_capacity for m in problem.mentors}
    for mentee, reason in zip(problem.mentees, reasons, strict=True):
        if not _unsure(problem, mentee):
            _check_reason(problem, data, mentee, reason, room)
        for text in _texts(reason):
            assert 10 < len(text) < 220 and not re.search(r"\d\.\d", text)
            assert not any(m.id in text.split() for m in problem.mentors)


@CHECK
@given(problems(max_mentees=5, max_mentors=5, compatible=True))
def test_schedule_distance_and_format_suggestions_open_mentors(data: dict) -> None:
    # Only format, distance and schedule differ: the suggestions that change them show up.
    test_each_reason_count_and_suggestion_holds_against_the_reference.hypothesis.inner_test(  # type: ignore[attr-defined]
        data
    )


def _same_week(data: dict[str, Any]) -> dict[str, Any]:
    """Everyone free on Monday evening in UTC: distance and format decide."""
    for record in data["mentees"] + data["mentors"]:
        record.update(
            timezone="UTC", availability=[{"day": "mon", "start": "18:00", "end": "21:00"}]
        )
    return data


def _only_gender(data: dict[str, Any]) -> dict[str, Any]:
    """Everything but genders and their preferences agrees."""
    for record in _same_week(data)["mentees"] + data["mentors"]:
        record.update(pathways=["aa"], languages=["en"], meeting_format="online")
        record["recovery_date"] = None if record["id"].startswith("e") else "2015-01-01"
    return data


@CHECK
@given(problems(max_mentees=4, max_mentors=6, compatible=True).map(_same_week))
def test_distance_suggestions_open_mentors(data: dict) -> None:
    test_each_reason_count_and_suggestion_holds_against_the_reference.hypothesis.inner_test(  # type: ignore[attr-defined]
        data
    )


@CHECK
@given(problems(max_mentees=4, max_mentors=6).map(_only_gender))
def test_gender_preference_suggestions_open_mentors(data: dict) -> None:
    test_each_reason_count_and_suggestion_holds_against_the_reference.hypothesis.inner_test(  # type: ignore[attr-defined]
        data
    )


@CHECK
@given(problems(max_mentees=6, max_mentors=4))
def test_batch_reasons_are_against_the_room_left_after_the_run(data: dict) -> None:
    problem = parse_problem(data)
    solution = solve(problem)
    proposed = {p.mentee_id for p in solution.proposals}
    unmatched = [m for m in problem.mentees if m.id not in proposed]
    assert [r.mentee_id for r in solution.unmatched] == [m.id for m in unmatched]
    room = {m.id: m.remaining_capacity for m in problem.mentors}
    for p in solution.proposals:
        room[p.mentor_id] -= 1
    reasons = {r.mentee_id: r for r in solution.unmatched}
    for mentee in unmatched:
        if not _unsure(problem, mentee):
            _check_reason(problem, data, mentee, reasons[mentee.id], room)
            assert reasons[mentee.id].code != "can_match"  # the coverage is maximal
    by_reason = solution.stats["unmatched_by_reason"]
    assert sum(by_reason.values()) == solution.stats["unmatched"] == len(unmatched)


@CHECK
@given(problems(max_mentees=3, max_mentors=6))
def test_the_index_explains_one_mentee_as_the_one_off_function_does(data: dict) -> None:
    problem = parse_problem(data)
    if not problem.mentors:
        return
    index = PartnerIndex.for_mentors(
        problem.mentors, reference_date=problem.reference_date, settings=problem.settings
    )
    for mentee in problem.mentees:
        excluded = [r for e, r in problem.exclusions if e == mentee.id]
        alone = explain_waiting(
            [mentee],
            problem.mentors,
            reference_date=problem.reference_date,
            settings=problem.settings,
            exclusions=[(mentee.id, r) for r in excluded],
        )[0]
        assert index.explain_waiting(mentee, excluded=excluded).as_dict() == alone.as_dict()


def _record(pid: str, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": pid,
        "gender": "woman",
        "gender_preference": [],
        "pathways": ["smart"],
        "recovery_date": "2015-01-01" if pid.startswith("r") else "2026-10-20",
        "languages": ["en"],
        "location": {"latitude": 45.52, "longitude": -122.68},
        "max_distance_km": 25,
        "meeting_format": "either",
        "timezone": "America/Los_Angeles",
        "availability": [{"day": "tue", "start": "18:00", "end": "21:00"}],
    }
    if pid.startswith("r"):
        record["capacity"] = 1
    record.update(changes)
    return record


def _explain(mentee: dict[str, Any], *mentors: dict[str, Any]) -> WaitingReason:
    problem = parse_problem(
        {"reference_date": "2026-11-24", "mentees": [mentee], "mentors": list(mentors)}
    )
    return explain_waiting(problem.mentees, problem.mentors, reference_date=problem.reference_date)[
        0
    ]


def test_a_tuesday_evening_mentee_hears_which_evening_would_open_mentors() -> None:
    wednesday = [{"day": "wed", "start": "18:30", "end": "20:30"}]
    reason = _explain(
        _record("e1"),
        *(_record(f"r{k}", availability=wednesday) for k in range(4)),
        _record("r9", pathways=["aa"]),
    )
    assert reason.code == "schedule"
    assert {o.code: o.mentors for o in reason.obstacles} == {"schedule": 4, "pathway": 1}
    first = reason.suggestions[0]
    assert first.code == "add_availability" and first.opens == 4
    assert first.text == (
        "4 mentors would share your free time if you added Wednesday evenings (18:00 to 21:00)."
    )
    assert first.change["availability"][-1] == {"day": "wed", "start": "18:00", "end": "21:00"}


def test_distance_suggestion_names_the_first_round_distance_and_the_next() -> None:
    home = {"latitude": 45.52, "longitude": -122.68}
    mentors = [
        _record(f"r{k}", meeting_format="in_person", max_distance_km=60, location=place)
        for k, place in enumerate(
            [{"latitude": 45.52 + d / 111.2, "longitude": -122.68} for d in (31, 33, 45, 55)]
        )
    ]
    reason = _explain(_record("e1", meeting_format="in_person", location=home), *mentors)
    assert reason.code == "distance"
    widen = next(s for s in reason.suggestions if s.code == "widen_distance")
    assert widen.change == {"max_distance_km": 40} and widen.opens == 2
    assert (
        widen.text == "2 mentors would be in reach if you could travel up to 40 km (3 up to 50 km)."
    )


def test_every_fitting_mentor_is_full() -> None:
    reason = _explain(_record("e1"), _record("r1", capacity=2, active_mentees=2))
    assert reason.code == "capacity" and reason.mentors_with_room == 0
    assert [(o.code, o.mentors) for o in reason.obstacles] == [("capacity", 1)]
    assert reason.text.startswith("Every mentor who fits you is full right now.")


def test_never_matches_says_why_and_what_to_change() -> None:
    today = dt.date(2026, 11, 24)

    def mentee(**changes: Any) -> Participant:
        return parse_participant(_record("e1", **changes), "mentee", today)

    assert never_matches(mentee(), "mentee", reference_date=today) == []
    assert [
        b.code for b in never_matches(mentee(availability=[]), "mentee", reference_date=today)
    ] == ["no_availability"]
    short = [{"day": "mon", "start": "09:00", "end": "09:45"}]
    found = never_matches(mentee(availability=short), "mentee", reference_date=today)
    assert [(b.code, b.field) for b in found] == [("too_little_availability", "availability")]
    stuck = mentee(meeting_format="in_person", max_distance_km=0)
    assert [b.code for b in never_matches(stuck, "mentee", reference_date=today)] == [
        "no_travel_distance"
    ]
    new_mentor = parse_participant(_record("r1", recovery_date="2026-03-01"), "mentor", today)
    (blocker,) = never_matches(new_mentor, "mentor", reference_date=today)
    assert blocker.code == "mentor_recovery_time" and blocker.field == "recovery_date"
    assert "1 March 2027" in blocker.text
    with pytest.raises(ValueError):
        never_matches(new_mentor, "sponsor", reference_date=today)


def test_a_profile_without_availability_is_told_so_in_the_batch() -> None:
    data = {
        "reference_date": "2026-11-24",
        "mentees": [_record("e1", availability=[])],
        "mentors": [_record("r1")],
    }
    (reason,) = solve(parse_problem(data)).unmatched
    assert reason.code == "no_availability" and reason.blockers[0].field == "availability"
