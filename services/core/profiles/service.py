"""Profiles: save and read one's own; coordinators list and vet their own org's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.db import utcnow
from services.core.errors import Conflict, InvalidInput, NotFound
from services.core.matching.eligibility import waiting_mentee
from services.core.matching.proposals import queue_profile_matching
from services.core.models import (
    Profile,
    ProfileRole,
    User,
    VettingStatus,
)
from services.core.notifications import notify_coordinators, notify_user
from services.core.pagination import Page, paginate
from services.core.profiles.places import locate
from services.core.profiles.schemas import (
    MenteeProfileIn,
    MentorProfileIn,
)

# What a coordinator vets in a mentor: an approved mentor who changes any of these goes back
# to review. Logistics (capacity, pause, availability, location, distance, format,
# timezone, languages) change freely.
VETTED_FIELDS = {
    "alias": "your alias",
    "gender": "your gender",
    "gender_preference": "who you would mentor",
    "pathways": "your pathways",
    "recovery_date": "your recovery date",
    "interests": "your interests",
    "about": "your about text",
}


@dataclass(frozen=True)
class Saved:
    """A saved profile, whether this save created it, and whether it sent an approved
    mentor back to review."""

    profile: Profile
    created: bool
    back_to_review: bool = False


def _comparable(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(str(item) for item in value)
    return value


def _vetted_changes(profile: Profile, fields: dict[str, Any]) -> list[str]:
    return [
        name
        for name in VETTED_FIELDS
        if _comparable(getattr(profile, name)) != _comparable(fields[name])
    ]


def vetting_message(profile: Profile) -> str | None:
    """Plain words for a mentor sent back to review by their own changes, else None."""
    if profile.vetting != VettingStatus.pending or not profile.changed_since_vetting:
        return None
    changed = [VETTED_FIELDS.get(name, name) for name in profile.changed_since_vetting]
    listed = changed[0] if len(changed) == 1 else ", ".join(changed[:-1]) + " and " + changed[-1]
    return (
        f"You changed {listed} since a coordinator approved you, so a coordinator will look "
        "at your profile again. You will not get new introductions until then; the "
        "mentorships you have carry on."
    )


def get_own(*, session: Session, user: User, role: ProfileRole) -> Profile:
    """Gets the caller's own profile for one side, or raises NotFound."""
    profile = session.scalar(
        select(Profile).where(Profile.user_id == user.id, Profile.role == role)
    )
    if profile is None:
        raise NotFound(f"You have no {role} profile")
    return profile


def _stored_fields(body: MenteeProfileIn | MentorProfileIn) -> dict[str, Any]:
    fields = body.model_dump(mode="json", exclude={"location"})
    fields["recovery_date"] = body.recovery_date
    fields["latitude"] = fields["longitude"] = None
    fields["place_city"] = fields["place_region"] = fields["place_country"] = None
    if body.location is not None:
        located = locate(body.location)
        fields["latitude"], fields["longitude"] = located.point.latitude, located.point.longitude
        if located.city is not None:
            # The public place's own name, not what was typed.
            fields["place_city"] = located.city.name
            fields["place_region"] = located.city.region
            fields["place_country"] = located.city.country
    return fields


def save(
    *, session: Session, user: User, role: ProfileRole, body: MenteeProfileIn | MentorProfileIn
) -> Saved:
    """Creates or replaces the caller's profile for one side."""
    fields = _stored_fields(body)
    profile = session.scalar(
        select(Profile).where(Profile.user_id == user.id, Profile.role == role)
    )
    created = profile is None
    back_to_review = False
    if profile is not None and profile.vetting == VettingStatus.approved:
        changed = _vetted_changes(profile, fields)
        if changed:
            # What the coordinator approved is no longer what others see: vet it again, and
            # keep what changed for the coordinator to look at.
            back_to_review = True
            profile.vetting_status = VettingStatus.pending
            profile.changed_since_vetting = changed
    elif profile is not None and profile.changed_since_vetting is not None:
        # Still awaiting review: everything changed since the approval stays listed.
        again = _vetted_changes(profile, fields)
        profile.changed_since_vetting = sorted(set(profile.changed_since_vetting) | set(again))
    if profile is None:
        profile = Profile(user_id=user.id, organization_id=user.organization_id, role=role)
        if role == ProfileRole.mentee:
            profile.waiting_since = utcnow()
        else:
            # Mentors are matched only after a coordinator has vetted them.
            profile.vetting_status = VettingStatus.pending
        session.add(profile)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.updated_at = utcnow()
    session.flush()
    if role == ProfileRole.mentor and (created or back_to_review):
        notify_coordinators(
            session=session,
            organization_id=profile.organization_id,
            kind="mentor_applied",
            subject_id=profile.id,
        )
    queue_profile_matching(session=session, profile=profile)
    return Saved(profile=profile, created=created, back_to_review=back_to_review)


