"""What each viewer sees of a profile: its owner everything, a coordinator a summary."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from services.core.matching.eligibility import active_mentee_count
from services.core.models import Profile, ProfileRole
from services.core.profiles.schemas import (
    LocationPublic,
    MenteeProfilePublic,
    MentorProfilePublic,
    MentorSummary,
    ProfilePublic,
    WaitingMentee,
)


def to_public(*, session: Session, profile: Profile) -> ProfilePublic:
    """A profile as its owner sees it."""
    location = (
        LocationPublic(latitude=profile.latitude, longitude=profile.longitude)
        if profile.latitude is not None and profile.longitude is not None
        else None
    )
    common: dict[str, Any] = {
        column: getattr(profile, column)
        for column in [
            "id",
            "role",
            "alias",
            "gender",
            "gender_preference",
            "pathways",
            "recovery_date",
            "languages",
            "max_distance_km",
            "meeting_format",
            "timezone",
            "availability",
            "interests",
            "about",
            "created_at",
            "updated_at",
        ]
    }
    common["location"] = location
    if profile.role == ProfileRole.mentee:
        return MenteeProfilePublic(**common, waiting_since=profile.waiting_since)
    return MentorProfilePublic(
        **common,
        capacity=profile.places,
        paused=profile.paused,
        vetting_status=profile.vetting,
        active_mentees=active_mentee_count(session=session, mentor_id=profile.id),
    )


def recovery_band(recovery_date: date | None, today: date | None = None) -> str:
    """Time in recovery as a coarse band, never the date itself."""
    if recovery_date is None:
        return "not given"
    years = ((today or date.today()) - recovery_date).days / 365.25
    for limit, band in (
        (1, "under 1 year"),
        (2, "1-2 years"),
        (5, "2-5 years"),
        (10, "5-10 years"),
    ):
        if years < limit:
            return band
    return "10 years or more"


def mentor_summary(profile: Profile) -> MentorSummary:
    """A mentor as a coordinator sees them while vetting: no contact details, no location."""
    return MentorSummary(
        profile_id=profile.id,
        alias=profile.alias,
        pathways=profile.pathways,
        time_in_recovery=recovery_band(profile.recovery_date),
        languages=profile.languages,
        meeting_format=profile.meeting_format,
        capacity=profile.places,
        paused=profile.paused,
        vetting_status=profile.vetting,
        vetting_note=profile.vetting_note,
        about=profile.about,
        created_at=profile.created_at,
    )


def waiting_mentee(profile: Profile, *, now: datetime) -> WaitingMentee:
    """An unmatched mentee as a coordinator sees them, with how long they have waited."""
    since = profile.waiting_since or profile.created_at
    return WaitingMentee(
        profile_id=profile.id,
        alias=profile.alias,
        pathways=profile.pathways,
        languages=profile.languages,
        meeting_format=profile.meeting_format,
        waiting_since=since,
        waiting_days=(now - since).days,
    )
