"""Safety: reasons, blocks, reports, coordinators' exclusions, support resources, access log.

Exclusions move from profiles to people: each old row (two profile ids) becomes a row naming
the two accounts, so a withdrawn and re-created profile stays apart from whom it declined.
Introductions' profile ids become nullable, so an erased account's introductions stay in
the statistics naming nobody.

Revision ID: 5afe70000002
Revises: a11ce5500001
Create Date: 2026-12-02 17:15:00
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa

from alembic import op

revision: str = "5afe70000002"
down_revision: str | None = "a11ce5500001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HOLDING = "status IN ('proposed', 'awaiting_approval', 'active')"
# Tables whose rows hang on an introduction (ondelete=CASCADE) when this migration runs.
_CHILDREN = ("introduction_events", "notifications")


@contextmanager
def _rebuilding_introductions() -> Iterator[None]:
    """SQLite rebuilds a table to change a column, and dropping the old copy with foreign
    keys on (they cannot be turned off inside the migration's transaction) would cascade
    to every event and notification. Keep those rows aside and put them back."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        for table in _CHILDREN:
            op.execute(f"CREATE TEMP TABLE _keep_{table} AS SELECT * FROM {table}")
    with op.batch_alter_table("introductions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_introductions_holding_mentee",
            postgresql_where=sa.text(_HOLDING),
            sqlite_where=sa.text(_HOLDING),
        )
    yield
    with op.batch_alter_table("introductions", schema=None) as batch_op:
        batch_op.create_index(
            "uq_introductions_holding_mentee",
            ["mentee_profile_id"],
            unique=True,
            postgresql_where=sa.text(_HOLDING),
            sqlite_where=sa.text(_HOLDING),
        )
    if sqlite:
        for table in _CHILDREN:
            op.execute(f"DELETE FROM {table}")
            op.execute(f"INSERT INTO {table} SELECT * FROM _keep_{table}")
            op.execute(f"DROP TABLE _keep_{table}")


def _new_pair_exclusions(name: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("mentee_user_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_user_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name="fk_pair_exclusions_created_by_id_users",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mentee_user_id"],
            ["users.id"],
            name="fk_pair_exclusions_mentee_user_id_users",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_user_id"],
            ["users.id"],
            name="fk_pair_exclusions_mentor_user_id_users",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_pair_exclusions_organization_id_organizations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_pair_exclusions"),
        sa.UniqueConstraint(
            "mentee_user_id", "mentor_user_id", "reason", name="uq_pair_exclusions_pair_reason"
        ),
    )


def _old_pair_exclusions(name: str) -> None:
    op.create_table(
        name,
        sa.Column("mentee_profile_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_profile_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentee_profile_id"],
            ["profiles.id"],
            name="fk_pair_exclusions_mentee_profile_id_profiles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_profile_id"],
            ["profiles.id"],
            name="fk_pair_exclusions_mentor_profile_id_profiles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "mentee_profile_id", "mentor_profile_id", name="pk_pair_exclusions"
        ),
    )


