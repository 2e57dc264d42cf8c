"""Accounts and organizations: registration, login, coordinators."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic_core import PydanticCustomError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.core.accounts import limits
from services.core.accounts.schemas import AccountCreate, AccountCreated, Registration
from services.core.accounts.security import hash_password, verify_password
from services.core.db import utcnow
from services.core.errors import Conflict, InvalidInput, Unauthorized
from services.core.models import Organization, Role, User
from services.core.models.accounts import AuthAttemptKind
from services.core.notifications import notify_user
from services.core.settings import Settings, get_settings
from services.core.text import clean_secret, no_hidden_characters


def get_organization_by_slug(*, session: Session, slug: str) -> Organization | None:
    """Gets an organization by its slug."""
    return session.scalar(select(Organization).where(Organization.slug == slug))


def ensure_organization(*, session: Session, slug: str, name: str | None = None) -> Organization:
    """Gets an organization by slug, creating it when new."""
    organization = get_organization_by_slug(session=session, slug=slug)
    if organization is not None:
        return organization
    try:
        # Two first registrations may race to create it: the loser reads the winner's.
        with session.begin_nested():
            organization = Organization(slug=slug, name=name or slug.replace("-", " ").title())
            session.add(organization)
            session.flush()
    except IntegrityError:
        organization = get_organization_by_slug(session=session, slug=slug)
        assert organization is not None, "the organization that won the race is there"
    return organization


def get_user(*, session: Session, user_id: uuid.UUID) -> User | None:
    """Gets an account by its id."""
    return session.get(User, user_id)


def _email_taken(session: Session, email: str) -> bool:
    return session.scalar(select(User.id).where(User.email == email)) is not None


def _organization_for(session: Session, slug: str, default_organization: str) -> Organization:
    organization = get_organization_by_slug(session=session, slug=slug)
    if organization is None and slug == default_organization:
        # The deployment's default organization comes into being with its first member.
        organization = ensure_organization(session=session, slug=slug)
    if organization is None:
        raise InvalidInput("organization", "There is no organization with this name.")
    return organization


def register(
    *,
    session: Session,
    account: AccountCreate,
    default_organization: str,
    role: Role = Role.member,
    consent_version: str | None = None,
    now: datetime | None = None,
    password_hash: str | None = None,
) -> User:
    """Creates an account in an existing organization (409 if the email is taken), recording
    consent to the given privacy notice (the current one when not given)."""
    # Hashed before the first query (or by the caller, before its first): on SQLite the
    # transaction holds the write lock from then on, and argon2 takes a good part of a
    # second when many sign up at once.
    password_hash = password_hash or hash_password(account.password)
    organization = _organization_for(
        session, account.organization or default_organization, default_organization
    )
    email = account.email.lower()
    if _email_taken(session, email):
        raise Conflict("An account with this email already exists")
    user = User(
        email=email,
        password_hash=password_hash,
        display_name=account.display_name,
        role=role,
        organization_id=organization.id,
        consent_version=consent_version or get_settings().privacy_notice_version,
        consent_given_at=now or utcnow(),
        token_version=0,
    )
    session.add(user)
    try:
        # Flushing inside a savepoint turns a concurrent registration of the same email
        # into a clean 409 instead of a failed transaction.
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise Conflict("An account with this email already exists") from error
    return user


def authenticate(*, session: Session, email: str, password: str) -> User:
    """Returns the account these credentials open, or raises Unauthorized."""
    email = _login_text("username", email, no_hidden_characters).strip().lower()
    password = _login_text("password", password, clean_secret)
    user = session.scalar(select(User).where(User.email == email))
    if not verify_password(password, user.password_hash if user else None) or user is None:
        raise Unauthorized("Incorrect email or password")
    return user


def _login_text(field: str, value: str, rule: Callable[[str], str]) -> str:
    # A login form is not a pydantic model: apply the text rules by hand, so that a NUL is
    # a 422 naming the field instead of a database error.
    try:
        return rule(value)
    except PydanticCustomError as error:
        raise InvalidInput(field, error.message()) from error


def create_coordinator(
    *,
    session: Session,
    email: str,
    password: str,
    organization: str,
    display_name: str = "Coordinator",
    organization_name: str | None = None,
) -> User:
    """Creates a coordinator account, and its organization when the slug is new."""
    account = AccountCreate(
        email=email, password=password, display_name=display_name, organization=organization
    )
    ensure_organization(session=session, slug=organization, name=organization_name)
    return register(
        session=session, account=account, default_organization=organization, role=Role.coordinator
    )


@dataclass(frozen=True)
class RegistrationOutcome:
    """What registering answers (the same for a taken email), and an email owed, if any."""

    answer: AccountCreated
    email_owed: bool


def register_privately(
    *,
    session: Session,
    settings: Settings,
    registration: Registration,
    client: str,
    now: datetime,
    reader: Session | None = None,
) -> RegistrationOutcome:
    """Registers a member the way the API must: a taken email gets the same answer as a new
    one and changes nothing; its owner is owed an email (at most one per window).

    With a `reader` (a read-only session), a client past its limit is refused before any
    hashing, and the password is hashed before `session` takes a lock: the write that
    follows is short (on SQLite writers go one at a time)."""
    email = registration.email.lower()
    if reader is not None:
        limits.refuse_if_limited(
            limits.check_client(session=reader, settings=settings, client=client, now=now)
        )
        reader.close()
    # The same work for a taken email as for a new one: hashing is most of it.
    password_hash = hash_password(registration.password)
    limits.hold(session=session, settings=settings, client=client, email=email)
    limits.refuse_if_limited(
        limits.check_client(session=session, settings=settings, client=client, now=now)
    )
    if registration.consent_version != settings.privacy_notice_version:
        raise InvalidInput(
            "consent_version",
            "Please read the current privacy notice and accept its version.",
        )
    slug = registration.organization or settings.default_organization
    organization = _organization_for(session, slug, settings.default_organization)
    answer = AccountCreated(
        email=email, display_name=registration.display_name, organization=organization.slug
    )
    try:
        register(
            session=session,
            account=registration,
            default_organization=settings.default_organization,
            consent_version=registration.consent_version,
            now=now,
            password_hash=password_hash,
        )
    except Conflict:
        earlier_tries = limits.count(
            session=session,
            settings=settings,
            kind=AuthAttemptKind.registration,
            email=email,
            now=now,
        )
        # Only tries at a taken email carry its key: they decide whether its owner is told.
        limits.record(
            session=session,
            settings=settings,
            kind=AuthAttemptKind.registration,
            client=client,
            email=email,
            now=now,
        )
        owner = session.scalar(select(User.id).where(User.email == email))
        if earlier_tries == 0 and owner is not None:
            notify_user(session=session, user_id=owner, kind="registration_attempt")
        return RegistrationOutcome(answer=answer, email_owed=earlier_tries == 0)
    limits.record(
        session=session,
        settings=settings,
        kind=AuthAttemptKind.registration,
        client=client,
        now=now,
    )
    return RegistrationOutcome(answer=answer, email_owed=False)


def login(
    *,
    session: Session,
    settings: Settings,
    email: str,
    password: str,
    client: str,
    now: datetime,
    reader: Session | None = None,
) -> User | None:
    """Returns the account these credentials open, or None after counting the failure;
    raises TooManyAttempts, before looking at the password, past either limit.

    With a `reader` (a read-only session), the limits are checked and the password verified
    before `session` takes a lock; the write transaction then only re-checks the limits
    (atomically, under `limits.hold`) and counts a failure."""
    email = _login_text("username", email, no_hidden_characters).strip().lower()
    verified: tuple[uuid.UUID, str] | None = None
    if reader is not None:
        limits.refuse_if_limited(
            limits.check_login(
                session=reader, settings=settings, email=email, client=client, now=now
            )
        )
        verified = _verified(session=reader, email=email, password=password)
        reader.close()
    limits.hold(session=session, settings=settings, client=client, email=email)
    limits.refuse_if_limited(
        limits.check_login(session=session, settings=settings, email=email, client=client, now=now)
    )
    if reader is None:
        verified = _verified(session=session, email=email, password=password)
    user = session.get(User, verified[0]) if verified is not None else None
    # A password changed between the check and now: the check no longer opens the account.
    if user is not None and verified is not None and user.password_hash == verified[1]:
        return user
    limits.record(
        session=session,
        settings=settings,
        kind=AuthAttemptKind.login_failure,
        client=client,
        email=email,
        now=now,
    )
    return None


def _verified(*, session: Session, email: str, password: str) -> tuple[uuid.UUID, str] | None:
    """The id and password hash of the account these credentials open, else None."""
    try:
        user = authenticate(session=session, email=email, password=password)
    except Unauthorized:
        return None
    return user.id, user.password_hash
