"""Each organization's vetted mentors, encoded once per worker process for the engine.

Re-reading and re-encoding every mentor for each saved profile is where the incremental
path spent nine tenths of its time. The index is rebuilt only when the set of vetted,
unpaused mentors or any of their profiles changed (their count and latest `updated_at`,
read in one aggregate query), or the day turned; remaining capacities, which change with
every proposal, are refreshed from one grouped count before each use.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from services.core.matching.holdings import organization_load
from services.core.matching.participants import to_participant
from services.core.models import Profile, ProfileRole, VettingStatus
from services.matcher import Participant, PartnerIndex, PartnerMatch


@dataclass
class _Entry:
    key: tuple[date, int, datetime | None]
    index: PartnerIndex
    capacity: dict[str, int]


def _vetted(organization_id: uuid.UUID) -> list[ColumnElement[bool]]:
    return [
        Profile.organization_id == organization_id,
        Profile.role == ProfileRole.mentor,
        Profile.vetting_status == VettingStatus.approved,
        Profile.paused.is_(False),
    ]


class MentorIndexes:
    """A per-process cache of mentor indexes, one per organization."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[uuid.UUID, _Entry] = {}

    def best_mentor(
        self,
        session: Session,
        mentee: Participant,
        organization_id: uuid.UUID,
        today: date,
        excluded: set[str],
    ) -> PartnerMatch | None:
        """The best feasible mentor with a free place for `mentee`, or None."""
        count, latest = session.execute(
            select(func.count(), func.max(Profile.updated_at)).where(*_vetted(organization_id))
        ).one()
        key = (today, int(count), latest)
        load = organization_load(session, organization_id)
        # The engine's index is not thread-safe (the worker of `make run` uses threads).
        with self._lock:
            entry = self._entries.get(organization_id)
            if entry is None or entry.key != key:
                mentors = session.scalars(select(Profile).where(*_vetted(organization_id))).all()
                index = PartnerIndex.for_mentors(
                    [to_participant(m, today=today) for m in mentors], reference_date=today
                )
                capacity = {str(m.id): m.capacity or 1 for m in mentors}
                entry = _Entry(key, index, capacity)
                self._entries[organization_id] = entry
            for mentor_id, places in entry.capacity.items():
                entry.index.set_remaining(mentor_id, places - load.get(uuid.UUID(mentor_id), 0))
            return entry.index.best_partner(mentee, excluded=excluded, explain=True)


MENTOR_INDEXES = MentorIndexes()
