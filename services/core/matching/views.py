"""What coordinators see of a batch matching run."""

from __future__ import annotations

from services.core.matching.schemas import MatchingRunPublic
from services.core.models import MatchingRun


def to_public(run: MatchingRun) -> MatchingRunPublic:
    """A matching run as its organization's coordinators see it."""
    return MatchingRunPublic.model_validate(run)
