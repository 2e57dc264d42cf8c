"""What a person sees of their own account."""

from __future__ import annotations

from services.core.accounts.schemas import AccountPublic, ConsentPublic
from services.core.models import User


def to_consent(user: User) -> ConsentPublic | None:
    """The privacy notice a person accepted, and when (None for accounts made before 1.1)."""
    if user.consent_version is None or user.consent_given_at is None:
        return None
    return ConsentPublic(version=user.consent_version, given_at=user.consent_given_at)


def to_public(user: User) -> AccountPublic:
    """An account as its owner sees it."""
    return AccountPublic(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        organization=user.organization.slug,
        consent=to_consent(user),
    )
