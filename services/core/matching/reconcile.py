"""The safety net: mentees left waiting while a feasible place is free are matched again.

The incremental path should leave nobody waiting who could be matched, but a task can be
lost (a worker killed mid-task comes back only after the broker's visibility timeout), and
a future bug could drop one. Beat runs `matching.reconcile` every `RECONCILE_SECONDS`: for
each organization, the engine's assignment of its waiting mentees to its free places (when
it has both), under the organization's matching lock. Anything it proposes was missed by the
incremental path, so it says so in a warning, with ids only.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.orm import Session

from services.core.matching.proposals import create_proposals, organization_lock
from services.core.matching.runs import solve_waiting
from services.core.models import Introduction

logger = logging.getLogger("peermatch.matching")


def reconcile(
    *, session: Session, organization_id: uuid.UUID, expiry_days: int
) -> list[Introduction]:
    """Propose for this organization's mentees who wait while a feasible place is free."""
    organization_lock(session=session, organization_id=organization_id)
    candidates, participants, _ = solve_waiting(session=session, organization_id=organization_id)
    made = create_proposals(
        session=session,
        candidates=candidates,
        participants=participants,
        expiry_days=expiry_days,
        run_id=None,
        source="reconcile",
    )
    if made:
        logger.warning(
            "reconcile: %d mentee(s) waited with a feasible place free and are now proposed: %s",
            len(made),
            " ".join(str(introduction.mentee_profile_id) for introduction in made),
        )
    return made
