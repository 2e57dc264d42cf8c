"""Withdrawing a profile: its open and active introductions end, and every introduction
it took part in stays, with its outcome and features, naming nobody on that side."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.core.introductions import transitions
from services.core.models import HOLDING_STATUSES, Introduction, ProfileRole, User
from services.core.profiles.service import get_own


def withdraw(*, session: Session, user: User, role: ProfileRole) -> None:
    """Deletes the caller's profile for one side, and with it what they wrote."""
    profile = get_own(session=session, user=user, role=role)
    mine = (
        Introduction.mentee_profile_id
        if role == ProfileRole.mentee
        else Introduction.mentor_profile_id
    )
    holding = session.scalars(
        select(Introduction)
        .where(mine == profile.id, Introduction.status.in_(HOLDING_STATUSES))
        .options(*transitions.WITH_PROFILES)
        .order_by(Introduction.id)
        .with_for_update()
    ).all()
    # As an erasure does: the other side sees only that it ended, is matched again, and
    # the pair stays apart should this person come back with a new profile.
    for introduction in holding:
        transitions.end_at_once(
            session=session,
            introduction=introduction,
            actor=user,
            side=str(role),
            action="withdraw",
        )
    # The explanation names shared interests and languages: it goes with the profile. The
    # numbers in `features` (no text, no place) stay for the learned model.
    session.execute(
        update(Introduction)
        .where(mine == profile.id)
        .values(explanation={})
        .execution_options(synchronize_session=False)
    )
    session.delete(profile)  # the database sets this side to NULL (ON DELETE SET NULL)
    session.flush()
