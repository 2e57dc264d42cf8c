"""People as numpy columns: bitmasks, coordinates, recovery days and schedule bitsets.

Both the batch solver and the incremental index work on these arrays, never on the
records, so each rule has one vectorised form (see `feasibility.py`). A side is encoded
from its columns (`columns.py`) in whole-column operations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from services.matcher.bitmasks import Vocabulary, small_masks
from services.matcher.columns import SideColumns
from services.matcher.geography import EARTH_RADIUS_KM, unit_vectors
from services.matcher.problem import Problem, side_columns
from services.matcher.records import (
    FAMILIES,
    GENDERS,
    MEETING_FORMATS,
    PATHWAY_FAMILY,
    PATHWAYS,
    Participant,
    Settings,
)
from services.matcher.schedule import LocalWindows, WeekWindows, utc_offset_minutes
from services.matcher.text import TextModel, TextRows

IN_PERSON, ONLINE, EITHER = (MEETING_FORMATS.index(f) for f in ("in_person", "online", "either"))
ANY_GENDER = (1 << len(GENDERS)) - 1
GENDER_BIT = {g: 1 << i for i, g in enumerate(GENDERS)}
PATHWAY_BIT = {p: 1 << i for i, p in enumerate(PATHWAYS)}
FAMILY_BIT = {p: 1 << FAMILIES.index(PATHWAY_FAMILY[p]) for p in PATHWAYS}
FORMAT_CODE = {f: i for i, f in enumerate(MEETING_FORMATS)}


@dataclass
class EncodedSide:
    """One side (mentees or mentors) as columns; row k is the k-th record."""

    ids: list[str]
    family: np.ndarray  # uint8 bitmask of pathway families
    pathway: np.ndarray  # uint8 bitmask of pathways
    gender_bit: np.ndarray  # uint8, one bit
    preference: np.ndarray  # uint8 bitmask of accepted genders (all bits when empty)
    languages: np.ndarray  # (n, w) uint64
    first_language: np.ndarray  # int32 index into the language vocabulary, -1 if unknown
    interests: np.ndarray  # (n, w) uint64
    meeting_format: np.ndarray  # uint8 index into MEETING_FORMATS
    has_location: np.ndarray  # bool
    lat: np.ndarray  # radians, 0 where no location
    lon: np.ndarray
    max_km: np.ndarray  # float64, inf where none given
    days: np.ndarray  # int32 days in recovery
    offset: np.ndarray  # int64 UTC offset in minutes at the reference date
    windows: WeekWindows  # every window in UTC week minutes
    local_windows: LocalWindows  # the same windows as given, in local time
    schedule: np.ndarray  # (n, w) uint64 slot bitsets
    waiting_days: np.ndarray  # int32
    remaining: np.ndarray  # int32 remaining capacity (mentors)
    text: TextRows  # l2-normalised tf-idf rows
    has_text: np.ndarray  # bool

    @property
    def n(self) -> int:
        """Number of people on this side."""
        return len(self.ids)

    @cached_property
    def unit(self) -> np.ndarray:
        """(n, 3) unit vectors of everyone's location (the point 0, 0 where none)."""
        return unit_vectors(self.lat, self.lon)

    @cached_property
    def categorical_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct (family, gender, preference, languages) keys and each row's key."""
        columns = np.column_stack(
            [
                self.family.astype(np.uint64),
                self.gender_bit.astype(np.uint64),
                self.preference.astype(np.uint64),
                self.languages,
            ]
        )
        if self.n <= 1:  # one newcomer: its only key
            return columns, np.zeros(self.n, dtype=np.int64)
        keys, inverse = np.unique(columns, axis=0, return_inverse=True)
        return keys, inverse.ravel().astype(np.int64)

    @cached_property
    def either_located(self) -> np.ndarray:
        """Bool: meets either way and gave a location (may also meet a partner in person)."""
        return (self.meeting_format == EITHER) & self.has_location

    @cached_property
    def reach_chord(self) -> np.ndarray:
        """Chord on the unit sphere of each person's own distance limit, padded for rounding."""
        angle = np.minimum(np.pi, self.max_km / EARTH_RADIUS_KM)
        return 2 * np.sin(angle / 2) * (1 + 1e-9) + 1e-12

    @cached_property
    def unit_columns(self) -> np.ndarray:
        """(3, n) the same unit vectors, one contiguous row per coordinate (fast gathers)."""
        return np.ascontiguousarray(self.unit.T)


def week_windows(columns: SideColumns, reference_date: dt.date) -> tuple[np.ndarray, WeekWindows]:
    """Each row's UTC offset at the reference date, and every window in UTC week minutes."""
    zones = {tz: utc_offset_minutes(tz, reference_date) for tz in set(columns.timezone)}
    offset = np.fromiter(map(zones.__getitem__, columns.timezone), np.int64, columns.n)
    windows = WeekWindows.from_local(
        columns.window_owner,
        columns.window_day,
        columns.window_start,
        columns.window_end,
        offset,
    )
    return offset, windows


