"""The parser: a table of malformed inputs, each answered by a message naming record and field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from services.matcher.problem import ProblemError, parse_problem


def _mentee(pid: str = "e1", **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": pid,
        "gender": "woman",
        "gender_preference": ["woman"],
        "pathways": ["aa"],
        "recovery_date": "2026-09-01",
        "languages": ["en"],
        "location": {"latitude": 45.52, "longitude": -122.68},
        "max_distance_km": 25,
        "meeting_format": "either",
        "timezone": "America/Los_Angeles",
        "availability": [{"day": "tue", "start": "18:00", "end": "21:00"}],
        "interests": ["parent"],
        "about": "hello",
        "waiting_days": 12,
    }
    record.update(changes)
    return record


def _mentor(pid: str = "r1", **changes: Any) -> dict[str, Any]:
    record = _mentee(pid, recovery_date="2015-01-01", capacity=3, active_mentees=1)
    del record["waiting_days"]
    record.update(changes)
    return record


def _file(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reference_date": "2026-11-24",
        "mentees": [_mentee("e1"), _mentee("e2"), _mentee("e3"), _mentee("e4")],
        "mentors": [_mentor("r1"), _mentor("r7")],
        "exclusions": [["e1", "r7"]],
    }
    data.update(changes)
    return data


def _with(side: str, index: int, **changes: Any) -> dict[str, Any]:
    data = _file()
    data[side][index] = copy.deepcopy(data[side][index])
    for key, value in changes.items():
        if value is ...:
            del data[side][index][key]
        else:
            data[side][index][key] = value
    return data


MALFORMED = [
    (
        _with("mentees", 3, timezone="Mars/Base"),
        'mentees[3] (id "e4"): field "timezone": unknown IANA timezone "Mars/Base"',
    ),
    (
        _with("mentees", 0, gender="female"),
        'mentees[0] (id "e1"): field "gender": unknown value "female"',
    ),
    (
        _with("mentees", 1, gender_preference=["woman", "x"]),
        'mentees[1] (id "e2"): field "gender_preference[1]"',
    ),
    (_with("mentees", 0, pathways=[]), 'mentees[0] (id "e1"): field "pathways": must not be empty'),
    (_with("mentees", 0, pathways=["aa", "cult"]), 'field "pathways[1]": unknown value "cult"'),
    (_with("mentees", 0, meeting_format="zoom"), 'field "meeting_format": unknown value "zoom"'),
    (
        _with("mentees", 0, languages=[]),
        'mentees[0] (id "e1"): field "languages": must not be empty',
    ),
    (_with("mentees", 0, location=...), 'field "location": is required for meeting_format either'),
    (
        _with("mentees", 0, location={"latitude": 91, "longitude": 0}),
        'field "location.latitude": must be between -90 and 90',
    ),
    (
        _with("mentees", 0, location={"latitude": 1, "longitude": -181}),
        'field "location.longitude"',
    ),
    (_with("mentees", 0, location={"latitude": 1}), 'field "location.longitude": is required'),
    (_with("mentees", 0, max_distance_km="far"), 'field "max_distance_km": must be a number'),
    (_with("mentees", 0, max_distance_km=-1), 'field "max_distance_km": must be between'),
    (_with("mentees", 0, recovery_date="2026-02-30"), 'field "recovery_date": is not a real date'),
    (
        _with("mentees", 0, recovery_date="01/02/2026"),
        'field "recovery_date": must be a date YYYY-MM-DD',
    ),
    (
        _with("mentees", 0, recovery_date="2027-01-01"),
        'field "recovery_date": 2027-01-01 is after the reference date',
    ),
    (
        _with("mentees", 0, availability=[{"day": "tues", "start": "18:00", "end": "19:00"}]),
        'field "availability[0].day": unknown value "tues"',
    ),
    (
        _with("mentees", 0, availability=[{"day": "tue", "start": "18:00", "end": "17:00"}]),
        'field "availability[0].end": must be after start (18:00)',
    ),
    (
        _with("mentees", 0, availability=[{"day": "tue", "start": "24:00", "end": "24:00"}]),
        'field "availability[0].start": must be a time HH:MM',
    ),
    (
        _with("mentees", 0, availability=[{"day": "tue", "start": "9:00", "end": "10:00"}]),
        'field "availability[0].start"',
    ),
    (
        _with("mentees", 0, availability=[{"day": "tue", "start": "09:00", "end": "25:00"}]),
        'field "availability[0].end"',
    ),
    (
        _with("mentees", 0, availability=[{"day": "tue", "start": "09:00"}]),
        'field "availability[0].end": is required',
    ),
    (_with("mentees", 0, availability="evenings"), 'field "availability": must be a list'),
    (_with("mentees", 0, waiting_days=-3), 'field "waiting_days": must be at least 0'),
    (_with("mentees", 0, waiting_days=True), 'field "waiting_days": must be an integer'),
    (_with("mentees", 0, id=""), 'mentees[0] (id ""): field "id": must not be empty'),
    (_with("mentees", 0, id=...), 'mentees[0]: field "id": is required'),
    (_with("mentees", 0, about=5), 'field "about": must be a string'),
    (_with("mentees", 1, id="e1"), 'mentees[1] (id "e1"): field "id": duplicate of mentees[0]'),
    (
        _with("mentors", 0, capacity=0),
        'mentors[0] (id "r1"): field "capacity": must be between 1 and 10',
    ),
    (_with("mentors", 0, capacity=11), 'field "capacity": must be between 1 and 10'),
    (_with("mentors", 0, capacity=...), 'mentors[0] (id "r1"): field "capacity": is required'),
    (_with("mentors", 0, active_mentees=4), 'field "active_mentees": must be between 0 and 3'),
    (
        _with("mentors", 1, recovery_date=None),
        'mentors[1] (id "r7"): field "recovery_date": is required for a mentor',
    ),
    (_file(exclusions=[["e1", "r9"]]), 'exclusions[0]: unknown mentor id "r9"'),
    (_file(exclusions=[["e9", "r1"]]), 'exclusions[0]: unknown mentee id "e9"'),
    (_file(exclusions=[["e1"]]), "exclusions[0]: must be a pair [mentee_id, mentor_id]"),
    (_file(reference_date="tomorrow"), 'field "reference_date": must be a date YYYY-MM-DD'),
    (_file(settings={"min_overlap": 5}), 'settings: field "min_overlap": unknown setting'),
    (
        _file(settings={"min_recovery_gap_days": -1}),
        'settings: field "min_recovery_gap_days": must be at least 0',
    ),
    (_file(mentees={"e1": {}}), 'field "mentees": must be a list of records'),
    (_file(mentors=[5]), 'mentors[0]: field "(record)": must be an object'),
    ([1, 2], "the file must hold a JSON object"),
]


@pytest.mark.parametrize(("data", "expected"), MALFORMED)
def test_malformed_input_names_record_and_field(data: Any, expected: str) -> None:
    with pytest.raises(ProblemError) as caught:
        parse_problem(data)
    assert expected in str(caught.value)


def test_missing_side() -> None:
    data = _file()
    del data["mentors"]
    with pytest.raises(ProblemError, match='field "mentors": is required'):
        parse_problem(data)


def test_optional_fields_may_be_left_out() -> None:
    online = _mentee("e9", meeting_format="online")
    for key in ("location", "max_distance_km", "interests", "about", "waiting_days"):
        del online[key]
    mentor = _mentor("r9")
    del mentor["active_mentees"]
    problem = parse_problem({"mentees": [online], "mentors": [mentor]})
    assert problem.mentees[0].location is None
    assert problem.mentees[0].interests == ()
    assert problem.mentors[0].remaining_capacity == 3
    assert problem.exclusions == frozenset()


def test_well_formed_file_parses() -> None:
    problem = parse_problem(_file())
    assert len(problem.mentees) == 4 and len(problem.mentors) == 2
    assert problem.exclusions == {("e1", "r7")}
    assert problem.mentees[0].availability[0].end == 21 * 60
    late = _with("mentees", 0, availability=[{"day": "sun", "start": "23:00", "end": "24:00"}])
    assert parse_problem(late).mentees[0].availability[0].end == 1440


def test_parse_participant_alone_raises_problem_error_naming_the_field() -> None:
    import datetime as dt

    from services.matcher.problem import parse_participant

    today = dt.date(2026, 11, 24)
    assert parse_participant(_mentor("r5"), "mentor", today).capacity == 3
    with pytest.raises(ProblemError, match='mentee \\(id "e1"\\): field "timezone": unknown IANA'):
        parse_participant(_mentee(timezone="Nowhere/City"), "mentee", today)
