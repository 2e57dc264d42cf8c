"""The solve file as typed msgspec Structs: one C pass decodes and checks types and ranges.

What a Struct cannot say (a timezone that exists, an end after its start, a location that
in-person meetings need, ids that are unique and known) is checked on whole columns
afterwards (`columns.py`); a failure of either kind becomes one `ProblemError` naming the
record and the field (`problem_errors.py`). Windows' times stay strings here: a regex per
time would double the decoding time, and a dict lookup per column does the same check.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from msgspec import Meta, Struct

from services.matcher.records import MAX_CAPACITY, MAX_DISTANCE_KM

Gender = Literal["woman", "man", "nonbinary", "prefer_not_to_say"]
Pathway = Literal["aa", "na", "celebrate_recovery", "smart", "sos", "refuge_recovery", "other"]
MeetingFormat = Literal["in_person", "online", "either"]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
NonNegative = Annotated[int, Meta(ge=0)]


class WireWindow(Struct, gc=False):
    """One weekly window: {"day": "tue", "start": "18:00", "end": "21:00"}."""

    day: Day
    start: str
    end: str


class WireLocation(Struct, gc=False):
    """A point in degrees."""

    latitude: Annotated[float, Meta(ge=-90.0, le=90.0)]
    longitude: Annotated[float, Meta(ge=-180.0, le=180.0)]


class WireMentee(Struct, kw_only=True, gc=False):
    """A mentee record; unknown fields are ignored (the API may send more than the engine uses)."""

    id: Annotated[str, Meta(min_length=1)]
    gender: Gender
    gender_preference: list[Gender]
    pathways: Annotated[list[Pathway], Meta(min_length=1)]
    recovery_date: dt.date | None = None
    languages: Annotated[list[str], Meta(min_length=1)]
    location: WireLocation | None = None
    max_distance_km: Annotated[float, Meta(ge=0.0, le=MAX_DISTANCE_KM)] | None = None
    meeting_format: MeetingFormat
    timezone: str
    availability: list[WireWindow]
    interests: list[str] | None = None
    about: str | None = None
    waiting_days: NonNegative = 0


class WireMentor(Struct, kw_only=True, gc=False):
    """A mentor record: the mentee's fields (no waiting days) plus the places they offer."""

    id: Annotated[str, Meta(min_length=1)]
    gender: Gender
    gender_preference: list[Gender]
    pathways: Annotated[list[Pathway], Meta(min_length=1)]
    recovery_date: dt.date | None = None
    languages: Annotated[list[str], Meta(min_length=1)]
    location: WireLocation | None = None
    max_distance_km: Annotated[float, Meta(ge=0.0, le=MAX_DISTANCE_KM)] | None = None
    meeting_format: MeetingFormat
    timezone: str
    availability: list[WireWindow]
    interests: list[str] | None = None
    about: str | None = None
    capacity: Annotated[int, Meta(ge=1, le=MAX_CAPACITY)]
    active_mentees: Annotated[int, Meta(ge=0, le=MAX_CAPACITY)] = 0


WireRecord = WireMentee | WireMentor


class WireSettings(Struct, forbid_unknown_fields=True):
    """The thresholds of the hard constraints; an unknown name is an error (a typo)."""

    min_mentor_recovery_days: NonNegative = 365
    min_recovery_gap_days: NonNegative = 365
    min_schedule_overlap_minutes: NonNegative = 60


class SolveFile(Struct, kw_only=True):
    """A whole solve file (MATCHING.md, docs/SOLVE_FORMAT.md)."""

    reference_date: dt.date | None = None
    settings: WireSettings | None = None
    mentees: list[WireMentee]
    mentors: list[WireMentor]
    exclusions: list[tuple[str, str]] | None = None


_T = TypeVar("_T")
_DECODER = msgspec.json.Decoder(SolveFile)


@contextmanager
def _no_gc() -> Iterator[None]:
    # Hundreds of thousands of lists make the cyclic collector run again and again while
    # decoding (about half the decoding time at 100,000 records); none of them can cycle.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def decode_bytes(raw: bytes) -> SolveFile:
    """Decode JSON bytes into a SolveFile; raises msgspec's DecodeError or ValidationError."""
    with _no_gc():
        return _DECODER.decode(raw)


def convert(data: Any, kind: type[_T]) -> _T:
    """Check already-decoded Python data (dicts and lists) against a wire type, strictly."""
    with _no_gc():
        return msgspec.convert(data, kind, strict=True)
