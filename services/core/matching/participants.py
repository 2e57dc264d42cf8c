"""Stored profiles as the matching engine sees them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from services.core.db import utcnow
from services.core.models import Profile, ProfileRole
from services.matcher import Participant, parse_participant


def reference_date() -> date:
    """The day constraints are judged at: today in UTC."""
    return datetime.now(UTC).date()


def to_participant(profile: Profile, *, holding: int = 0, today: date | None = None) -> Participant:
    """The engine's view of a stored profile (ids are the profile ids as strings)."""
    today = today or reference_date()
    recovery = profile.recovery_date
    if recovery is not None and recovery > today:
        recovery = today  # saved just after midnight somewhere east of UTC
    record: dict[str, Any] = {
        "id": str(profile.id),
        "gender": profile.gender,
        "gender_preference": list(profile.gender_preference),
        "pathways": list(profile.pathways),
        "recovery_date": recovery.isoformat() if recovery else None,
        "languages": list(profile.languages),
        "max_distance_km": profile.max_distance_km,
        "meeting_format": profile.meeting_format,
        "timezone": profile.timezone,
        "availability": list(profile.availability),
        "interests": list(profile.interests),
        "about": profile.about,
    }
    if profile.latitude is not None and profile.longitude is not None:
        record["location"] = {"latitude": profile.latitude, "longitude": profile.longitude}
    if profile.role == ProfileRole.mentor:
        capacity = profile.places
        record["capacity"] = capacity
        record["active_mentees"] = min(holding, capacity)
    else:
        since = profile.waiting_since or profile.created_at
        record["waiting_days"] = max(0, (utcnow() - since).days)
    return parse_participant(record, str(profile.role), today)