def get_org_profile(
    *, session: Session, organization_id: uuid.UUID, profile_id: uuid.UUID, role: ProfileRole
) -> Profile:
    """Gets one side's profile of one organization, or raises NotFound (also for another
    organization's, so that nobody learns it exists)."""
    profile = session.get(Profile, profile_id)
    if profile is None or profile.organization_id != organization_id or profile.role != role:
        raise NotFound(f"No such {role} profile in your organization")
    return profile


def get_org_pair(
    *,
    session: Session,
    organization_id: uuid.UUID,
    mentee_profile_id: uuid.UUID,
    mentor_profile_id: uuid.UUID,
) -> tuple[Profile, Profile]:
    """Gets a mentee and a mentor profile of one organization, or raises NotFound."""
    return (
        get_org_profile(
            session=session,
            organization_id=organization_id,
            profile_id=mentee_profile_id,
            role=ProfileRole.mentee,
        ),
        get_org_profile(
            session=session,
            organization_id=organization_id,
            profile_id=mentor_profile_id,
            role=ProfileRole.mentor,
        ),
    )


def list_org_mentors(
    *,
    session: Session,
    organization_id: uuid.UUID,
    vetting_status: VettingStatus | None,
    limit: int,
    offset: int,
) -> Page[Profile]:
    """Lists an organization's mentors, oldest first, and how many there are in all."""
    where = [Profile.organization_id == organization_id, Profile.role == ProfileRole.mentor]
    if vetting_status is not None:
        where.append(Profile.vetting_status == vetting_status)
    statement = select(Profile).where(*where).order_by(Profile.created_at, Profile.id)
    return paginate(session=session, statement=statement, limit=limit, offset=offset)


def list_waiting_mentees(
    *, session: Session, organization_id: uuid.UUID, limit: int, offset: int
) -> Page[Profile]:
    """Lists an organization's mentees with no open or active introduction, longest waiting
    first."""
    statement = (
        select(Profile)
        .where(*waiting_mentee(organization_id))
        .order_by(Profile.waiting_since.asc().nulls_last(), Profile.id)
    )
    return paginate(session=session, statement=statement, limit=limit, offset=offset)


def vet_mentor(
    *,
    session: Session,
    coordinator: User,
    profile_id: uuid.UUID,
    decision: VettingStatus,
    note: str | None,
) -> Profile:
    """Records a coordinator's vetting decision on a mentor of their organization."""
    if decision == VettingStatus.pending:
        raise InvalidInput("decision", "decision must be 'approved' or 'rejected'")
    profile = get_org_profile(
        session=session,
        organization_id=coordinator.organization_id,
        profile_id=profile_id,
        role=ProfileRole.mentor,
    )
    if profile.user_id == coordinator.id:
        raise Conflict("Coordinators cannot vet their own mentor profile")
    profile.vetting_status = decision
    profile.changed_since_vetting = None
    profile.vetting_note = note
    profile.vetted_at = utcnow()
    profile.vetted_by_id = coordinator.id
    session.flush()
    approved = decision == VettingStatus.approved
    kind = "mentor_approved" if approved else "mentor_not_approved"
    notify_user(session=session, user_id=profile.user_id, kind=kind, subject_id=profile.id)
    if approved:
        queue_profile_matching(session=session, profile=profile)
    return profile
