"""Abuse limits on logging in, registering and asking for password resets.

Two counts over a sliding window of `auth_window_minutes`, kept in the database so that every
API process shares them:

- per email: failed logins. Past `login_failure_limit`, logins for that email are refused
  with 429, even with the right password, whether or not the email has an account, so the
  answer tells nothing about who is a member.
- per client address: registrations, failed logins and password-reset requests together,
  refused past `auth_client_limit`.

Emails and addresses are stored only as keyed hashes (HMAC with the deployment's secret), and
rows older than the window are pruned as new ones are written. The clock is a parameter, so
tests move time instead of waiting.

Counting and recording are one atomic step: every flow calls `hold` first, which serializes
it with any other flow for the same client address or email until its transaction ends, so
a burst of concurrent attempts cannot all pass the same count. On PostgreSQL that is a
transaction-scoped advisory lock per key (taken in one order, so two flows never wait on
each other in a circle); on SQLite every writing transaction holds the database's write lock
from its first statement (`db._sqlite_begin`), which serializes them already.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from services.core.accounts.security import keyed_hash
from services.core.errors import DomainError
from services.core.models.accounts import AuthAttempt, AuthAttemptKind
from services.core.settings import Settings

TOO_MANY = "Too many attempts. Please wait a little and try again."


@dataclass(frozen=True)
class Limited:
    """A refusal: how many seconds until the next attempt may be made."""

    retry_after: int


class TooManyAttempts(DomainError):
    """Past a limit: 429, and the router adds `Retry-After`."""

    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(TOO_MANY)
        self.retry_after = retry_after


def refuse_if_limited(limited: Limited | None) -> None:
    """Raise TooManyAttempts for a refusal; do nothing when allowed."""
    if limited is not None:
        raise TooManyAttempts(limited.retry_after)


def email_key(*, settings: Settings, email: str) -> str:
    """The stored form of an email in the limits' table."""
    return keyed_hash(email.strip().lower(), secret=settings.secret_key, purpose="login-email")


def client_key(*, settings: Settings, client: str) -> str:
    """The stored form of a client address in the limits' table."""
    return keyed_hash(client, secret=settings.secret_key, purpose="client-address")


def _lock_id(key: str) -> int:
    """A key's advisory-lock number: its first 64 bits, as PostgreSQL's signed bigint."""
    return int.from_bytes(bytes.fromhex(key[:16]), "big", signed=True)


def hold(*, session: Session, settings: Settings, client: str, email: str | None = None) -> None:
    """Serialize this flow with others for the same client or email until it commits."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: this writing transaction holds the write lock already
    keys = [client_key(settings=settings, client=client)]
    if email is not None:
        keys.append(email_key(settings=settings, email=email))
    for lock_id in sorted({_lock_id(key) for key in keys}):
        session.execute(select(func.pg_advisory_xact_lock(lock_id)))


def _window(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.auth_window_minutes)


def _check(
    session: Session,
    settings: Settings,
    now: datetime,
    limit: int,
    *conditions: ColumnElement[bool],
) -> Limited | None:
    since = now - _window(settings)
    count, oldest = session.execute(
        select(func.count(AuthAttempt.id), func.min(AuthAttempt.at)).where(
            AuthAttempt.at > since, *conditions
        )
    ).one()
    if count < limit:
        return None
    # The oldest counted attempt leaves the window first; then one more is allowed.
    seconds = (oldest + _window(settings) - now).total_seconds() if oldest else 1
    return Limited(retry_after=max(1, math.ceil(seconds)))


def check_client(
    *, session: Session, settings: Settings, client: str, now: datetime
) -> Limited | None:
    """Refuse when this client address made too many counted attempts in the window."""
    key = client_key(settings=settings, client=client)
    return _check(session, settings, now, settings.auth_client_limit, AuthAttempt.client_key == key)


def check_login(
    *, session: Session, settings: Settings, email: str, client: str, now: datetime
) -> Limited | None:
    """Refuse a login when the email or the client address is past its limit."""
    by_email = _check(
        session,
        settings,
        now,
        settings.login_failure_limit,
        AuthAttempt.email_key == email_key(settings=settings, email=email),
        AuthAttempt.kind == AuthAttemptKind.login_failure,
    )
    by_client = check_client(session=session, settings=settings, client=client, now=now)
    refusals = [limited for limited in (by_email, by_client) if limited is not None]
    return max(refusals, key=lambda limited: limited.retry_after) if refusals else None


def count(
    *, session: Session, settings: Settings, kind: AuthAttemptKind, email: str, now: datetime
) -> int:
    """How many attempts of this kind were made for this email in the window."""
    found = session.scalar(
        select(func.count(AuthAttempt.id)).where(
            AuthAttempt.at > now - _window(settings),
            AuthAttempt.kind == kind,
            AuthAttempt.email_key == email_key(settings=settings, email=email),
        )
    )
    return found or 0


def record(
    *,
    session: Session,
    settings: Settings,
    kind: AuthAttemptKind,
    client: str,
    now: datetime,
    email: str | None = None,
) -> None:
    """Count one attempt, and forget those that have left the window."""
    session.execute(delete(AuthAttempt).where(AuthAttempt.at <= now - _window(settings)))
    session.add(
        AuthAttempt(
            kind=kind,
            email_key=email_key(settings=settings, email=email) if email is not None else None,
            client_key=client_key(settings=settings, client=client),
            at=now,
        )
    )
    session.flush()
