"""Accounts and organizations: creating accounts, checking credentials, coordinators
(the API's registration and login under the abuse limits are in `signin.py`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from pydantic_core import PydanticCustomError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.core.accounts.schemas import AccountCreate
from services.core.accounts.security import hash_password
from services.core.db import utcnow
from services.core.errors import Conflict, InvalidInput
from services.core.models import Organization, Role, User
from services.core.settings import get_settings


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


def organization_for(*, session: Session, slug: str, default_organization: str) -> Organization:
    """The organization of this slug; the deployment's default is created with its first
    member, any other unknown slug is a 422."""
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
    organization = organization_for(
        session=session,
        slug=account.organization or default_organization,
        default_organization=default_organization,
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


def login_text(field: str, value: str, rule: Callable[[str], str]) -> str:
    """A login field checked by a text rule, a 422 naming the field when it fails."""
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