@dataclass
class Encoder:
    """Shared vocabularies, slot length, text model and thresholds for one population."""

    reference_date: dt.date
    settings: Settings
    languages: Vocabulary
    interests: Vocabulary
    text_model: TextModel
    slot_step: int

    @property
    def overlap_slots_needed(self) -> int:
        """Whole slots of shared time a pair needs to meet the minimum overlap."""
        return -(-self.settings.min_schedule_overlap_minutes // self.slot_step)

    def encode(
        self, columns: SideColumns, windows: tuple[np.ndarray, WeekWindows] | None = None
    ) -> EncodedSide:
        """Encode one side's columns with this encoder's vocabularies and slot length."""
        c = columns
        offset, week = windows or week_windows(c, self.reference_date)
        max_km = np.where(np.isnan(c.max_km), np.inf, c.max_km)
        return EncodedSide(
            ids=c.ids,
            family=small_masks(c.pathways, FAMILY_BIT),
            pathway=small_masks(c.pathways, PATHWAY_BIT),
            gender_bit=np.fromiter(map(GENDER_BIT.__getitem__, c.gender), np.uint8, c.n),
            preference=small_masks(c.gender_preference, GENDER_BIT, empty=ANY_GENDER),
            languages=self.languages.masks(c.languages),
            first_language=self.languages.first(c.languages),
            interests=self.interests.masks(c.interests),
            meeting_format=np.fromiter(
                map(FORMAT_CODE.__getitem__, c.meeting_format), np.uint8, c.n
            ),
            has_location=c.has_location,
            lat=np.radians(c.latitude),
            lon=np.radians(c.longitude),
            max_km=max_km,
            days=c.recovery_days(self.reference_date).astype(np.int32),
            offset=offset,
            windows=week,
            local_windows=LocalWindows(
                c.window_start_row, c.window_day, c.window_start, c.window_end
            ),
            schedule=week.bitsets(c.n, self.slot_step),
            waiting_days=c.waiting_days.astype(np.int32),
            remaining=np.maximum(0, c.capacity - c.active).astype(np.int32),
            text=self.text_model.transform(c.about),
            has_text=np.fromiter((bool(text.strip()) for text in c.about), bool, c.n),
        )

    def encode_people(self, people: Sequence[Participant], role: str) -> EncodedSide:
        """Encode readable records (the worker's newcomer, the API's people)."""
        return self.encode(side_columns(people, role))


def build_encoder(
    reference_date: dt.date,
    settings: Settings,
    groups: Sequence[SideColumns],
    windows: Sequence[WeekWindows] = (),
) -> Encoder:
    """Fit vocabularies, text model and slot length on all the given sides."""
    steps = [w.step() for w in windows] or [
        week_windows(c, reference_date)[1].step() for c in groups
    ]
    step = int(np.gcd.reduce(np.asarray([*steps, 7 * 1440])))
    return Encoder(
        reference_date=reference_date,
        settings=settings,
        languages=Vocabulary.of(*(c.languages for c in groups)),
        interests=Vocabulary.of(*(c.interests for c in groups)),
        text_model=TextModel.fit([text for c in groups for text in c.about]),
        slot_step=step,
    )


@dataclass
class EncodedProblem:
    """A problem with both sides encoded by one encoder, and exclusions as row pairs."""

    encoder: Encoder
    mentees: EncodedSide
    mentors: EncodedSide
    excluded_codes: np.ndarray  # sorted int64 codes mentee_row * n_mentors + mentor_row


def encode_problem(problem: Problem) -> EncodedProblem:
    """Encode both sides of a problem with shared vocabularies."""
    ref = problem.reference_date
    columns = [side_columns(problem.mentees, "mentee"), side_columns(problem.mentors, "mentor")]
    windows = [week_windows(c, ref) for c in columns]
    encoder = build_encoder(ref, problem.settings, columns, [w for _, w in windows])
    mentees = encoder.encode(columns[0], windows[0])
    mentors = encoder.encode(columns[1], windows[1])
    codes = np.zeros(0, dtype=np.int64)
    if problem.exclusions:
        mentee_row = {pid: k for k, pid in enumerate(mentees.ids)}
        mentor_row = {pid: k for k, pid in enumerate(mentors.ids)}
        codes = np.array(
            sorted(mentee_row[e] * mentors.n + mentor_row[r] for e, r in problem.exclusions),
            dtype=np.int64,
        )
    return EncodedProblem(encoder, mentees, mentors, codes)
