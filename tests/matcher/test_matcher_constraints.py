"""Every hard constraint against the slow reference, one pair at a time and in batch."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matcher_reference import feasible_set, minutes, near_distance_boundary, reference_violations
from matcher_strategies import REFERENCE_DATES, person, problems

from services.matcher.constraints import schedule_overlap_minutes, violations
from services.matcher.encoding import encode_problem
from services.matcher.feasibility import feasible_pairs, overlap_slots
from services.matcher.problem import Settings, parse_problem

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(problems(max_mentees=1, max_mentors=1), st.booleans())
def test_violations_match_the_reference(data: dict, excluded: bool) -> None:
    problem = parse_problem(data)
    for mentee in problem.mentees:
        for mentor in problem.mentors:
            if near_distance_boundary(mentee, mentor):
                continue
            got = violations(mentee, mentor, problem.settings, problem.reference_date, excluded)
            want = reference_violations(
                mentee, mentor, problem.settings, problem.reference_date, excluded
            )
            assert set(got) == want
            assert len(got) == len(set(got))


@FAST
@given(problems())
def test_batch_feasible_pairs_match_the_reference(data: dict) -> None:
    problem = parse_problem(data)
    i, j = feasible_pairs(encode_problem(problem))
    got = set(zip(i.tolist(), j.tolist(), strict=True))
    want = feasible_set(problem)
    unsure = {
        (a, b)
        for a, mentee in enumerate(problem.mentees)
        for b, mentor in enumerate(problem.mentors)
        if near_distance_boundary(mentee, mentor)
    }
    assert got - unsure == want - unsure
    assert len(got) == len(i)  # no pair twice


@FAST
@given(problems(compatible=True))
def test_batch_pairs_where_only_format_distance_and_schedule_decide(data: dict) -> None:
    test_batch_feasible_pairs_match_the_reference.hypothesis.inner_test(data)  # type: ignore[attr-defined]


@FAST
@given(person("e", "mentee"), person("r", "mentor"), st.sampled_from(REFERENCE_DATES))
def test_schedule_overlap_counts_every_minute(mentee: dict, mentor: dict, day: str) -> None:
    mentee["recovery_date"] = mentor["recovery_date"] = None
    mentor["recovery_date"] = "2010-01-01"
    problem = parse_problem({"reference_date": day, "mentees": [mentee], "mentors": [mentor]})
    e, r = problem.mentees[0], problem.mentors[0]
    want = len(minutes(e, problem.reference_date) & minutes(r, problem.reference_date))
    assert schedule_overlap_minutes(e, r, problem.reference_date) == want
    encoded = encode_problem(problem)
    slots = overlap_slots(encoded.mentees.schedule[0], encoded.mentors.schedule[0])
    assert int(slots) * encoded.encoder.slot_step == want


@settings(max_examples=150, deadline=None)
@given(person("e", "mentee"), person("r", "mentor"))
def test_each_named_rule_flips_on_its_own(mentee: dict, mentor: dict) -> None:
    mentee["recovery_date"] = None
    mentor["recovery_date"] = "2010-01-01"
    problem = parse_problem(
        {"reference_date": "2026-11-24", "mentees": [mentee], "mentors": [mentor]}
    )
    e, r = problem.mentees[0], problem.mentors[0]
    got = violations(e, r, Settings(), problem.reference_date)
    assert "recovery_time" not in got
    strict = Settings(min_mentor_recovery_days=100_000)
    assert "recovery_time" in violations(e, r, strict, problem.reference_date)
    assert violations(e, r, Settings(), problem.reference_date, excluded=True)[-1] == "excluded"


def _base(pid: str, **changes: object) -> dict:
    record = {
        "id": pid,
        "gender": "woman",
        "gender_preference": [],
        "pathways": ["aa"],
        "recovery_date": "2015-01-01" if pid.startswith("r") else None,
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


def _check(mentee: dict, mentor: dict) -> list[str]:
    problem = parse_problem(
        {"reference_date": "2026-11-24", "mentees": [mentee], "mentors": [mentor]}
    )
    return violations(
        problem.mentees[0], problem.mentors[0], problem.settings, problem.reference_date
    )


def test_examples_of_each_rule() -> None:
    assert _check(_base("e"), _base("r")) == []
    assert _check(_base("e", pathways=["smart"]), _base("r")) == ["pathway"]
    assert _check(_base("e", pathways=["na"]), _base("r")) == []
    assert _check(_base("e", gender_preference=["man"]), _base("r")) == ["gender"]
    assert _check(_base("e"), _base("r", gender="man", gender_preference=["man"])) == ["gender"]
    assert _check(_base("e", languages=["es"]), _base("r")) == ["language"]
    assert _check(_base("e", recovery_date="2014-06-01"), _base("r")) == ["recovery_time"]
    assert _check(_base("e", meeting_format="in_person"), _base("r", meeting_format="online")) == [
        "meeting_format"
    ]
    far = {"latitude": 45.0, "longitude": -122.68}  # about 58 km south
    assert _check(_base("e", location=far), _base("r")) == []  # either and either: no limit
    assert _check(_base("e", location=far, meeting_format="in_person"), _base("r")) == ["distance"]
    assert _check(_base("e", timezone="America/New_York"), _base("r")) == ["schedule"]


def test_schedule_wraps_across_the_end_of_the_week() -> None:
    # Sunday 23:00-24:00 in UTC meets Monday 00:00-01:00 in UTC only if the week wraps;
    # in Honolulu (UTC-10) Sunday 14:00-16:00 is Monday 00:00-02:00 UTC.
    mentee = _base(
        "e",
        timezone="UTC",
        availability=[
            {"day": "sun", "start": "23:00", "end": "24:00"},
            {"day": "mon", "start": "00:00", "end": "00:30"},
        ],
    )
    mentor = _base(
        "r",
        timezone="Pacific/Honolulu",
        availability=[{"day": "sun", "start": "13:00", "end": "16:00"}],
    )
    assert _check(mentee, mentor) == []
    mentee["availability"] = mentee["availability"][:1]
    assert _check(mentee, mentor) == []
    mentee["availability"][0]["start"] = "23:30"
    assert _check(mentee, mentor) == ["schedule"]
