"""Safety: reasons, blocks, reports, coordinators' exclusions, support resources, access log.

Revision ID: 5afe70000002
Revises: a11ce5500001
Create Date: 2026-12-02 17:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "5afe70000002"
down_revision: str | None = "a11ce5500001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
