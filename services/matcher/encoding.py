"""People as numpy columns: bitmasks, coordinates, recovery days and schedule bitsets.

Both the batch solver and the incremental index work on these arrays, never on the
records, so each rule has one vectorised form (see `feasibility.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from services.matcher.geography import unit_vectors
from services.matcher.problem import (
    FAMILIES,
    GENDERS,
    MEETING_FORMATS,
    PATHWAY_FAMILY,
    PATHWAYS,
    Participant,
    Problem,
    Settings,
)
from services.matcher.schedule import (
    Interval,
    slot_bitsets,
    slot_minutes,
    utc_intervals,
    utc_offset_minutes,
)
from services.matcher.text import TextModel

IN_PERSON, ONLINE, EITHER = (MEETING_FORMATS.index(f) for f in ("in_person", "online", "either"))
ANY_GENDER = (1 << len(GENDERS)) - 1
_GENDER_BIT = {g: 1 << i for i, g in enumerate(GENDERS)}
_PATHWAY_BIT = {p: 1 << i for i, p in enumerate(PATHWAYS)}
_FAMILY_BIT = {p: 1 << FAMILIES.index(PATHWAY_FAMILY[p]) for p in PATHWAYS}
_FORMAT_CODE = {f: i for i, f in enumerate(MEETING_FORMATS)}


class Vocabulary:
    """Words (languages, interests) numbered in order of first sight, for bitmasks."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.index: dict[str, int] = {}
        for word in words:
            self.index.setdefault(word, len(self.index))
        self.words = list(self.index)

    @property
    def n_words(self) -> int:
        """Number of 64-bit words a mask over this vocabulary needs (at least one)."""
        return max(1, (len(self.index) + 63) // 64)

    def masks(self, lists: Sequence[Sequence[str]]) -> np.ndarray:
        """One (n, n_words) uint64 mask per list; words not in the vocabulary are dropped."""
        n_words = self.n_words
        out = np.zeros((len(lists), n_words), dtype=np.uint64)
        index = self.index
        ints = []
        for items in lists:
            mask = 0
            for item in items:
                bit = index.get(item)
                if bit is not None:
                    mask |= 1 << bit
            ints.append(mask)
        for word in range(n_words):
            shift = 64 * word
            out[:, word] = np.fromiter(
                ((m >> shift) & 0xFFFFFFFFFFFFFFFF for m in ints), dtype=np.uint64, count=len(ints)
            )
        return out

    def names(self, mask_row: np.ndarray) -> list[str]:
        """The words whose bits are set in one mask row."""
        found = []
        for word, value in enumerate(mask_row.tolist()):
            while value:
                low = value & -value
                found.append(self.words[64 * word + low.bit_length() - 1])
                value ^= low
        return found


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
    interest_count: np.ndarray  # int32
    meeting_format: np.ndarray  # uint8 index into MEETING_FORMATS
    has_location: np.ndarray  # bool
    lat: np.ndarray  # radians, 0 where no location
    lon: np.ndarray
    max_km: np.ndarray  # float64, inf where none given
    days: np.ndarray  # int32 days in recovery
    intervals: list[list[Interval]]  # merged UTC intervals
    schedule: np.ndarray  # (n, w) uint64 slot bitsets
    waiting_days: np.ndarray  # int32
    remaining: np.ndarray  # int32 remaining capacity (mentors)
    text: sparse.csr_matrix  # l2-normalised tf-idf rows
    has_text: np.ndarray  # bool

    @property
    def n(self) -> int:
        """Number of people on this side."""
        return len(self.ids)

    def xyz(self, rows: np.ndarray) -> np.ndarray:
        """Unit vectors of the given rows, for tree searches."""
        return unit_vectors(self.lat[rows], self.lon[rows])


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

    def intervals(self, people: Sequence[Participant]) -> list[list[Interval]]:
        """Merged UTC intervals of each person at the reference date."""
        return [
            utc_intervals(p.availability, utc_offset_minutes(p.timezone, self.reference_date))
            for p in people
        ]

    def encode(
        self, people: Sequence[Participant], intervals: list[list[Interval]] | None = None
    ) -> EncodedSide:
        """Encode people with this encoder's vocabularies and slot length."""
        if intervals is None:
            intervals = self.intervals(people)
        n = len(people)
        ref = self.reference_date
        has_location = np.fromiter((p.location is not None for p in people), bool, n)
        lat = np.radians(
            np.fromiter((p.location.latitude if p.location else 0.0 for p in people), float, n)
        )
        lon = np.radians(
            np.fromiter((p.location.longitude if p.location else 0.0 for p in people), float, n)
        )
        lang_index = self.languages.index
        return EncodedSide(
            ids=[p.id for p in people],
            family=_bits(people, lambda p: sum({_FAMILY_BIT[x] for x in p.pathways})),
            pathway=_bits(people, lambda p: sum(_PATHWAY_BIT[x] for x in p.pathways)),
            gender_bit=_bits(people, lambda p: _GENDER_BIT[p.gender]),
            preference=_bits(
                people,
                lambda p: sum(_GENDER_BIT[g] for g in p.gender_preference) or ANY_GENDER,
            ),
            languages=self.languages.masks([p.languages for p in people]),
            first_language=np.fromiter(
                (lang_index.get(p.languages[0], -1) for p in people), np.int32, n
            ),
            interests=self.interests.masks([p.interests for p in people]),
            interest_count=np.fromiter((len(p.interests) for p in people), np.int32, n),
            meeting_format=np.fromiter(
                (_FORMAT_CODE[p.meeting_format] for p in people), np.uint8, n
            ),
            has_location=has_location,
            lat=lat,
            lon=lon,
            max_km=np.fromiter(
                (np.inf if p.max_distance_km is None else p.max_distance_km for p in people),
                float,
                n,
            ),
            days=np.fromiter((p.recovery_days(ref) for p in people), np.int32, n),
            intervals=intervals,
            schedule=slot_bitsets(intervals, self.slot_step),
            waiting_days=np.fromiter((p.waiting_days for p in people), np.int32, n),
            remaining=np.fromiter((p.remaining_capacity for p in people), np.int32, n),
            text=self.text_model.transform([p.about for p in people]),
            has_text=np.fromiter((bool(p.about.strip()) for p in people), bool, n),
        )


def _bits(people: Sequence[Participant], mask_of: Callable[[Participant], int]) -> np.ndarray:
    return np.fromiter((mask_of(p) for p in people), np.uint8, len(people))


def build_encoder(
    reference_date: dt.date,
    settings: Settings,
    groups: Sequence[Sequence[Participant]],
    interval_groups: Sequence[list[list[Interval]]],
) -> Encoder:
    """Fit vocabularies, text model and slot length on all the given people."""
    people = [p for group in groups for p in group]
    return Encoder(
        reference_date=reference_date,
        settings=settings,
        languages=Vocabulary(lang for p in people for lang in p.languages),
        interests=Vocabulary(word for p in people for word in p.interests),
        text_model=TextModel.fit([p.about for p in people]),
        slot_step=slot_minutes(iv for group in interval_groups for iv in group),
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
    probe = Encoder(ref, problem.settings, Vocabulary(), Vocabulary(), TextModel({}, np.ones(0)), 1)
    mentee_iv = probe.intervals(problem.mentees)
    mentor_iv = probe.intervals(problem.mentors)
    encoder = build_encoder(
        ref, problem.settings, [problem.mentees, problem.mentors], [mentee_iv, mentor_iv]
    )
    mentees = encoder.encode(problem.mentees, mentee_iv)
    mentors = encoder.encode(problem.mentors, mentor_iv)
    mentee_row = {pid: k for k, pid in enumerate(mentees.ids)}
    mentor_row = {pid: k for k, pid in enumerate(mentors.ids)}
    codes = np.array(
        sorted(mentee_row[e] * mentors.n + mentor_row[r] for e, r in problem.exclusions),
        dtype=np.int64,
    )
    return EncodedProblem(encoder, mentees, mentors, codes)
