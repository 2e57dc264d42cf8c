"""What coordinators see of a batch matching run."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from services.core.vocabulary import MatchingRunStatus


class MatchingRunPublic(BaseModel):
    """A batch matching run."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: MatchingRunStatus
    mentees_considered: int
    proposals_created: int
    seconds: float | None
    created_at: datetime
    finished_at: datetime | None
