"""Why a mentee is still waiting, in plain words, from the engine's explanation: which rules
stand between them and the mentors with room, and the one change that would open a match."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from services.core.matching.eligibility import excluded_partners_of, organization_load
from services.core.matching.mentor_index import MENTOR_INDEXES
from services.core.matching.participants import reference_date, to_participant
from services.core.models import Profile
from services.core.profiles.schemas import MatchingStatus, ProfileBlockerPublic
from services.matcher import Settings as MatchSettings
from services.matcher import explain_waiting, never_matches


def waiting_reasons(
    *, session: Session, organization_id: uuid.UUID, mentees: Sequence[Profile]
) -> dict[uuid.UUID, MatchingStatus]:
    """Why each of these waiting mentees of one organization waits (one engine call)."""
    if not mentees:
        return {}
    today = reference_date()
    known = MENTOR_INDEXES.mentors(session, organization_id, today)
    mentors = known.with_loads(organization_load(session=session, organization_id=organization_id))
    excluded = excluded_partners_of(session=session, profiles=mentees)
    pairs = [
        (str(mentee.id), str(mentor_id))
        for mentee in mentees
        for mentor_id, owner in known.owners.items()
        if owner == mentee.user_id or mentor_id in excluded.get(mentee.id, set())
    ]
    reasons = explain_waiting(
        [to_participant(mentee, today=today) for mentee in mentees],
        mentors,
        reference_date=today,
        exclusions=pairs,
    )
    by_id = {mentee.id: mentee for mentee in mentees}
    return {
        by_id[uuid.UUID(reason.mentee_id)].id: MatchingStatus.model_validate(reason.as_dict())
        for reason in reasons
    }


def blockers(profile: Profile) -> list[ProfileBlockerPublic]:
    """What on this profile rules out every match, whoever else signs up (empty if nothing)."""
    today = reference_date()
    found = never_matches(
        to_participant(profile, today=today),
        str(profile.role),
        reference_date=today,
        settings=MatchSettings(),
    )
    return [ProfileBlockerPublic.model_validate(blocker.as_dict()) for blocker in found]
