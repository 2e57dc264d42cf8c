"""Seed the demo organization's people and their history; reset them without touching the
set-up (the organization, its settings, other coordinators and other accounts)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from services.core.accounts.schemas import AccountCreate
from services.core.accounts.security import hash_password
from services.core.accounts.service import create_coordinator, ensure_organization, register
from services.core.db import utcnow
from services.core.demo import people
from services.core.demo.history import tell
from services.core.matching.proposals import queue_profile_matching
from services.core.models import (
    HOLDING_STATUSES,
    Introduction,
    IntroductionStatus,
    Profile,
    ProfileRole,
    User,
    VettingStatus,
)
from services.core.models.operations import Notification
from services.core.models.safety import Report
from services.core.profiles.schemas import MenteeProfileIn, MentorProfileIn
from services.core.profiles.service import save, vet_mentor
from services.core.safety import service as safety
from services.core.settings import get_settings
from services.core.vocabulary import ReportCategory

REPORT_DETAILS = "My mentor has missed our last two meetings without a word."


def demo_present(*, session: Session) -> bool:
    """Whether any demo member exists (then seeding again creates nothing)."""
    emails = people.demo_member_emails()
    return session.scalar(select(User.id).where(User.email.in_(emails)).limit(1)) is not None


def _coordinator(session: Session) -> User:
    ensure_organization(
        session=session, slug=people.DEMO_ORGANIZATION, name=people.DEMO_ORGANIZATION_NAME
    )
    existing = session.scalar(select(User).where(User.email == people.COORDINATOR[0]))
    if existing is not None:
        return existing
    return create_coordinator(
        session=session,
        email=people.COORDINATOR[0],
        password=people.COORDINATOR[1],
        organization=people.DEMO_ORGANIZATION,
        display_name="Demo Coordinator",
    )


def _member(session: Session, email: str, name: str, password_hash: str) -> User:
    return register(
        session=session,
        account=AccountCreate(
            email=email,
            password="unused: hashed once",
            display_name=name,
            organization=people.DEMO_ORGANIZATION,
        ),
        default_organization=people.DEMO_ORGANIZATION,
        password_hash=password_hash,
    )


def seed(*, session: Session) -> bool:
    """Create the demo organization, its people and their history unless they exist; True if
    created now."""
    coordinator = _coordinator(session)
    if demo_present(session=session):
        return False
    now = utcnow()
    who: dict[str, User] = {}
    profiles: dict[str, Profile] = {}
    # Argon2 once per password, not once per person.
    mentor_hash, mentee_hash = hash_password(people.MENTOR[1]), hash_password(people.MENTEE[1])
    for index, person in enumerate(people.MENTORS):
        alias = person["alias"]
        user = _member(session, people.mentor_email(index), alias, mentor_hash)
        mentor = MentorProfileIn(**people.mentor_fields(person))
        profile = save(session=session, user=user, role=ProfileRole.mentor, body=mentor).profile
        if person["vetted"]:
            vet_mentor(
                session=session,
                coordinator=coordinator,
                profile_id=profile.id,
                decision=VettingStatus.approved,
                note=None,
            )
        who[alias], profiles[alias] = user, profile
    for index, person in enumerate(people.MENTEES):
        alias = person["alias"]
        name = "Demo Mentee" if index == 0 else alias
        user = _member(session, people.mentee_email(index), name, mentee_hash)
        body = MenteeProfileIn(**people.mentee_fields(person))
        profile = save(session=session, user=user, role=ProfileRole.mentee, body=body).profile
        who[alias], profiles[alias] = user, profile
    introductions = tell(
        session=session,
        coordinator=coordinator,
        who=who,
        profiles=profiles,
        expiry_days=get_settings().proposal_expiry_days,
    )
    _date_people(session, profiles, introductions, now)
    reported = next(
        i for i in introductions if i.mentee_profile_id == profiles["Kit"].id and i.approved_at
    )
    report = safety.report(
        session=session,
        user=who["Kit"],
        introduction_id=reported.id,
        category=ReportCategory.other,
        details=REPORT_DETAILS,
    )
    report.created_at = now - timedelta(days=2)
    session.flush()
    return True


def _date_people(
    session: Session,
    profiles: dict[str, Profile],
    introductions: list[Introduction],
    now: datetime,
) -> None:
    """When each joined, was vetted and began to wait (history only)."""
    days = {p["alias"]: p["days"] for p in [*people.MENTORS, *people.MENTEES]}
    for alias, profile in profiles.items():
        joined = now - timedelta(days=days[alias], hours=2)
        profile.created_at = profile.updated_at = joined
        if profile.role == ProfileRole.mentor:
            if profile.vetted_at is not None:
                profile.vetted_at = joined + timedelta(days=3)
                # Their application and approval were emailed back then.
                session.execute(
                    update(Notification)
                    .where(Notification.subject_id == profile.id)
                    .values(created_at=joined, sent_at=profile.vetted_at)
                )
            continue
        if profile.waiting_since is None:
            continue  # in an active mentorship
        ended = [
            i.closed_at
            for i in introductions
            if i.mentee_profile_id == profile.id
            and i.status == IntroductionStatus.ended
            and i.closed_at is not None
        ]
        # Waiting since joining, or anew since their last mentorship ended.
        profile.waiting_since = max([joined, *ended])
    session.flush()


def reset(*, session: Session) -> int:
    """Delete the demo members and everything of theirs; how many accounts went. The
    organization, its settings and every other account stay."""
    ids = list(session.scalars(select(User.id).where(User.email.in_(people.demo_member_emails()))))
    if not ids:
        return 0
    theirs = select(Profile.id).where(Profile.user_id.in_(ids))
    shared = or_(
        Introduction.mentee_profile_id.in_(theirs), Introduction.mentor_profile_id.in_(theirs)
    )
    # Someone else who held an introduction with a demo member is free again.
    partners = session.scalars(
        select(Profile)
        .join(
            Introduction,
            or_(
                Introduction.mentee_profile_id == Profile.id,
                Introduction.mentor_profile_id == Profile.id,
            ),
        )
        .where(shared, Introduction.status.in_(HOLDING_STATUSES), Profile.user_id.not_in(ids))
    ).all()
    for partner in partners:
        if partner.role == ProfileRole.mentee and partner.waiting_since is None:
            partner.waiting_since = utcnow()
        queue_profile_matching(session=session, profile=partner)
    session.execute(
        delete(Report).where(
            or_(Report.reporter_user_id.in_(ids), Report.reported_user_id.in_(ids))
        )
    )
    # Their events and emails go with them (ON DELETE CASCADE), then the accounts with
    # their profiles, blocks, exclusions, sessions and access log.
    session.execute(delete(Introduction).where(shared))
    session.execute(delete(Profile).where(Profile.user_id.in_(ids)))
    session.execute(delete(User).where(User.id.in_(ids)))
    session.expire_all()
    return len(ids)
