"""Each organization's vetted mentors, encoded once per worker process for the engine.

Re-reading and re-encoding every mentor for each saved profile is where the incremental
path spent nine tenths of its time. The index is rebuilt only when the set of vetted,
unpaused mentors or any of their profiles changed (their count and latest `updated_at`,
read in one aggregate query), or the day turned; remaining capacities, which change with
every proposal, are read from one grouped count per transaction (`Snapshot`). A change of
the organization's active learned model (`learning.ACTIVE_MODELS`) rebuilds it too.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.core.matching.active_models import ACTIVE_MODELS
from services.core.matching.eligibility import organization_load, vetted_mentor
from services.core.matching.participants import to_participant
from services.core.models import Profile
from services.matcher import Participant, PartnerIndex, PartnerMatch


@dataclass
class _Entry:
    key: tuple[date, int, datetime | None, int | None]
    index: PartnerIndex
    rows: dict[uuid.UUID, int]
    capacity: np.ndarray


class MentorIndexes:
    """A per-process cache of mentor indexes, one per organization."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[uuid.UUID, _Entry] = {}

    def snapshot(self, session: Session, organization_id: uuid.UUID, today: date) -> Snapshot:
        """The organization's index, rebuilt if its mentors changed; `Snapshot.refresh` reads
        the loads (after the organization's lock is taken)."""
        count, latest = session.execute(
            select(func.count(), func.max(Profile.updated_at)).where(
                *vetted_mentor(organization_id)
            )
        ).one()
        number, model = ACTIVE_MODELS.get(session, organization_id)
        key = (today, int(count), latest, number)  # a new active model rebuilds the index
        with self._lock:
            entry = self._entries.get(organization_id)
            if entry is None or entry.key != key:
                mentors = session.scalars(
                    select(Profile).where(*vetted_mentor(organization_id))
                ).all()
                index = PartnerIndex.for_mentors(
                    [to_participant(m, today=today) for m in mentors],
                    reference_date=today,
                    model=model,
                )
                rows = {m.id: k for k, m in enumerate(mentors)}
                capacity = np.array([m.places for m in mentors], dtype=np.int64)
                entry = _Entry(key, index, rows, capacity)
                self._entries[organization_id] = entry
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
            self._entry.index.set_all_remaining(self._remaining)
            return self._entry.index.best_partner(mentee, excluded=excluded, explain=True)


MENTOR_INDEXES = MentorIndexes()
