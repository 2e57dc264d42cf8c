"""Accounts and organizations: registration, login, coordinators."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.core.accounts.schemas import AccountCreate
from services.core.accounts.security import hash_password, verify_password
from services.core.errors import Conflict, InvalidInput, Unauthorized
from services.core.models import Organization, Role, User


def get_organization_by_slug(*, session: Session, slug: str) -> Organization | None:
    """Gets an organization by its slug."""
    return session.scalar(select(Organization).where(Organization.slug == slug))


def ensure_organization(*, session: Session, slug: str, name: str | None = None) -> Organization:
    """Gets an organization by slug, creating it when new."""
    organization = get_organization_by_slug(session=session, slug=slug)
    if organization is None:
        organization = Organization(slug=slug, name=name or slug.replace("-", " ").title())
        session.add(organization)
        session.flush()
    return organization


def get_user(*, session: Session, user_id: uuid.UUID) -> User | None:
    """Gets an account by its id."""
    return session.get(User, user_id)


def _email_taken(session: Session, email: str) -> bool:
    return session.scalar(select(User.id).where(User.email == email)) is not None


def register(
    *, session: Session, account: AccountCreate, default_organization: str, role: Role = Role.member
) -> User:
    """Creates an account in an existing organization."""
    slug = account.organization or default_organization
    organization = get_organization_by_slug(session=session, slug=slug)
    if organization is None and slug == default_organization:
        # The deployment's default organization comes into being with its first member.
        organization = ensure_organization(session=session, slug=slug)
    if organization is None:
        raise InvalidInput("organization", f"no organization with the slug '{slug}'")
    email = account.email.lower()
    if _email_taken(session, email):
        raise Conflict("An account with this email already exists")
    user = User(
        email=email,
        password_hash=hash_password(account.password),
        display_name=account.display_name,
        role=role,
        organization_id=organization.id,
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
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if not verify_password(password, user.password_hash if user else None) or user is None:
        raise Unauthorized("Incorrect email or password")
    return user


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
