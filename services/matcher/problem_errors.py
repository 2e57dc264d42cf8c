"""One message per malformed file: the record (with its id) and the field, in plain words.

msgspec reports what broke and where (`Invalid enum value 'tues' - at
`$.mentees[0].availability[0].day``); this module rewrites that as
`mentees[0] (id "e1"): field "availability[0].day": unknown value "tues" (expected one of
mon, ...)`, reading the offending value from the decoded data. Only failures come here.
"""

from __future__ import annotations

import re
from typing import Any

from services.matcher.records import DAYS, GENDERS, MAX_CAPACITY, MEETING_FORMATS, PATHWAYS


class ProblemError(ValueError):
    """A solve file or record that breaks the format; the message names record and field."""


_CHOICES = {
    "gender": GENDERS,
    "gender_preference": GENDERS,
    "pathways": PATHWAYS,
    "meeting_format": MEETING_FORMATS,
    "day": DAYS,
}
_BOUNDS: dict[str, tuple[float, float | None]] = {
    "latitude": (-90.0, 90.0),
    "longitude": (-180.0, 180.0),
    "max_distance_km": (0.0, 40_100.0),
    "capacity": (1, MAX_CAPACITY),
    "active_mentees": (0, MAX_CAPACITY),
}
_TYPE_WORDS = {
    "str": "must be a string",
    "int": "must be an integer",
    "float": "must be a number",
    "array": "must be a list",
    "date": "must be a date YYYY-MM-DD",
}
_OBJECT_WORDS = {
    "location": "must be an object with latitude and longitude",
    "availability": "must be an object with day, start and end",
    "settings": "must be an object",
}
_AT = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>.*)`)?$", re.DOTALL)
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def describe(value: Any) -> str:
    """A short rendering of a value for a message (strings quoted, long ones cut)."""
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 40 else text[:37] + "..."


def record_label(side: str, index: int | None, record: Any) -> str:
    """`mentees[3] (id "e4")`, or `mentee (id "e4")` for a record on its own."""
    label = side if index is None else f"{side}[{index}]"
    if isinstance(record, dict) and isinstance(record.get("id"), str):
        label += f' (id "{record["id"]}")'
    return label


def field_error(label: str, field: str, message: str) -> ProblemError:
    """The error for one field of one record."""
    return ProblemError(f'{label}: field "{field}": {message}')


def _steps(path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _STEP.findall(path)]


def _walk(data: Any, steps: list[str | int]) -> tuple[bool, Any]:
    for step in steps:
        if isinstance(step, int):
            if not isinstance(data, list | tuple) or step >= len(data):
                return False, None
            data = data[step]
        else:
            if not isinstance(data, dict) or step not in data:
                return False, None
            data = data[step]
    return True, data


def _field_name(steps: list[str | int]) -> str:
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _last_name(steps: list[str | int]) -> str:
    return next((s for s in reversed(steps) if isinstance(s, str)), "")


def _plain(message: str, steps: list[str | int], found: bool, value: Any) -> str:
    """msgspec's words for one failure, as the parser has always said them."""
    name = _last_name(steps)
    got = f", got {describe(value)}" if found else ""
    if message.startswith("Invalid enum value"):
        choices = _CHOICES.get(name, ())
        return f"unknown value {describe(value)} (expected one of {', '.join(choices)})"
    if message.startswith("Invalid RFC3339 encoded date"):
        if isinstance(value, str) and _DATE.fullmatch(value):
            return f"is not a real date: {describe(value)}"
        return f"must be a date YYYY-MM-DD{got}"
    if "of length >= 1" in message:
        return "must not be empty"
    bounded = re.match(r"Expected `(int|float)` ([<>]=)", message)
    if bounded:
        low, high = _BOUNDS.get(name, (0, None))
        if high is None:
            return f"must be at least {low:g}{got}"
        return f"must be between {low:g} and {high:g}{got}"
    typed = re.match(r"Expected `([a-z]+)(?: \| null)?`", message)
    if typed:
        kind = typed.group(1)
        if kind == "object":
            where = name if isinstance(steps[-1], str) else "availability"
            return _OBJECT_WORDS.get(where, "must be an object") + got
        return _TYPE_WORDS.get(kind, message) + got
    return message


def translate(error: Exception, data: Any, *, single: str | None = None) -> ProblemError:
    """A ProblemError from msgspec's ValidationError; `data` is the decoded input.

    `single` is "mentee" or "mentor" when `data` is one record rather than a whole file.
    """
    match = _AT.match(str(error))
    assert match is not None
    message, path = match.group("message"), match.group("path") or ""
    steps = _steps(path)
    missing = re.match(r"Object missing required field `(\w+)`", message)
    if missing:
        steps = [*steps, missing.group(1)]
    found, value = (False, None) if missing else _walk(data, steps)
    if single is not None:
        _, record = _walk(data, [])
        if not steps:
            return field_error(single, "(record)", f"must be an object, got {describe(value)}")
        text = "is required" if missing else _plain(message, steps, found, value)
        return field_error(record_label(single, None, record), _field_name(steps), text)
    if not steps:
        return ProblemError(f"the file must hold a JSON object, got {describe(value)}")
    head = steps[0]
    unknown = re.match(r"Object contains unknown field `(\w+)`", message)
    if head == "settings":
        if unknown:
            return field_error("settings", unknown.group(1), "unknown setting")
        if len(steps) == 1:
            return ProblemError(f'field "settings": {_plain(message, steps, found, value)}')
        return field_error("settings", _field_name(steps[1:]), _plain(message, steps, found, value))
    if head in ("mentees", "mentors"):
        if len(steps) == 1:
            if missing:
                return ProblemError(f'field "{head}": is required')
            return ProblemError(f'field "{head}": must be a list of records, got {describe(value)}')
        _, record = _walk(data, steps[:2])
        label = record_label(str(head), int(steps[1]), record)
        if len(steps) == 2:
            return field_error(label, "(record)", f"must be an object, got {describe(value)}")
        text = "is required" if missing else _plain(message, steps, found, value)
        return field_error(label, _field_name(steps[2:]), text)
    if head == "exclusions":
        if len(steps) == 1:
            return ProblemError(
                f'field "exclusions": must be a list of pairs, got {describe(value)}'
            )
        _, pair = _walk(data, steps[:2])
        return ProblemError(
            f"exclusions[{steps[1]}]: must be a pair [mentee_id, mentor_id], got {pair!r:.60}"
        )
    return ProblemError(f'field "{_field_name(steps)}": {_plain(message, steps, found, value)}')
