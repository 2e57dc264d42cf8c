"""What each viewer sees of a profile: its owner everything, a coordinator a summary."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.introductions.responsiveness import AnswerRecord, answer_records
from services.core.matching.eligibility import active_mentee_count, mentee_holds_introduction
from services.core.matching.participants import reference_date, to_participant
from services.core.matching.waiting import blockers, waiting_reasons
from services.core.models import Profile, ProfileRole, User
from services.core.profiles.geo import label_for
from services.core.profiles.schemas import (
    LocationPublic,
    MatchingStatus,
    MenteeProfilePublic,
    MentorProfilePublic,
    MentorSummary,
    ProfilePublic,
    WaitingMentee,
)
from services.core.profiles.service import vetting_message
from services.core.safety.access import record_reads
from services.core.safety.schemas import MentorApplicant, VettingOutcome
from services.core.vocabulary import AccessKind
from services.matcher import Settings as MatchSettings
from services.matcher import never_matches
from services.matcher.explanations import recovery_band as band_of_days


def to_public(*, session: Session, profile: Profile, with_status: bool = False) -> ProfilePublic:
    """A profile as its owner sees it; `with_status` adds, for a waiting mentee, why they
    still wait (it reads the organization's mentors, so only where it is asked for)."""
    location = (
        LocationPublic(latitude=profile.latitude, longitude=profile.longitude, **place_of(profile))
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
    common["blockers"] = blockers(profile)
    if profile.role == ProfileRole.mentee:
        status = None
        if with_status and not mentee_holds_introduction(session=session, mentee_id=profile.id):
            status = waiting_reasons(
                session=session, organization_id=profile.organization_id, mentees=[profile]
            ).get(profile.id)
        return MenteeProfilePublic(
            **common, waiting_since=profile.waiting_since, matching_status=status
        )
    return MentorProfilePublic(
        **common,
        capacity=profile.places,
        paused=profile.paused,
        on_hold=profile.held_since is not None,
        vetting_status=profile.vetting,
        active_mentees=active_mentee_count(session=session, mentor_id=profile.id),
        vetting_message=vetting_message(profile),
    )


def place_of(profile: Profile) -> dict[str, str | None]:
    """The city a profile's owner chose, with its label, or nothing if they gave a point."""
    if profile.place_city is None or profile.place_country is None:
        return {}
    return {
        "city": profile.place_city,
        "region": profile.place_region,
        "country": profile.place_country,
        "label": label_for(profile.place_city, profile.place_region, profile.place_country),
    }


def recovery_band(recovery_date: date | None, today: date | None = None) -> str:
    """Time in recovery as a coarse band, never the date itself (the engine's bands, so that
    cards and explanations say the same)."""
    if recovery_date is None:
        return "not given"
    return band_of_days(((today or date.today()) - recovery_date).days)


def mentor_summary(profile: Profile, record: AnswerRecord | None = None) -> MentorSummary:
    """A mentor as a coordinator sees them while vetting: no contact details, no location."""
    return MentorSummary(
        held_since=profile.held_since,
        median_answer_hours=record.median_answer_hours if record else None,
        expired_unanswered=record.expired_unanswered if record else 0,
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
        changed_since_vetting=list(profile.changed_since_vetting or []),
        about=profile.about,
        created_at=profile.created_at,
    )


def waiting_mentee(
    profile: Profile, *, now: datetime, status: MatchingStatus | None = None
) -> WaitingMentee:
    """An unmatched mentee as a coordinator sees them: how long they have waited, and why."""
    since = profile.waiting_since or profile.created_at
    return WaitingMentee(
        profile_id=profile.id,
        alias=profile.alias,
        pathways=profile.pathways,
        languages=profile.languages,
        meeting_format=profile.meeting_format,
        waiting_since=since,
        waiting_days=(now - since).days,
        matching_status=status,
    )


def applicant_presenter(
    *, session: Session, coordinator: User, profiles: Sequence[Profile]
) -> Callable[[Profile], MentorApplicant]:
    """`MentorApplicant` for a page of mentors: their names and emails read in one query, and
    the read recorded in each one's access log (one insert)."""
    owners = {p.user_id for p in profiles}
    people: dict[uuid.UUID, tuple[str, str]] = (
        {
            user_id: (name, email)
            for user_id, name, email in session.execute(
                select(User.id, User.display_name, User.email).where(User.id.in_(owners))
            )
        }
        if owners
        else {}
    )
    record_reads(
        session=session, coordinator=coordinator, what=AccessKind.contact, member_ids=owners
    )
    records = answer_records(session=session, mentor_ids=[p.id for p in profiles])

    def present(profile: Profile) -> MentorApplicant:
        name, email = people[profile.user_id]
        summary = mentor_summary(profile, records.get(profile.id))
        return MentorApplicant(**summary.model_dump(), display_name=name, email=email)

    return present


def _date_words(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def matching_warnings(profile: Profile, *, today: date | None = None) -> list[str]:
    """What keeps an approved mentor from being matched yet, in plain words for a coordinator."""
    today = today or reference_date()
    warnings = []
    for blocker in never_matches(
        to_participant(profile, today=today), "mentor", reference_date=today
    ):
        if blocker.code == "mentor_recovery_time":
            ready = _mentor_ready_date(profile, today)
            when = f" They can be matched from {_date_words(ready)}." if ready else ""
            warnings.append(
                "This mentor has less time in recovery than mentors need, so they will not "
                f"be matched yet.{when}"
            )
        elif blocker.code in ("no_availability", "too_little_availability"):
            warnings.append(
                "This mentor's free times are too few for any match; they will not be "
                "matched until they add more."
            )
        else:
            warnings.append(
                "Something on this mentor's profile rules out every match for now "
                f"({blocker.field.replace('_', ' ')})."
            )
    return warnings


def _mentor_ready_date(profile: Profile, today: date) -> date | None:
    if profile.recovery_date is None:
        return None
    ready = profile.recovery_date + timedelta(days=MatchSettings().min_mentor_recovery_days)
    return ready if ready > today else None


def vetting_outcome(*, session: Session, coordinator: User, profile: Profile) -> VettingOutcome:
    """A vetting decision as the coordinator sees it, warnings included when approved."""
    applicant = applicant_presenter(session=session, coordinator=coordinator, profiles=[profile])
    warnings = matching_warnings(profile) if profile.vetting_status == "approved" else []
    return VettingOutcome(**applicant(profile).model_dump(), warnings=warnings)


def waiting_presenter(
    *, session: Session, coordinator: User, profiles: Sequence[Profile], now: datetime
) -> Callable[[Profile], WaitingMentee]:
    """`waiting_mentee` for a page, with why each waits (one engine call for the page), the
    read recorded in each one's access log (one insert)."""
    record_reads(
        session=session,
        coordinator=coordinator,
        what=AccessKind.profile,
        member_ids=[p.user_id for p in profiles],
    )
    reasons = waiting_reasons(
        session=session, organization_id=coordinator.organization_id, mentees=profiles
    )
    return lambda profile: waiting_mentee(profile, now=now, status=reasons.get(profile.id))
