"""Password hashing (argon2) and signed access tokens (JWT, HS256)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from services.core.errors import Unauthorized

_hasher = PasswordHash((Argon2Hasher(),))
# Verifying against this when an email is unknown keeps login time the same either way,
# so response times do not reveal which emails have accounts.
_DUMMY_HASH = _hasher.hash("a password nobody has, used to even out timing")
_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    """Hash a password with argon2."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; with no hash, burn the same time and say no."""
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, password_hash)


def create_access_token(user_id: uuid.UUID, *, secret: str, minutes: int) -> str:
    """Sign a token that names the account and expires after `minutes`."""
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": now, "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def read_access_token(token: str, *, secret: str) -> uuid.UUID:
    """Return the account id a valid token names, or raise Unauthorized."""
    try:
        claims = jwt.decode(token, secret, algorithms=[_ALGORITHM], options={"require": ["exp"]})
        return uuid.UUID(str(claims["sub"]))
    except (jwt.PyJWTError, KeyError, ValueError) as error:
        raise Unauthorized("Could not validate credentials") from error
