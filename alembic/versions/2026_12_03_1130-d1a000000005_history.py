"""History that survives: introductions keep their outcome and the features they were
scored on when a profile goes; only the link to that profile is removed.

The two profile foreign keys change from ON DELETE CASCADE to SET NULL, and a nullable
`features` JSON column holds the pair's raw features at proposal time (the training data
of the learned model, `services/matcher/learned.py`).

Revision ID: d1a000000005
Revises: c4e000000004
Create Date: 2026-12-03 11:30:00
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa

from alembic import op

revision: str = "d1a000000005"
down_revision: str | None = "c4e000000004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables whose rows hang on an introduction (ondelete=CASCADE) when this migration runs.
_CHILDREN = ("introduction_events", "notifications")
_SIDES = ("mentee_profile_id", "mentor_profile_id")


@contextmanager
def _keeping_children() -> Iterator[None]:
    """SQLite rebuilds the table to change a foreign key, and dropping the old copy with
    foreign keys on would cascade to every event and notification: keep them aside."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for table in _CHILDREN:
            op.execute(f"CREATE TEMP TABLE _keep_{table} AS SELECT * FROM {table}")
    yield
    if sqlite:
        for table in _CHILDREN:
            op.execute(f"DELETE FROM {table}")
            op.execute(f"INSERT INTO {table} SELECT * FROM _keep_{table}")
            op.execute(f"DROP TABLE _keep_{table}")


def _foreign_keys(ondelete: str) -> None:
    with _keeping_children(), op.batch_alter_table("introductions", schema=None) as batch_op:
        for column in _SIDES:
            name = f"fk_introductions_{column}_profiles"
            batch_op.drop_constraint(name, type_="foreignkey")
            batch_op.create_foreign_key(name, "profiles", [column], ["id"], ondelete=ondelete)
        if ondelete == "SET NULL":
            batch_op.add_column(sa.Column("features", sa.JSON(), nullable=True))
        else:
            batch_op.drop_column("features")


def upgrade() -> None:
    _foreign_keys("SET NULL")


def downgrade() -> None:
    # Rows that lost a side cannot point at a profile again: they go, as CASCADE would have.
    op.execute(
        "DELETE FROM introductions WHERE mentee_profile_id IS NULL OR mentor_profile_id IS NULL"
    )
    _foreign_keys("CASCADE")
