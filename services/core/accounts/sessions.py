"""Sessions: which tokens still open an account, logging out, and changing the password.

A token names its account, carries its own id (`jti`) and the account's token version.
Logging out stores the id until the token would have expired; changing or resetting the
password raises the version, which revokes every token issued before.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, exists, select
from sqlalchemy.orm import Session

from services.core.accounts import limits
from services.core.accounts.security import TokenClaims, hash_password, verify_password
from services.core.models import User
from services.core.models.accounts import AuthAttemptKind, PasswordReset, RevokedToken
from services.core.settings import Settings

# Every authenticated request asks this: built once, so a request pays only for running it
# (building and coercing the statement took 45% of the lookup's time on SQLite).
_USER_FOR_TOKEN = select(User).where(
    User.id == bindparam("user_id"),
    User.token_version == bindparam("version"),
    ~exists().where(RevokedToken.jti == bindparam("jti")),
)


def user_for_token(*, session: Session, claims: TokenClaims) -> User | None:
    """The account a token opens: None if the account is gone or the token was revoked."""
    # One query, as every authenticated request makes it.
    return session.scalar(
        _USER_FOR_TOKEN,
        {"user_id": claims.user_id, "version": claims.version, "jti": claims.jti},
    )


def logout(*, session: Session, user: User, claims: TokenClaims, now: datetime) -> None:
    """Revokes this one token; forgets revoked tokens that have expired anyway."""
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at <= now))
    if session.get(RevokedToken, claims.jti) is None:
        session.add(RevokedToken(jti=claims.jti, user_id=user.id, expires_at=claims.expires_at))
    session.flush()


def set_password(*, session: Session, user: User, new_password: str) -> None:
    """Sets a new password and revokes every token and reset link issued before."""
    user.password_hash = hash_password(new_password)
    user.token_version = user.token_version + 1
    session.execute(
        delete(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)
        )
    )
    session.flush()


def change_password(
    *,
    session: Session,
    settings: Settings,
    user: User,
    current_password: str,
    new_password: str,
    client: str,
    now: datetime,
) -> bool:
    """Changes the password if the current one is right (False, counted as a failed login,
    if not); raises TooManyAttempts past the login limits, as a login would."""
    limits.hold(session=session, settings=settings, client=client, email=user.email)
    limits.refuse_if_limited(
        limits.check_login(
            session=session, settings=settings, email=user.email, client=client, now=now
        )
    )
    if not verify_password(current_password, user.password_hash):
        limits.record(
            session=session,
            settings=settings,
            kind=AuthAttemptKind.login_failure,
            client=client,
            email=user.email,
            now=now,
        )
        return False
    set_password(session=session, user=user, new_password=new_password)
    return True
