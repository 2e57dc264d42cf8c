"""Typed records of a matching problem and the strict parser of the solve-file format.

The parser is the only place that trusts nothing: everything downstream (encoding, the
constraints, the solver) assumes the invariants checked here.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

GENDERS: tuple[str, ...] = ("woman", "man", "nonbinary", "prefer_not_to_say")
PATHWAYS: tuple[str, ...] = (
    "aa",
    "na",
    "celebrate_recovery",
    "smart",
    "sos",
    "refuge_recovery",
    "other",
)
PATHWAY_FAMILY: dict[str, str] = {
    "aa": "twelve_step",
    "na": "twelve_step",
    "celebrate_recovery": "twelve_step",
    "smart": "secular",
    "sos": "secular",
    "refuge_recovery": "refuge_recovery",
    "other": "other",
}
FAMILIES: tuple[str, ...] = ("twelve_step", "secular", "refuge_recovery", "other")
MEETING_FORMATS: tuple[str, ...] = ("in_person", "online", "either")
DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_CAPACITY = 10

_DAY_INDEX = {day: i for i, day in enumerate(DAYS)}
# Every valid "HH:MM" start, and every valid end (which may be "24:00"): one dict lookup
# instead of a regex per window, which matters at 100,000 records.
_STARTS = {f"{m // 60:02d}:{m % 60:02d}": m for m in range(1440)}
_ENDS = {**_STARTS, "24:00": 1440}
_CHOICE_SETS = {
    choices: frozenset(choices) for choices in (GENDERS, PATHWAYS, MEETING_FORMATS, DAYS)
}
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_RE = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


class ProblemError(ValueError):
    """A solve file or record that breaks the format; the message names record and field."""


class _FieldError(Exception):
    """Raised inside a record; the record parser prefixes the record's name."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(field_name, message)
        self.field_name = field_name
        self.message = message


@dataclass(frozen=True, slots=True)
class Location:
    """A point on Earth in degrees."""

    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Availability:
    """One weekly window in its owner's local time: day 0 = Monday, minutes from midnight."""

    day: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Participant:
    """A mentee or a mentor as the engine sees them (mentor-only fields default to 0)."""

    id: str
    gender: str
    gender_preference: tuple[str, ...]
    pathways: tuple[str, ...]
    recovery_date: dt.date | None
    languages: tuple[str, ...]
    location: Location | None
    max_distance_km: float | None
    meeting_format: str
    timezone: str
    availability: tuple[Availability, ...]
    interests: tuple[str, ...] = ()
    about: str = ""
    waiting_days: int = 0
    capacity: int = 0
    active_mentees: int = 0

    @property
    def remaining_capacity(self) -> int:
        """How many new proposals a mentor may still receive."""
        return max(0, self.capacity - self.active_mentees)

    def recovery_days(self, reference_date: dt.date) -> int:
        """Days in recovery at the reference date (no date counts as 0)."""
        if self.recovery_date is None:
            return 0
        return (reference_date - self.recovery_date).days


@dataclass(frozen=True, slots=True)
class Settings:
    """The thresholds of the hard constraints."""

    min_mentor_recovery_days: int = 365
    min_recovery_gap_days: int = 365
    min_schedule_overlap_minutes: int = 60


@dataclass(frozen=True)
class Problem:
    """One run: the people on both sides, the exclusions and the reference date."""

    reference_date: dt.date
    mentees: tuple[Participant, ...]
    mentors: tuple[Participant, ...]
    settings: Settings = field(default_factory=Settings)
    exclusions: frozenset[tuple[str, str]] = frozenset()


# --- field readers: each raises _FieldError(field, message) -------------------------------


