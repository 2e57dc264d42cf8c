"""Hardening: what the outside probe found (vetting changes, one run at a time).

Revision ID: ade000000003
Revises: 5afe70000002
Create Date: 2026-12-02 17:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "ade000000003"
down_revision: str | None = "5afe70000002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "status IN ('queued', 'running')"


def upgrade() -> None:
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changed_since_vetting", sa.JSON(), nullable=True))

    # Runs queued twice before this index existed: keep each organization's newest open
    # one, and record the others as failed, so that the index can be built.
    matching_runs = sa.table(
        "matching_runs",
        sa.column("id", sa.Uuid()),
        sa.column("organization_id", sa.Uuid()),
        sa.column("status", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("error", sa.String()),
    )
    connection = op.get_bind()
    kept: set[object] = set()
    rows = connection.execute(
        sa.select(matching_runs.c.id, matching_runs.c.organization_id)
        .where(matching_runs.c.status.in_(["queued", "running"]))
        .order_by(matching_runs.c.created_at.desc())
    ).all()
    for run_id, organization_id in rows:
        if organization_id in kept:
            connection.execute(
                matching_runs.update()
                .where(matching_runs.c.id == run_id)
                .values(status="failed", error="replaced by a newer run")
            )
        kept.add(organization_id)

    with op.batch_alter_table("matching_runs", schema=None) as batch_op:
        batch_op.create_index(
            "uq_matching_runs_open_organization",
            ["organization_id"],
            unique=True,
            postgresql_where=sa.text(_OPEN),
            sqlite_where=sa.text(_OPEN),
        )


def downgrade() -> None:
    with op.batch_alter_table("matching_runs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_matching_runs_open_organization",
            postgresql_where=sa.text(_OPEN),
            sqlite_where=sa.text(_OPEN),
        )

    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_column("changed_since_vetting")
