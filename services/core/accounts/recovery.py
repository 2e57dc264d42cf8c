"""Account recovery: a single-use, expiring link to choose a new password.

Asking always gets the same answer, whether or not the email has an account. The email is
owed through the outbox and written by the worker: the link's token is an HMAC of the link's
random id under the deployment's secret (`security.reset_token_for`), so neither the outbox,
the notification nor the link's row holds it; only its SHA-256 is stored.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.core.accounts import limits
from services.core.accounts.security import hash_reset_token, reset_token_for
from services.core.accounts.sessions import set_password
from services.core.errors import InvalidInput
from services.core.models import User
from services.core.models.accounts import AuthAttemptKind, PasswordReset
from services.core.notifications import PASSWORD_RESET, notify_user
from services.core.settings import Settings

ACCEPTED = (
    "If an account uses this email address, we have sent it a link to choose a new password. "
    "Please check your inbox."
)
# Links sent to one address per window, so that nobody can flood someone's mailbox.
EMAILS_PER_WINDOW = 3
_INVALID_LINK = "This link has expired or was already used. Please ask for a new one."


def request_reset(
    *, session: Session, settings: Settings, email: str, client: str, now: datetime
) -> bool:
    """Counts the request against the client's limit and, if the email has an account,
    stores a new link (replacing unused ones) and owes the email that carries it; True
    then."""
    email = email.lower()
    limits.hold(session=session, settings=settings, client=client, email=email)
    limits.refuse_if_limited(
        limits.check_client(session=session, settings=settings, client=client, now=now)
    )
    earlier = limits.count(
        session=session,
        settings=settings,
        kind=AuthAttemptKind.password_reset,
        email=email,
        now=now,
    )
    limits.record(
        session=session,
        settings=settings,
        kind=AuthAttemptKind.password_reset,
        client=client,
        email=email,
        now=now,
    )
    session.execute(delete(PasswordReset).where(PasswordReset.expires_at <= now))
    user = session.scalar(select(User).where(User.email == email))
    if user is None or earlier >= EMAILS_PER_WINDOW:
        return False
    for unused in session.scalars(
        select(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)
        )
    ):
        unused.used_at = now
    reset_id = uuid.uuid4()
    session.add(
        PasswordReset(
            id=reset_id,
            user_id=user.id,
            token_hash=hash_reset_token(reset_token_for(reset_id, secret=settings.secret_key)),
            created_at=now,
            expires_at=now + timedelta(minutes=settings.password_reset_minutes),
        )
    )
    notify_user(session=session, user_id=user.id, kind=PASSWORD_RESET, subject_id=reset_id)
    session.flush()
    return True


def confirm_reset(*, session: Session, token: str, new_password: str, now: datetime) -> None:
    """Sets the new password if the link is known, unused and unexpired (else 422), uses the
    link up and revokes every earlier token."""
    reset = session.scalar(
        select(PasswordReset)
        .where(PasswordReset.token_hash == hash_reset_token(token))
        .with_for_update()
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise InvalidInput("token", _INVALID_LINK)
    user = session.get(User, reset.user_id)
    if user is None:
        raise InvalidInput("token", _INVALID_LINK)
    reset.used_at = now
    session.flush()
    set_password(session=session, user=user, new_password=new_password)
