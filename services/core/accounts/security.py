"""Password hashing (argon2), signed access tokens (JWT, HS256) and the hashes of secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from services.core.errors import Unauthorized

_hasher = PasswordHash((Argon2Hasher(),))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Argon2 is all CPU (about 0.2 s of it per hash, spread over four lanes): thirty-two hashes
# at once on two cores finish no sooner than in turn, but while they run every other thread
# of the process, and the worker beside it, waits for a core (a crowd registering made
# `GET /me` take a second and a save wait ten for its proposal). So only this many run at
# once and the rest queue here: the same hashes done as soon, the other work not starved.
HASHING_AT_ONCE = max(1, _cores() // 2)
_hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)
# Verifying against this when an email is unknown keeps login time the same either way,
# so response times do not reveal which emails have accounts.
_DUMMY_HASH = _hasher.hash("a password nobody has, used to even out timing")
_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    """Hash a password with argon2 (at most `HASHING_AT_ONCE` at a time)."""
    with _hashing:
        return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; with no hash, burn the same time and say no (at most
    `HASHING_AT_ONCE` at a time, whichever)."""
    with _hashing:
        if password_hash is None:
            _hasher.verify(password, _DUMMY_HASH)
            return False
        return _hasher.verify(password, password_hash)


@dataclass(frozen=True)
class TokenClaims:
    """What a valid access token says: whose it is, its id, its version and its expiry."""

    user_id: uuid.UUID
    jti: str
    version: int
    expires_at: datetime


def create_access_token(user_id: uuid.UUID, *, secret: str, minutes: int, version: int = 0) -> str:
    """Sign a token that names the account, has its own id and expires after `minutes`."""
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "jti": uuid.uuid4().hex,
        "ver": version,
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
    }
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def read_access_token(token: str, *, secret: str) -> TokenClaims:
    """Return what a validly signed, unexpired token says, or raise Unauthorized."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            options={"require": ["exp", "sub", "jti", "ver"]},
        )
        version = claims["ver"]
        if not isinstance(version, int) or isinstance(version, bool) or not 0 <= version < 2**31:
            raise ValueError("token version is not a stored number")
        return TokenClaims(
            user_id=uuid.UUID(str(claims["sub"])),
            jti=str(claims["jti"])[:64],
            version=version,
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError, OverflowError) as error:
        raise Unauthorized("Could not validate credentials") from error


def new_reset_token() -> str:
    """A fresh, unguessable token for a password-reset link (256 random bits)."""
    return secrets.token_urlsafe(32)


def reset_token_for(reset_id: uuid.UUID, *, secret: str) -> str:
    """The token of one reset link, derived from its random id and the deployment's secret,
    so that the email can be written by the worker without the token ever being stored."""
    digest = hmac.new(secret.encode(), f"password-reset:{reset_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def hash_reset_token(token: str) -> str:
    """The stored form of a reset token: its SHA-256 (the token itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_hash(value: str, *, secret: str, purpose: str) -> str:
    """An HMAC of `value`: lets the limits count an email or an address without storing it."""
    return hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
