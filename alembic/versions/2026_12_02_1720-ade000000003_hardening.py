"""Hardening: what the outside probe found (vetting changes, one run at a time).

Revision ID: ade000000003
Revises: 5afe70000002
Create Date: 2026-12-02 17:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "ade000000003"
down_revision: str | None = "5afe70000002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
