"""What a person sees of their own account."""

from __future__ import annotations

from services.core.accounts.schemas import AccountPublic
from services.core.models import User


def to_public(user: User) -> AccountPublic:
    """An account as its owner sees it."""
    return AccountPublic(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        organization=user.organization.slug,
    )
