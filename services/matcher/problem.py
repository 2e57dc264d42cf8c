"""A matching problem, and the strict readers of the solve-file format.

`load_problem(bytes)` is the batch path: msgspec decodes the file into typed Structs
(`solve_file.py`), whole columns are read and checked (`columns.py`), and the people stay
columns: `Problem.mentees` builds readable `Participant`s only when something asks.
`parse_problem(dict)` and `parse_participant(dict)` read data that is already decoded.
Everything downstream (encoding, the constraints, the solver) trusts what these checked.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import msgspec

from services.matcher.columns import SideColumns, check, extract
from services.matcher.problem_errors import ProblemError, describe, field_error, translate
from services.matcher.records import (
    DAYS,
    FAMILIES,
    GENDERS,
    MAX_CAPACITY,
    MEETING_FORMATS,
    PATHWAY_FAMILY,
    PATHWAYS,
    Availability,
    Location,
    Participant,
    Settings,
)
from services.matcher.solve_file import SolveFile, WireMentee, WireMentor, convert, decode_bytes

__all__ = [
    "DAYS",
    "FAMILIES",
    "GENDERS",
    "MAX_CAPACITY",
    "MEETING_FORMATS",
    "PATHWAYS",
    "PATHWAY_FAMILY",
    "Availability",
    "Location",
    "Participant",
    "Problem",
    "ProblemError",
    "Roster",
    "Settings",
    "load_problem",
    "parse_participant",
    "parse_problem",
]


def normalized_words(items: Sequence[str]) -> tuple[str, ...]:
    """Languages or interests as the engine compares them: stripped, lowercase, no repeats."""
    return tuple(dict.fromkeys(item.strip().lower() for item in items))


class Roster(Sequence[Participant]):
    """One side's people as columns; readable Participants are built on first use."""

    def __init__(self, columns: SideColumns, role: str) -> None:
        self.columns = columns
        self.role = role
        self._people: tuple[Participant, ...] | None = None

    def _all(self) -> tuple[Participant, ...]:
        if self._people is None:
            self._people = tuple(self._build(range(self.columns.n)))
        return self._people

    def _build(self, rows: range) -> Iterator[Participant]:
        c = self.columns
        day, start, end = c.window_day.tolist(), c.window_start.tolist(), c.window_end.tolist()
        bounds = c.window_start_row.tolist()
        for k in rows:
            low, high = bounds[k], bounds[k + 1]
            recovery, max_km = int(c.recovery[k]), float(c.max_km[k])
            yield Participant(
                id=c.ids[k],
                gender=c.gender[k],
                gender_preference=tuple(dict.fromkeys(c.gender_preference[k])),
                pathways=tuple(dict.fromkeys(c.pathways[k])),
                recovery_date=dt.date.fromordinal(recovery) if recovery > 0 else None,
                languages=normalized_words(c.languages[k]),
                location=(
                    Location(float(c.latitude[k]), float(c.longitude[k]))
                    if c.has_location[k]
                    else None
                ),
                max_distance_km=None if math.isnan(max_km) else max_km,
                meeting_format=c.meeting_format[k],
                timezone=c.timezone[k],
                availability=tuple(
                    Availability(day[w], start[w], end[w]) for w in range(low, high)
                ),
                interests=normalized_words(c.interests[k]),
                about=c.about[k],
                waiting_days=int(c.waiting_days[k]),
                capacity=int(c.capacity[k]),
                active_mentees=int(c.active[k]),
            )

    def __len__(self) -> int:
        return self.columns.n

    @overload
    def __getitem__(self, index: int) -> Participant: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Participant]: ...
    def __getitem__(self, index: int | slice) -> Participant | Sequence[Participant]:
        if self._people is None and isinstance(index, int):
            row = range(self.columns.n)[index]  # IndexError as a tuple would raise it
            return next(self._build(range(row, row + 1)))
        return self._all()[index]

    def __iter__(self) -> Iterator[Participant]:
        return iter(self._all())


@dataclass(frozen=True)
class Problem:
    """One run: the people on both sides, the exclusions and the reference date."""

    reference_date: dt.date
    mentees: Sequence[Participant]
    mentors: Sequence[Participant]
    settings: Settings = field(default_factory=Settings)
    exclusions: frozenset[tuple[str, str]] = frozenset()


