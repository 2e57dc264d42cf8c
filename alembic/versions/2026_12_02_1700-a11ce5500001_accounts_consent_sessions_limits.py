"""Accounts: consent, revocable sessions, password resets, abuse limits.

Revision ID: a11ce5500001
Revises: 6f0f711cabdc
Create Date: 2026-12-02 17:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "a11ce5500001"
down_revision: str | None = "6f0f711cabdc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
