"""A coordinator's own proposal: the same hard constraints as the engine's, named on failure."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.core.errors import Conflict, InvalidInput
from services.core.introductions.schemas import ManualProposal
from services.core.matching.eligibility import (
    holding_counts,
    is_excluded,
    mentee_holds_introduction,
)
from services.core.matching.proposals import check_manual_pair, create_proposal, manual_candidate
from services.core.models import (
    Introduction,
    User,
    VettingStatus,
)
from services.core.profiles.service import get_org_pair


def propose(
    *, session: Session, coordinator: User, body: ManualProposal, expiry_days: int
) -> Introduction:
    """Create the proposal, or raise 404 (not ours), 422 (constraints) or 409 (taken)."""
    mentee, mentor = get_org_pair(
        session=session,
        organization_id=coordinator.organization_id,
        mentee_profile_id=body.mentee_profile_id,
        mentor_profile_id=body.mentor_profile_id,
    )
    broken = check_manual_pair(
        mentee,
        mentor,
        excluded=is_excluded(session=session, mentee=mentee, mentor=mentor),
    )
    if mentee.user_id == mentor.user_id:
        broken.append("same_person")
    if mentor.vetting_status != VettingStatus.approved or mentor.resting:
        broken.append("eligibility")
    if holding_counts(session=session, mentor_ids=[mentor.id]).get(mentor.id, 0) >= mentor.places:
        broken.append("capacity")
    if mentee_holds_introduction(session=session, mentee_id=mentee.id):
        broken.append("mentee_has_open_introduction")
    if broken:
        raise InvalidInput(
            "mentor_profile_id",
            "the pair breaks hard constraints: " + ", ".join(broken),
            error_type="hard_constraints",
            extra={"constraints": broken},
        )
    introduction = create_proposal(
        session=session,
        candidate=manual_candidate(mentee, mentor),
        expiry_days=expiry_days,
        source="manual",
        actor_id=coordinator.id,
    )
    if introduction is None:
        raise Conflict("The pair was taken by another proposal just now; try again")
    return introduction