def _convert_exclusions_to_people() -> None:
    bind = op.get_bind()
    old = sa.table(
        "pair_exclusions_old",
        sa.column("mentee_profile_id", sa.Uuid()),
        sa.column("mentor_profile_id", sa.Uuid()),
        sa.column("reason", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    mentee = sa.table(
        "profiles",
        sa.column("id", sa.Uuid()),
        sa.column("user_id", sa.Uuid()),
        sa.column("organization_id", sa.Uuid()),
    ).alias("mentee")
    mentor = sa.table(
        "profiles", sa.column("id", sa.Uuid()), sa.column("user_id", sa.Uuid())
    ).alias("mentor")
    rows = bind.execute(
        sa.select(
            mentee.c.organization_id,
            mentee.c.user_id,
            mentor.c.user_id,
            old.c.reason,
            old.c.created_at,
        )
        .join(mentee, mentee.c.id == old.c.mentee_profile_id)
        .join(mentor, mentor.c.id == old.c.mentor_profile_id)
    ).all()
    seen: set[tuple[uuid.UUID, uuid.UUID, str]] = set()
    new_rows = []
    for organization_id, mentee_user, mentor_user, reason, created_at in rows:
        key = (mentee_user, mentor_user, reason)
        if key in seen:
            continue
        seen.add(key)
        new_rows.append(
            {
                "id": uuid.uuid4(),
                "organization_id": organization_id,
                "mentee_user_id": mentee_user,
                "mentor_user_id": mentor_user,
                "reason": reason,
                "created_at": created_at or datetime.now(UTC),
            }
        )
    if new_rows:
        new = sa.table(
            "pair_exclusions",
            *(
                sa.column(name, sa.Uuid())
                for name in ("id", "organization_id", "mentee_user_id", "mentor_user_id")
            ),
            sa.column("reason", sa.String()),
            sa.column("created_at", sa.DateTime(timezone=True)),
        )
        bind.execute(new.insert(), new_rows)


def _convert_exclusions_to_profiles() -> None:
    bind = op.get_bind()
    new = sa.table(
        "pair_exclusions_new",
        sa.column("mentee_user_id", sa.Uuid()),
        sa.column("mentor_user_id", sa.Uuid()),
        sa.column("reason", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    mentee = sa.table(
        "profiles", sa.column("id", sa.Uuid()), sa.column("user_id", sa.Uuid()), sa.column("role")
    ).alias("mentee")
    mentor = sa.table(
        "profiles", sa.column("id", sa.Uuid()), sa.column("user_id", sa.Uuid()), sa.column("role")
    ).alias("mentor")
    rows = bind.execute(
        sa.select(mentee.c.id, mentor.c.id, new.c.reason, new.c.created_at)
        .join(mentee, (mentee.c.user_id == new.c.mentee_user_id) & (mentee.c.role == "mentee"))
        .join(mentor, (mentor.c.user_id == new.c.mentor_user_id) & (mentor.c.role == "mentor"))
    ).all()
    by_pair = {}
    for mentee_id, mentor_id, reason, created_at in rows:
        by_pair.setdefault((mentee_id, mentor_id), (reason, created_at))
    if by_pair:
        old = sa.table(
            "pair_exclusions",
            sa.column("mentee_profile_id", sa.Uuid()),
            sa.column("mentor_profile_id", sa.Uuid()),
            sa.column("reason", sa.String()),
            sa.column("created_at", sa.DateTime(timezone=True)),
        )
        bind.execute(
            old.insert(),
            [
                {
                    "mentee_profile_id": mentee_id,
                    "mentor_profile_id": mentor_id,
                    "reason": reason if reason != "coordinator" else "rejected",
                    "created_at": created_at,
                }
                for (mentee_id, mentor_id), (reason, created_at) in by_pair.items()
            ],
        )


def upgrade() -> None:
    # Exclusions: profile ids -> account ids.
    op.rename_table("pair_exclusions", "pair_exclusions_old")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE pair_exclusions_old RENAME CONSTRAINT pk_pair_exclusions TO x_pk")
        for side in ("mentee", "mentor"):
            op.execute(
                f"ALTER TABLE pair_exclusions_old RENAME CONSTRAINT "
                f"fk_pair_exclusions_{side}_profile_id_profiles TO x_fk_{side}"
            )
    _new_pair_exclusions("pair_exclusions")
    with op.batch_alter_table("pair_exclusions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pair_exclusions_organization_id", ["organization_id"], unique=False
        )
        batch_op.create_index("ix_pair_exclusions_mentor_user_id", ["mentor_user_id"], unique=False)
    _convert_exclusions_to_people()
    op.drop_table("pair_exclusions_old")

    # Introductions: reason codes, and sides that an erasure can empty.
    with _rebuilding_introductions(), op.batch_alter_table("introductions") as batch_op:
        batch_op.add_column(sa.Column("decline_reason", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("end_reason", sa.String(length=20), nullable=True))
        batch_op.alter_column("mentee_profile_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.alter_column("mentor_profile_id", existing_type=sa.Uuid(), nullable=True)

    op.create_table(
        "support_resources",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("hours", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_support_resources_organization_id_organizations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_support_resources"),
    )
    with op.batch_alter_table("support_resources", schema=None) as batch_op:
        batch_op.create_index(
            "ix_support_resources_organization_id", ["organization_id"], unique=False
        )

    op.create_table(
        "blocks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("introduction_id", sa.Uuid(), nullable=True),
        sa.Column("blocker_user_id", sa.Uuid(), nullable=False),
        sa.Column("blocked_user_id", sa.Uuid(), nullable=False),
        sa.Column("other_alias", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["blocked_user_id"],
            ["users.id"],
            name="fk_blocks_blocked_user_id_users",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["blocker_user_id"],
            ["users.id"],
            name="fk_blocks_blocker_user_id_users",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["introduction_id"],
            ["introductions.id"],
            name="fk_blocks_introduction_id_introductions",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_blocks_organization_id_organizations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_blocks"),
    )
    with op.batch_alter_table("blocks", schema=None) as batch_op:
        batch_op.create_index("ix_blocks_blocker_user_id", ["blocker_user_id"], unique=False)
        batch_op.create_index("ix_blocks_organization_id", ["organization_id"], unique=False)

    op.create_table(
        "reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("introduction_id", sa.Uuid(), nullable=True),
        sa.Column("reporter_user_id", sa.Uuid(), nullable=True),
        sa.Column("reported_user_id", sa.Uuid(), nullable=True),
        sa.Column("reporter_role", sa.String(length=10), nullable=False),
        sa.Column("reported_alias", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Uuid(), nullable=True),
        sa.Column("resolution_note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["introduction_id"],
            ["introductions.id"],
            name="fk_reports_introduction_id_introductions",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_reports_organization_id_organizations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reported_user_id"],
            ["users.id"],
            name="fk_reports_reported_user_id_users",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_user_id"],
            ["users.id"],
            name="fk_reports_reporter_user_id_users",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name="fk_reports_resolved_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index("ix_reports_organization_id", ["organization_id"], unique=False)
        batch_op.create_index("ix_reports_reporter_user_id", ["reporter_user_id"], unique=False)
        batch_op.create_index("ix_reports_status", ["status"], unique=False)

    op.create_table(
        "access_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("member_user_id", sa.Uuid(), nullable=False),
        sa.Column("coordinator_user_id", sa.Uuid(), nullable=True),
        sa.Column("what", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coordinator_user_id"],
            ["users.id"],
            name="fk_access_log_coordinator_user_id_users",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_user_id"],
            ["users.id"],
            name="fk_access_log_member_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_access_log"),
    )
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.create_index("ix_access_log_member_user_id", ["member_user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("access_log")
    op.drop_table("reports")
    op.drop_table("blocks")
    op.drop_table("support_resources")

    # Introductions whose side was erased cannot go back to NOT NULL: they go.
    op.execute(
        "DELETE FROM introductions WHERE mentee_profile_id IS NULL OR mentor_profile_id IS NULL"
    )
    with _rebuilding_introductions(), op.batch_alter_table("introductions") as batch_op:
        batch_op.alter_column("mentor_profile_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.alter_column("mentee_profile_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("end_reason")
        batch_op.drop_column("decline_reason")

    op.rename_table("pair_exclusions", "pair_exclusions_new")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE pair_exclusions_new RENAME CONSTRAINT pk_pair_exclusions TO x_pk")
        op.execute("ALTER INDEX ix_pair_exclusions_organization_id RENAME TO x_ix_org")
        op.execute("ALTER INDEX ix_pair_exclusions_mentor_user_id RENAME TO x_ix_mentor")
        op.execute(
            "ALTER TABLE pair_exclusions_new RENAME CONSTRAINT uq_pair_exclusions_pair_reason "
            "TO x_uq"
        )
        for name in ("created_by_id", "mentee_user_id", "mentor_user_id"):
            op.execute(
                f"ALTER TABLE pair_exclusions_new RENAME CONSTRAINT "
                f"fk_pair_exclusions_{name}_users TO x_fk_{name}"
            )
        op.execute(
            "ALTER TABLE pair_exclusions_new RENAME CONSTRAINT "
            "fk_pair_exclusions_organization_id_organizations TO x_fk_org"
        )
    _old_pair_exclusions("pair_exclusions")
    _convert_exclusions_to_profiles()
    op.drop_table("pair_exclusions_new")
