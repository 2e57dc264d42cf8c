"""The API's doors: registration that never reveals who has an account, and login under
the abuse limits, with argon2 kept out of the write lock (on SQLite writers go one at a
time, and hashing takes a good part of a second when many arrive at once)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.accounts import limits
from services.core.accounts.schemas import AccountCreated, Registration
from services.core.accounts.security import hash_password, verify_password
from services.core.accounts.service import login_text, organization_for, register
from services.core.errors import Conflict, InvalidInput
from services.core.models import User
from services.core.models.accounts import AuthAttemptKind
from services.core.notifications import notify_user
from services.core.settings import Settings
from services.core.text import clean_secret, no_hidden_characters


def register_privately(
    *,
    session: Session,
    reader: Session,
    settings: Settings,
    registration: Registration,
    client: str,
    now: datetime,
) -> AccountCreated:
    """Registers a member the way the API must: a taken email gets the same answer as a new
    one and changes nothing; its owner is owed an email (at most one per window).

    A client past its limit is refused in `reader` (a read-only session) before any
    hashing, and the password is hashed before `session` takes a lock: the write that
    follows is short (on SQLite writers go one at a time)."""
    email = registration.email.lower()
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
    organization = organization_for(
        session=session, slug=slug, default_organization=settings.default_organization
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
        taken = False
    except Conflict:
        taken = True
    earlier_tries = (
        limits.count(
            session=session,
            settings=settings,
            kind=AuthAttemptKind.registration,
            email=email,
            now=now,
        )
        if taken
        else 0
    )
    # Only tries at a taken email carry its key: they decide whether its owner is told.
    limits.record(
        session=session,
        settings=settings,
        kind=AuthAttemptKind.registration,
        client=client,
        email=email if taken else None,
        now=now,
    )
    if taken and earlier_tries == 0:
        owner = session.scalar(select(User.id).where(User.email == email))
        if owner is not None:
            notify_user(session=session, user_id=owner, kind="registration_attempt")
    return AccountCreated(
        email=email, display_name=registration.display_name, organization=organization.slug
    )


def login(
    *,
    session: Session,
    reader: Session,
    settings: Settings,
    email: str,
    password: str,
    client: str,
    now: datetime,
) -> User | None:
    """Returns the account these credentials open, or None after counting the failure;
    raises TooManyAttempts, before looking at the password, past either limit.

    The limits are checked and the password verified in `reader` (a read-only session)
    before `session` takes a lock; the write transaction then only re-checks the limits
    (atomically, under `limits.hold`) and counts a failure."""
    email = login_text("username", email, no_hidden_characters).strip().lower()
    limits.refuse_if_limited(
        limits.check_login(session=reader, settings=settings, email=email, client=client, now=now)
    )
    verified = _verified(reader=reader, email=email, password=password)
    limits.hold(session=session, settings=settings, client=client, email=email)
    limits.refuse_if_limited(
        limits.check_login(session=session, settings=settings, email=email, client=client, now=now)
    )
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


def _verified(*, reader: Session, email: str, password: str) -> tuple[uuid.UUID, str] | None:
    """The id and password hash of the account these credentials open, else None.

    `reader` gives its connection back before the hash: in a crowd, logins queue for argon2
    (`HASHING_AT_ONCE` at a time), and each one waiting with a connection held emptied the
    pool that every other request, a save or a read, needs."""
    password = login_text("password", password, clean_secret)
    found = reader.execute(select(User.id, User.password_hash).where(User.email == email)).first()
    reader.close()
    if not verify_password(password, found.password_hash if found else None) or found is None:
        return None
    return found.id, found.password_hash
