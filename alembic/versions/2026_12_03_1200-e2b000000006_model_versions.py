"""Model versions: each organization's fitted models, numbered, at most one active; and the
version that scored each introduction (NULL: the hand weights).

Revision ID: e2b000000006
Revises: d1a000000005
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "e2b000000006"
down_revision: str | None = "d1a000000005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("training_size", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_model_versions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_versions")),
        sa.UniqueConstraint(
            "organization_id", "number", name="uq_model_versions_organization_id_number"
        ),
    )
    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_model_versions_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "uq_model_versions_active_organization",
            ["organization_id"],
            unique=True,
            postgresql_where=sa.text("active"),
            sqlite_where=sa.text("active"),
        )
    # A plain ADD COLUMN: SQLite needs no rebuild of introductions for a nullable column.
    op.add_column("introductions", sa.Column("model_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    # SQLite (3.35 and later) drops a column in place: no rebuild that would cascade.
    op.drop_column("introductions", "model_version")
    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_model_versions_active_organization",
            postgresql_where=sa.text("active"),
            sqlite_where=sa.text("active"),
        )
        batch_op.drop_index(batch_op.f("ix_model_versions_organization_id"))
    op.drop_table("model_versions")