def _describe(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 40 else text[:37] + "..."


def _require(record: dict[str, Any], name: str) -> Any:
    if name not in record:
        raise _FieldError(name, "is required")
    return record[name]


def _read_str(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise _FieldError(name, f"must be a string, got {_describe(value)}")
    return value


def _read_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise _FieldError(
            name, f"unknown value {_describe(value)} (expected one of {', '.join(choices)})"
        )
    return value


def _read_choice_list(
    value: Any, name: str, choices: tuple[str, ...], *, allow_empty: bool
) -> tuple[str, ...]:
    if type(value) is list and (value or allow_empty):
        try:
            if _CHOICE_SETS[choices].issuperset(value):
                return tuple(value) if len(value) == 1 else tuple(dict.fromkeys(value))
        except TypeError:  # an unhashable item: the slow path below names it
            pass
    if not isinstance(value, list):
        raise _FieldError(name, f"must be a list, got {_describe(value)}")
    if not value and not allow_empty:
        raise _FieldError(name, "must not be empty")
    items = tuple(_read_choice(item, f"{name}[{i}]", choices) for i, item in enumerate(value))
    return tuple(dict.fromkeys(items))  # drop repeats, keep order


def _read_str_list(value: Any, name: str, *, allow_empty: bool) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _FieldError(name, f"must be a list, got {_describe(value)}")
    if not value and not allow_empty:
        raise _FieldError(name, "must not be empty")
    items = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise _FieldError(f"{name}[{i}]", f"must be a non-empty string, got {_describe(item)}")
        items.append(item.strip().lower())
    return tuple(dict.fromkeys(items))


def _read_int(value: Any, name: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _FieldError(name, f"must be an integer, got {_describe(value)}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise _FieldError(name, f"must be {bounds}, got {value}")
    return value


def _read_number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _FieldError(name, f"must be a number, got {_describe(value)}")
    number = float(value)
    if not math.isfinite(number) or number < low or number > high:
        raise _FieldError(name, f"must be between {low:g} and {high:g}, got {_describe(value)}")
    return number


def _read_date(value: Any, name: str) -> dt.date:
    if type(value) is str:
        found = _date_of(value)
        if found is not None:
            return found
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise _FieldError(name, f"must be a date YYYY-MM-DD, got {_describe(value)}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _FieldError(name, f"is not a real date: {_describe(value)}") from None


def _read_time(value: Any, name: str, *, allow_24: bool) -> int:
    if isinstance(value, str):
        if allow_24 and value == "24:00":
            return 1440
        match = _TIME_RE.fullmatch(value)
        if match:
            return int(match.group(1)) * 60 + int(match.group(2))
    hint = "00:00 to 24:00" if allow_24 else "00:00 to 23:59"
    raise _FieldError(name, f"must be a time HH:MM ({hint}), got {_describe(value)}")


@lru_cache(maxsize=65536)
def _date_of(value: str) -> dt.date | None:
    if not _DATE_RE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def _known_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _read_timezone(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value or not _known_timezone(value):
        raise _FieldError(name, f"unknown IANA timezone {_describe(value)}")
    return value


def _read_location(value: Any, name: str) -> Location:
    if not isinstance(value, dict):
        raise _FieldError(name, f"must be an object with latitude and longitude, got {value!r:.40}")
    for key in ("latitude", "longitude"):
        if key not in value:
            raise _FieldError(f"{name}.{key}", "is required")
    return Location(
        _read_number(value["latitude"], f"{name}.latitude", -90.0, 90.0),
        _read_number(value["longitude"], f"{name}.longitude", -180.0, 180.0),
    )


def _read_availability(value: Any, name: str) -> tuple[Availability, ...]:
    if not isinstance(value, list):
        raise _FieldError(name, f"must be a list, got {_describe(value)}")
    windows = []
    for i, item in enumerate(value):
        if type(item) is dict:  # fast path for a well-formed window
            day = _DAY_INDEX.get(item.get("day"))  # type: ignore[arg-type]
            start = _STARTS.get(item.get("start"))  # type: ignore[arg-type]
            end = _ENDS.get(item.get("end"))  # type: ignore[arg-type]
            if day is not None and start is not None and end is not None and end > start:
                windows.append(Availability(day, start, end))
                continue
        where = f"{name}[{i}]"
        if not isinstance(item, dict):
            raise _FieldError(where, "must be an object with day, start and end")
        for key in ("day", "start", "end"):
            if key not in item:
                raise _FieldError(f"{where}.{key}", "is required")
        day_name = _read_choice(item["day"], f"{where}.day", DAYS)
        start_minute = _read_time(item["start"], f"{where}.start", allow_24=False)
        end_minute = _read_time(item["end"], f"{where}.end", allow_24=True)
        if end_minute <= start_minute:
            raise _FieldError(f"{where}.end", f"must be after start ({item['start']})")
        windows.append(Availability(_DAY_INDEX[day_name], start_minute, end_minute))
    return tuple(windows)


def parse_participant(record: Any, role: str, reference_date: dt.date) -> Participant:
    """Read one mentee or mentor record (role 'mentee' or 'mentor'); raises ProblemError."""
    if role not in ("mentee", "mentor"):
        raise ValueError(f"role must be 'mentee' or 'mentor', got {role!r}")
    try:
        return _parse_record(record, role, reference_date)
    except _FieldError as exc:
        label = role
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            label += f' (id "{record["id"]}")'
        raise ProblemError(f'{label}: field "{exc.field_name}": {exc.message}') from None


def _parse_record(record: Any, role: str, reference_date: dt.date) -> Participant:
    """Read one record; raises _FieldError for the caller to name the record."""
    if not isinstance(record, dict):
        raise _FieldError("(record)", f"must be an object, got {_describe(record)}")
    pid = _read_str(_require(record, "id"), "id")
    if not pid.strip():
        raise _FieldError("id", "must not be empty")
    meeting_format = _read_choice(
        _require(record, "meeting_format"), "meeting_format", MEETING_FORMATS
    )
    online = meeting_format == "online"
    raw_location = record.get("location")
    if raw_location is None:
        if not online:
            raise _FieldError("location", f"is required for meeting_format {meeting_format}")
        location = None
    else:
        location = _read_location(raw_location, "location")
    raw_distance = record.get("max_distance_km")
    if raw_distance is None:
        if not online:
            raise _FieldError("max_distance_km", f"is required for meeting_format {meeting_format}")
        max_distance = None
    else:
        max_distance = _read_number(raw_distance, "max_distance_km", 0.0, 40_100.0)
    raw_recovery = record.get("recovery_date")
    if raw_recovery is None:
        if role == "mentor":
            raise _FieldError("recovery_date", "is required for a mentor")
        recovery_date = None
    else:
        recovery_date = _read_date(raw_recovery, "recovery_date")
        if recovery_date > reference_date:
            raise _FieldError(
                "recovery_date", f"{raw_recovery} is after the reference date {reference_date}"
            )
    about = record.get("about", "")
    if about is None:
        about = ""
    capacity = active = waiting = 0
    if role == "mentor":
        capacity = _read_int(_require(record, "capacity"), "capacity", 1, MAX_CAPACITY)
        active = _read_int(record.get("active_mentees", 0), "active_mentees", 0, capacity)
    else:
        waiting = _read_int(record.get("waiting_days", 0), "waiting_days", 0)
    interests = record.get("interests", [])
    return Participant(
        id=pid,
        gender=_read_choice(_require(record, "gender"), "gender", GENDERS),
        gender_preference=_read_choice_list(
            _require(record, "gender_preference"), "gender_preference", GENDERS, allow_empty=True
        ),
        pathways=_read_choice_list(
            _require(record, "pathways"), "pathways", PATHWAYS, allow_empty=False
        ),
        recovery_date=recovery_date,
        languages=_read_str_list(_require(record, "languages"), "languages", allow_empty=False),
        location=location,
        max_distance_km=max_distance,
        meeting_format=meeting_format,
        timezone=_read_timezone(_require(record, "timezone"), "timezone"),
        availability=_read_availability(_require(record, "availability"), "availability"),
        interests=_read_str_list(
            [] if interests is None else interests, "interests", allow_empty=True
        ),
        about=_read_str(about, "about"),
        waiting_days=waiting,
        capacity=capacity,
        active_mentees=active,
    )


def _read_settings(value: Any) -> Settings:
    if value is None:
        return Settings()
    if not isinstance(value, dict):
        raise ProblemError(f'field "settings": must be an object, got {_describe(value)}')
    known = Settings.__dataclass_fields__
    values = {}
    for key, raw in value.items():
        if key not in known:
            raise ProblemError(f'settings: field "{key}": unknown setting')
        try:
            values[key] = _read_int(raw, key, 0)
        except _FieldError as exc:
            raise ProblemError(f'settings: field "{exc.field_name}": {exc.message}') from None
    return Settings(**values)


def _read_side(raw: Any, side: str, role: str, reference_date: dt.date) -> tuple[Participant, ...]:
    if not isinstance(raw, list):
        raise ProblemError(f'field "{side}": must be a list of records, got {_describe(raw)}')
    people = []
    seen: dict[str, int] = {}
    for index, record in enumerate(raw):
        try:
            person = _parse_record(record, role, reference_date)
        except _FieldError as exc:
            label = f"{side}[{index}]"
            if isinstance(record, dict) and isinstance(record.get("id"), str):
                label += f' (id "{record["id"]}")'
            raise ProblemError(f'{label}: field "{exc.field_name}": {exc.message}') from None
        if person.id in seen:
            raise ProblemError(
                f'{side}[{index}] (id "{person.id}"): field "id": duplicate of '
                f"{side}[{seen[person.id]}]"
            )
        seen[person.id] = index
        people.append(person)
    return tuple(people)


def _read_exclusions(
    raw: Any, mentee_ids: set[str], mentor_ids: set[str]
) -> frozenset[tuple[str, str]]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        raise ProblemError(f'field "exclusions": must be a list of pairs, got {_describe(raw)}')
    pairs = set()
    for index, item in enumerate(raw):
        where = f"exclusions[{index}]"
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(part, str) for part in item)
        ):
            raise ProblemError(f"{where}: must be a pair [mentee_id, mentor_id], got {item!r:.60}")
        mentee_id, mentor_id = item
        if mentee_id not in mentee_ids:
            raise ProblemError(f'{where}: unknown mentee id "{mentee_id}"')
        if mentor_id not in mentor_ids:
            raise ProblemError(f'{where}: unknown mentor id "{mentor_id}"')
        pairs.add((mentee_id, mentor_id))
    return frozenset(pairs)


def parse_problem(data: Any, *, today: dt.date | None = None) -> Problem:
    """Validate a decoded solve file and build a Problem; raises ProblemError."""
    if not isinstance(data, dict):
        raise ProblemError(f"the file must hold a JSON object, got {_describe(data)}")
    raw_date = data.get("reference_date")
    if raw_date is None:
        reference_date = today or dt.datetime.now(dt.UTC).date()
    else:
        try:
            reference_date = _read_date(raw_date, "reference_date")
        except _FieldError as exc:
            raise ProblemError(f'field "reference_date": {exc.message}') from None
    settings = _read_settings(data.get("settings"))
    for side in ("mentees", "mentors"):
        if side not in data:
            raise ProblemError(f'field "{side}": is required')
    mentees = _read_side(data["mentees"], "mentees", "mentee", reference_date)
    mentors = _read_side(data["mentors"], "mentors", "mentor", reference_date)
    exclusions = _read_exclusions(
        data.get("exclusions"), {p.id for p in mentees}, {p.id for p in mentors}
    )
    return Problem(reference_date, mentees, mentors, settings, exclusions)
