"""Listing introductions costs the same few SQL statements for 5 rows as for 50.

Each listing reads its page, the total, both sides' profiles and (for the two people
introduced) the contact details once for the whole page, never once per row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from services.core.db import transaction, utcnow
from services.core.models import (
    Answer,
    Introduction,
    IntroductionStatus,
    Profile,
    ProfileRole,
    User,
)
from tests.workflow.conftest import Cast, Person

# Authentication, the total, the page, each side's profiles, the contacts and SQLite's
# BEGIN: a handful, whatever the page size.
BOUND = 10
# Every status, so that the active ones (contact shown to the participants) are on the page.
STATUSES = list(IntroductionStatus)


def _add_introductions(cast: Cast, mentor: Person, count: int, start: int) -> None:
    """`count` introductions of `mentor` with as many new mentees, straight into the tables."""
    now = utcnow()
    with transaction(cast.app.state.session_factory) as session:
        mentor_profile = session.get(Profile, uuid.UUID(mentor.profile_id))
        assert mentor_profile is not None
        organization_id = mentor_profile.organization_id
        for index in range(start, start + count):
            user = User(
                id=uuid.uuid4(),
                email=f"listed{index}@example.org",
                password_hash="not a hash",
                display_name=f"Listed {index}",
                organization_id=organization_id,
            )
            mentee = Profile(
                id=uuid.uuid4(),
                user_id=user.id,
                organization_id=organization_id,
                role=ProfileRole.mentee,
                alias=f"L{index}",
                gender="woman",
                pathways=["aa"],
                languages=["en"],
                meeting_format="either",
                timezone="America/Los_Angeles",
            )
            status = STATUSES[index % len(STATUSES)]
            answered = status != IntroductionStatus.proposed
            # No relationship tells the unit of work the order: the account goes in first.
            session.add(user)
            session.flush()
            session.add(mentee)
            session.flush()
            session.add(
                Introduction(
                    organization_id=organization_id,
                    mentee_profile_id=mentee.id,
                    mentor_profile_id=mentor_profile.id,
                    status=status,
                    mentee_response=Answer.accepted if answered else Answer.pending,
                    mentor_response=Answer.accepted if answered else Answer.pending,
                    score=0.5,
                    explanation={},
                    distance_km=3.0,
                    overlap_minutes=120,
                    source="manual",
                    proposed_at=now - timedelta(minutes=index),
                    expires_at=now + timedelta(days=7),
                    approved_at=now if status == IntroductionStatus.active else None,
                )
            )


@contextmanager
def _counting(cast: Cast) -> Iterator[list[str]]:
    """The SQL statements the app's engine sends while the block runs."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = cast.app.state.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _statements_for(cast: Cast, path: str, headers: dict[str, str], rows: int) -> int:
    with _counting(cast) as statements:
        response = cast.client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    assert len(response.json()) == rows
    assert response.headers["x-total-count"] == str(rows)
    return len(statements)


@pytest.mark.parametrize("listing", ["member", "coordinator"])
def test_listing_introductions_takes_the_same_few_statements_for_5_or_50(
    cast: Cast, listing: str
) -> None:
    mentor = cast.mentor()
    if listing == "member":
        path, headers = "/api/v1/me/introductions", mentor.headers
    else:
        path, headers = "/api/v1/coordinator/introductions", cast.coordinator
    # Each page full (5 of 5, then 50 of 50), so that both ask for the total: a page that
    # is not full tells its total without the count query (`pagination.paginate`).
    _add_introductions(cast, mentor, 5, start=0)
    few = _statements_for(cast, f"{path}?limit=5", headers, 5)
    _add_introductions(cast, mentor, 45, start=5)
    many = _statements_for(cast, f"{path}?limit=50", headers, 50)
    assert few == many, f"{few} statements for 5 rows, {many} for 50"
    assert many < BOUND


def test_a_members_page_is_read_with_both_profiles_in_one_statement(cast: Cast) -> None:
    """The token, the page with both sides' profiles joined in, the page's contacts: three
    (the page is not full, so it tells its own total; SQLite's BEGIN aside)."""
    mentor = cast.mentor()
    _add_introductions(cast, mentor, 5, start=0)
    with _counting(cast) as statements:
        response = cast.client.get("/api/v1/me/introductions?limit=50", headers=mentor.headers)
    assert response.status_code == 200, response.text
    assert len(response.json()) == 5
    assert response.headers["x-total-count"] == "5"
    sent = [s for s in statements if s.strip().upper() != "BEGIN"]
    assert len(sent) == 3, sent
