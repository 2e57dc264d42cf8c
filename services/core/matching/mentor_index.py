"""Each organization's vetted mentors, encoded once per process for the engine.

Re-reading and re-encoding every mentor for each saved profile is where the incremental
path spent nine tenths of its time. The index is rebuilt only when the set of vetted,
unpaused mentors or any of their profiles changed (their count and latest `updated_at`,
read in one aggregate query), or the day turned; remaining capacities, which change with
every proposal, are read from one grouped count per transaction (`Snapshot`). A change of
the organization's active learned model (`learning.ACTIVE_MODELS`) rebuilds it too.
The API reads the same cache to say why a mentee waits (`waiting.waiting_reasons`), so a
mentee's save no longer reads and encodes every mentor of the organization.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.core.matching.active_models import ACTIVE_MODELS
from services.core.matching.eligibility import organization_load, vetted_mentor
from services.core.matching.participants import to_participant
from services.core.models import Profile
from services.matcher import LearnedModel, Participant, PartnerIndex, PartnerMatch


@dataclass
class _Entry:
    key: tuple[date, int, datetime | None, int | None]
    mentors: list[Participant]  # with no one held: `Snapshot` and `with_loads` add the loads
    owners: dict[uuid.UUID, uuid.UUID]  # profile id -> the mentor's account
    rows: dict[uuid.UUID, int]
    capacity: np.ndarray
    model: LearnedModel | None
    index: PartnerIndex | None = None  # built on first use: the API never needs it

    def with_loads(self, load: dict[uuid.UUID, int]) -> list[Participant]:
        """The mentors with a free place, each carrying how many they hold."""
        free = []
        for mentor_id, row in self.rows.items():
            held = load.get(mentor_id, 0)
            if held < self.capacity[row]:
                free.append(replace(self.mentors[row], active_mentees=held))
        return free


class MentorIndexes:
    """A per-process cache of each organization's encoded mentors (and their index)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[uuid.UUID, _Entry] = {}

    def mentors(self, session: Session, organization_id: uuid.UUID, today: date) -> _Entry:
        """The organization's vetted mentors as the engine sees them, read again only if
        they changed (one aggregate query when they did not)."""
        count, latest = session.execute(
            select(func.count(), func.max(Profile.updated_at)).where(
                *vetted_mentor(organization_id)
            )
        ).one()
        number, model = ACTIVE_MODELS.get(session, organization_id)
        key = (today, int(count), latest, number)  # a new active model rebuilds the index
        with self._lock:
            entry = self._entries.get(organization_id)
        if entry is not None and entry.key == key:
            return entry
        stored = session.scalars(select(Profile).where(*vetted_mentor(organization_id))).all()
        entry = _Entry(
            key,
            mentors=[to_participant(m, today=today) for m in stored],
            owners={m.id: m.user_id for m in stored},
            rows={m.id: k for k, m in enumerate(stored)},
            capacity=np.array([m.places for m in stored], dtype=np.int64),
            model=model,
        )
        with self._lock:
            self._entries[organization_id] = entry
        return entry

    def snapshot(self, session: Session, organization_id: uuid.UUID, today: date) -> Snapshot:
        """The organization's index, rebuilt if its mentors changed; `Snapshot.refresh` reads
        the loads (after the organization's lock is taken)."""
        entry = self.mentors(session, organization_id, today)
        with self._lock:
            if entry.index is None:
                entry.index = PartnerIndex.for_mentors(
                    entry.mentors, reference_date=today, model=entry.model
                )
        return Snapshot(self._lock, entry, organization_id)


class Snapshot:
    """One transaction's view of an organization's free places, over the cached index.

    The loads are read once and kept up to date with the proposals this transaction makes
    (`took`); after a refusal under a mentor's lock, `refresh` reads them again.
    """

    def __init__(self, lock: threading.Lock, entry: _Entry, organization_id: uuid.UUID) -> None:
        self._lock, self._entry, self._organization_id = lock, entry, organization_id
        self._remaining = entry.capacity.copy()
        self.model_version: int | None = entry.key[3]  # what scores this snapshot's picks

    def refresh(self, session: Session) -> None:
        """Read every mentor's load again (one grouped count)."""
        remaining = self._entry.capacity.copy()
        for mentor_id, held in organization_load(
            session=session, organization_id=self._organization_id
        ).items():
            row = self._entry.rows.get(mentor_id)
            if row is not None:  # only mentors holding someone are counted
                remaining[row] -= held
        self._remaining = remaining

    def took(self, mentor_id: uuid.UUID) -> None:
        """One more place of this mentor is taken by a proposal just made."""
        row = self._entry.rows.get(mentor_id)
        if row is not None:
            self._remaining[row] -= 1

    def best(self, mentee: Participant, excluded: set[str]) -> PartnerMatch | None:
        """The best feasible mentor with a free place for `mentee`, or None."""
        # The engine's index is not thread-safe (the worker of `make run` uses threads).
        with self._lock:
            index = self._entry.index
            assert index is not None  # `MentorIndexes.snapshot` built it
            index.set_all_remaining(self._remaining)
            return index.best_partner(mentee, excluded=excluded, explain=True)


MENTOR_INDEXES = MentorIndexes()
