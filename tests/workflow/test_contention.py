"""Nobody waits while a feasible place is free: next-best under the lock, fairness, the
safety net. On both databases; the races are real threads on PostgreSQL."""

from __future__ import annotations

import logging
import threading
import time
import uuid

import pytest
from sqlalchemy import select

from services.core.db import transaction
from services.core.matching.incremental import match_profile
from services.core.matching.proposals import create_proposal, manual_candidate
from services.core.matching.reconcile import reconcile
from services.core.models import Profile
from tests.workflow.conftest import Cast, Person


def _mentor_of(cast: Cast, mentee: Person) -> str | None:
    proposed = cast.introductions(mentee, "proposed")
    return proposed[0]["mentor"]["alias"] if proposed else None


def test_a_place_taken_under_the_lock_sends_the_mentee_to_the_next_best(cast: Cast) -> None:
    cast.mentor(alias="Top", capacity=1)
    cast.mentor(alias="Next", capacity=1, interests=[], about="Happy to help.")
    # `placed` waited longer, so the incremental path places nobody ahead of it.
    placed, other = cast.mentee(alias="Placed"), cast.mentee(alias="Other")
    factory = cast.app.state.session_factory
    holding, done = threading.Event(), threading.Event()

    def coordinator_fills_top() -> None:
        # As a coordinator's manual proposal (or a batch run) would: Top's last place goes
        # while the incremental path is already choosing Top for someone else.
        with transaction(factory) as session:
            mentee = session.get(Profile, uuid.UUID(other.profile_id))
            mentor = session.scalars(select(Profile).where(Profile.alias == "Top")).one()
            assert mentee is not None
            made = create_proposal(
                session=session,
                candidate=manual_candidate(mentee, mentor),
                expiry_days=7,
                source="manual",
            )
            assert made is not None
            holding.set()
            time.sleep(1.0)
        done.set()

    filler = threading.Thread(target=coordinator_fills_top)
    filler.start()
    assert holding.wait(30)
    with transaction(factory) as session:
        outcome = match_profile(
            session=session, profile_id=uuid.UUID(placed.profile_id), expiry_days=7
        )
    filler.join(30)
    assert done.is_set()
    assert len(outcome.proposals) == 1 and not outcome.contended
    assert (_mentor_of(cast, other), _mentor_of(cast, placed)) == ("Top", "Next")


def test_who_waited_longer_is_proposed_first_when_places_are_scarce(cast: Cast) -> None:
    cast.mentor(alias="Only", capacity=1)
    first, second = cast.mentee(alias="First"), cast.mentee(alias="Second")
    # The later mentee's task runs first (the first one's is still queued): the place goes
    # to the one who waited longer all the same.
    assert len(cast.match(second)) == 1
    assert (_mentor_of(cast, first), _mentor_of(cast, second)) == ("Only", None)
    assert cast.match(first) == []  # its own task, when it comes, changes nothing


def test_the_safety_net_matches_who_waits_while_a_place_is_free(
    cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    cast.mentor(alias="Free", capacity=2)
    lost = cast.mentee(alias="Lost")  # its matching task never ran
    unfit = cast.mentee(alias="Unfit", languages=["fi"])
    factory = cast.app.state.session_factory
    with transaction(factory) as session:
        organization_id = session.scalars(
            select(Profile.organization_id).where(Profile.id == uuid.UUID(lost.profile_id))
        ).one()
    caplog.set_level(logging.WARNING, logger="peermatch.matching")
    with transaction(factory) as session:
        made = reconcile(session=session, organization_id=organization_id, expiry_days=7)
    assert [str(i.mentee_profile_id) for i in made] == [lost.profile_id]
    assert (_mentor_of(cast, lost), _mentor_of(cast, unfit)) == ("Free", None)
    warning = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert lost.profile_id in warning and "Lost" not in warning
    # Run again: nothing new, and nothing twice.
    with transaction(factory) as session:
        assert reconcile(session=session, organization_id=organization_id, expiry_days=7) == []
    assert len(cast.introductions(lost)) == 1
