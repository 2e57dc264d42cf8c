"""Care: emails that are not about an introduction, and mentors paused for not answering.

Revision ID: c4e000000004
Revises: ade000000003
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "c4e000000004"
down_revision: str | None = "ade000000003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("introduction_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.add_column(sa.Column("subject_id", sa.Uuid(), nullable=True))
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_column("held_since")
    op.execute("DELETE FROM notifications WHERE introduction_id IS NULL")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("subject_id")
        batch_op.alter_column("introduction_id", existing_type=sa.Uuid(), nullable=False)
