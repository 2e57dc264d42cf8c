"""Demo data for `make run`: an organization a newcomer can click through at once."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from services.core.accounts.schemas import AccountCreate
from services.core.accounts.service import create_coordinator, ensure_organization, register
from services.core.db import make_engine, make_session_factory, transaction, utcnow
from services.core.models import ProfileRole, User, VettingStatus
from services.core.profiles.schemas import MenteeProfileIn, MentorProfileIn
from services.core.profiles.service import save
from services.core.settings import get_settings

DEMO_ORGANIZATION = "demo"
COORDINATOR = ("coordinator@demo.example.org", "demo-coordinator-password")
MENTEE = ("mentee@demo.example.org", "demo-mentee-password")
EVENINGS = [{"day": day, "start": "18:00", "end": "21:00"} for day in ("mon", "wed", "thu")]

DEMO_MENTORS: list[dict[str, Any]] = [
    {
        "alias": "Juniper",
        "gender": "woman",
        "pathways": ["aa"],
        "recovery_date": date(2015, 6, 1),
        "interests": ["parenting", "running"],
        "about": "Sober since 2015, mother of two.",
    },
    {
        "alias": "Cedar",
        "gender": "man",
        "pathways": ["na", "aa"],
        "recovery_date": date(2012, 2, 14),
        "interests": ["music", "cooking"],
        "about": "Working the steps daily; I love helping newcomers find their feet.",
    },
    {
        "alias": "Sage",
        "gender": "nonbinary",
        "pathways": ["smart"],
        "recovery_date": date(2019, 9, 30),
        "interests": ["hiking", "journaling"],
        "about": "SMART tools changed my life. Happy to share what worked for me.",
    },
    {
        "alias": "Maple",
        "gender": "woman",
        "pathways": ["celebrate_recovery"],
        "recovery_date": date(2017, 11, 5),
        "interests": ["faith", "gardening"],
        "about": "Celebrate Recovery leader, patient listener.",
    },
]


def _mentor_profile(person: dict[str, Any]) -> MentorProfileIn:
    return MentorProfileIn(
        **person,
        gender_preference=[],
        languages=["en"],
        location={"city": "Portland", "region": "Oregon", "country": "US"},
        max_distance_km=40,
        meeting_format="either",
        timezone="America/Los_Angeles",
        availability=EVENINGS,
        capacity=2,
    )


def seed(*, session: Session) -> bool:
    """Create the demo organization and people unless they exist; True if created now."""
    if session.scalar(select(User.id).where(User.email == COORDINATOR[0])) is not None:
        return False
    ensure_organization(session=session, slug=DEMO_ORGANIZATION, name="Demo Recovery Fellowship")
    coordinator = create_coordinator(
        session=session,
        email=COORDINATOR[0],
        password=COORDINATOR[1],
        organization=DEMO_ORGANIZATION,
        display_name="Demo Coordinator",
    )
    for index, person in enumerate(DEMO_MENTORS):
        user = register(
            session=session,
            account=AccountCreate(
                email=f"mentor{index + 1}@demo.example.org",
                password="demo-mentor-password",
                display_name=person["alias"],
                organization=DEMO_ORGANIZATION,
            ),
            default_organization=DEMO_ORGANIZATION,
        )
        profile = save(
            session=session, user=user, role=ProfileRole.mentor, body=_mentor_profile(person)
        ).profile
        # Three are vetted already so matching has someone to propose; one waits for you.
        if index < 3:
            profile.vetting_status = VettingStatus.approved
            profile.vetted_at = utcnow()
            profile.vetted_by_id = coordinator.id
    mentee = register(
        session=session,
        account=AccountCreate(
            email=MENTEE[0],
            password=MENTEE[1],
            display_name="Demo Mentee",
            organization=DEMO_ORGANIZATION,
        ),
        default_organization=DEMO_ORGANIZATION,
    )
    save(
        session=session,
        user=mentee,
        role=ProfileRole.mentee,
        body=MenteeProfileIn(
            alias="Robin",
            gender="woman",
            pathways=["aa"],
            recovery_date=date(2026, 9, 1),
            languages=["en"],
            location={"city": "Portland", "region": "Oregon", "country": "US"},
            meeting_format="either",
            timezone="America/Los_Angeles",
            availability=[{"day": "wed", "start": "19:00", "end": "21:00"}],
            interests=["parenting"],
            about="A few weeks in, looking for a sponsor who gets it.",
        ),
    )
    session.flush()
    return True


def seed_demo_command() -> int:
    """`peermatch seed-demo`: create the demo data and print how to log in."""
    engine = make_engine(get_settings().database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            created = seed(session=session)
    except (OperationalError, ProgrammingError):
        print(
            "peermatch seed-demo: the database is not migrated; run `alembic upgrade head`",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    print(
        "demo data "
        + ("created" if created else "already present")
        + f" in organization '{DEMO_ORGANIZATION}':"
    )
    print(f"  coordinator  {COORDINATOR[0]}  password {COORDINATOR[1]}")
    print(f"  mentee       {MENTEE[0]}  password {MENTEE[1]}")
    print("  mentors      mentor1..4@demo.example.org  password demo-mentor-password")
    return 0