def side_columns(people: Sequence[Participant], role: str) -> SideColumns:
    """The columns of one side, whether it was decoded (a Roster) or built from records."""
    if isinstance(people, Roster):
        return people.columns
    return extract(people, role, minutes=True)


def _roster(records: list[Any], side: str, role: str, reference_date: dt.date) -> Roster:
    columns = extract(records, role, minutes=False)
    check(
        columns,
        records,
        role,
        reference_date,
        lambda row: f'{side}[{row}] (id "{records[row].id}")',
    )
    return Roster(columns, role)


def _build(wire: SolveFile, today: dt.date | None) -> Problem:
    reference_date = wire.reference_date or today or dt.datetime.now(dt.UTC).date()
    settings = Settings(**msgspec.structs.asdict(wire.settings)) if wire.settings else Settings()
    mentees = _roster(wire.mentees, "mentees", "mentee", reference_date)
    mentors = _roster(wire.mentors, "mentors", "mentor", reference_date)
    exclusions = frozenset(wire.exclusions or ())
    if exclusions:
        known_mentees, known_mentors = set(mentees.columns.ids), set(mentors.columns.ids)
        for index, (mentee_id, mentor_id) in enumerate(wire.exclusions or ()):
            if mentee_id not in known_mentees:
                raise ProblemError(f'exclusions[{index}]: unknown mentee id "{mentee_id}"')
            if mentor_id not in known_mentors:
                raise ProblemError(f'exclusions[{index}]: unknown mentor id "{mentor_id}"')
    return Problem(reference_date, mentees, mentors, settings, exclusions)


def parse_problem(data: Any, *, today: dt.date | None = None) -> Problem:
    """Validate a decoded solve file (dicts and lists) and build a Problem; raises ProblemError."""
    if not isinstance(data, dict):
        raise ProblemError(f"the file must hold a JSON object, got {describe(data)}")
    try:
        wire = convert(data, SolveFile)
    except msgspec.ValidationError as exc:
        raise translate(exc, data) from None
    return _build(wire, today)


_BYTE = re.compile(r"\(byte (\d+)\)")


def _json_error(exc: Exception, raw: bytes) -> ProblemError:
    if isinstance(exc, RecursionError):
        return ProblemError("invalid JSON: nested too deeply")
    text = str(exc).removeprefix("JSON is malformed: ")
    at = _BYTE.search(text)
    if at is None:
        return ProblemError(f"invalid JSON: {text[:1].lower()}{text[1:]}")
    offset = int(at.group(1))
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return ProblemError(
        f"invalid JSON at line {line} column {column}: {_BYTE.sub('', text).strip()}"
    )


def load_problem(raw: bytes, *, today: dt.date | None = None) -> Problem:
    """Decode and validate a solve file's JSON bytes (the fast path); raises ProblemError."""
    try:
        wire = decode_bytes(raw)
    except msgspec.ValidationError as exc:  # a subclass of DecodeError: it goes first
        # A typed decoder stops at the first wrong type; a syntax error further on still
        # comes first, as with any JSON reader, and the value at fault is read from here.
        try:
            data = msgspec.json.decode(raw)
        except (msgspec.DecodeError, RecursionError) as syntax:
            raise _json_error(syntax, raw) from None
        raise translate(exc, data) from None
    except (msgspec.DecodeError, RecursionError) as exc:
        raise _json_error(exc, raw) from None
    return _build(wire, today)


def parse_participant(record: Any, role: str, reference_date: dt.date) -> Participant:
    """Read one mentee or mentor record (role 'mentee' or 'mentor'); raises ProblemError."""
    if role not in ("mentee", "mentor"):
        raise ValueError(f"role must be 'mentee' or 'mentor', got {role!r}")
    if not isinstance(record, dict):
        raise field_error(role, "(record)", f"must be an object, got {describe(record)}")
    try:
        wire = convert(record, WireMentee if role == "mentee" else WireMentor)
    except msgspec.ValidationError as exc:
        raise translate(exc, record, single=role) from None
    label = role if not isinstance(record.get("id"), str) else f'{role} (id "{record["id"]}")'
    columns = extract([wire], role, minutes=False)
    check(columns, [wire], role, reference_date, lambda row: label)
    return Roster(columns, role)[0]
