"""Organizations and the accounts of the people in them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.core.db import Base, EnumText, UTCDateTime, utcnow
from services.core.vocabulary import Role


class Organization(Base):
    """A fellowship, program or group whose coordinators run their own matching."""

    __tablename__ = "organizations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    """A person's account; the email and display name are contact details, shown late."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[Role] = mapped_column(EnumText(Role, 20), default=Role.member)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The privacy notice the person accepted, and when (none for accounts made before 1.1).
    consent_version: Mapped[str | None] = mapped_column(String(40))
    consent_given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every token; raising it (password change or reset) revokes every earlier token.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    organization: Mapped[Organization] = relationship(lazy="joined")


class AuthAttemptKind(StrEnum):
    """What a client tried that the abuse limits count."""

    login_failure = "login_failure"
    registration = "registration"
    password_reset = "password_reset"


class AuthAttempt(Base):
    """One counted attempt, kept only for the limits' window; never an email or an address:
    both are stored as keyed hashes, so the table says nothing about who tried."""

    __tablename__ = "auth_attempts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[AuthAttemptKind] = mapped_column(EnumText(AuthAttemptKind, 20))
    email_key: Mapped[str | None] = mapped_column(String(64), index=True)
    client_key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RevokedToken(Base):
    """An access token logged out before it expired; kept until it would have expired."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class PasswordReset(Base):
    """A single-use link to choose a new password; only the hash of its token is stored."""

    __tablename__ = "password_resets"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
