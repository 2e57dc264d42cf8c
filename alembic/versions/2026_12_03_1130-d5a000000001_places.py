"""Places: the city a person chose for their profile (name, region, country).

Revision ID: d5a000000001
Revises: e2b000000006
Create Date: 2026-12-03 11:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "d5a000000001"
down_revision: str | None = "e2b000000006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place_city", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("place_region", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("place_country", sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_column("place_country")
        batch_op.drop_column("place_region")
        batch_op.drop_column("place_city")
