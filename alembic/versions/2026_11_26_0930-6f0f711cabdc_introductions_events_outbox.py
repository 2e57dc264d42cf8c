"""Introductions with their events, pair exclusions, matching runs, outbox, notifications.

Revision ID: 6f0f711cabdc
Revises: bffef2ce829f
Create Date: 2026-11-26 02:27:20.023736
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "6f0f711cabdc"
down_revision: str | None = "bffef2ce829f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("task", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_dispatched_at"), ["dispatched_at"], unique=False
        )

    op.create_table(
        "matching_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("mentees_considered", sa.Integer(), nullable=False),
        sa.Column("proposals_created", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_matching_runs_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_matching_runs_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_runs")),
    )
    with op.batch_alter_table("matching_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_matching_runs_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "introductions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("mentee_profile_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_profile_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("mentee_response", sa.String(length=10), nullable=False),
        sa.Column("mentor_response", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("distance_km", sa.Float(), nullable=True),
        sa.Column("overlap_minutes", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("matching_run_id", sa.Uuid(), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["matching_run_id"],
            ["matching_runs.id"],
            name=op.f("fk_introductions_matching_run_id_matching_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mentee_profile_id"],
            ["profiles.id"],
            name=op.f("fk_introductions_mentee_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_profile_id"],
            ["profiles.id"],
            name=op.f("fk_introductions_mentor_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_introductions_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_introductions")),
    )
    with op.batch_alter_table("introductions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_introductions_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_introductions_mentee_profile_id"), ["mentee_profile_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_introductions_mentor_profile_id"), ["mentor_profile_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_introductions_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_introductions_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_introductions_holding_mentee",
            ["mentee_profile_id"],
            unique=True,
            postgresql_where=sa.text("status IN ('proposed', 'awaiting_approval', 'active')"),
            sqlite_where=sa.text("status IN ('proposed', 'awaiting_approval', 'active')"),
        )

    op.create_table(
        "pair_exclusions",
        sa.Column("mentee_profile_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_profile_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentee_profile_id"],
            ["profiles.id"],
            name=op.f("fk_pair_exclusions_mentee_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_profile_id"],
            ["profiles.id"],
            name=op.f("fk_pair_exclusions_mentor_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "mentee_profile_id", "mentor_profile_id", name=op.f("pk_pair_exclusions")
        ),
    )
    op.create_table(
        "introduction_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("introduction_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_introduction_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["introduction_id"],
            ["introductions.id"],
            name=op.f("fk_introduction_events_introduction_id_introductions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_introduction_events")),
    )
    with op.batch_alter_table("introduction_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_introduction_events_introduction_id"), ["introduction_id"], unique=False
        )

    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("introduction_id", sa.Uuid(), nullable=False),
        sa.Column("recipient_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["introduction_id"],
            ["introductions.id"],
            name=op.f("fk_notifications_introduction_id_introductions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_notifications_recipient_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "introduction_id", "kind", "recipient_id", name="uq_notifications_once"
        ),
    )


def downgrade() -> None:

    op.drop_table("notifications")
    with op.batch_alter_table("introduction_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_introduction_events_introduction_id"))

    op.drop_table("introduction_events")
    op.drop_table("pair_exclusions")
    with op.batch_alter_table("introductions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_introductions_holding_mentee",
            postgresql_where=sa.text("status IN ('proposed', 'awaiting_approval', 'active')"),
            sqlite_where=sa.text("status IN ('proposed', 'awaiting_approval', 'active')"),
        )
        batch_op.drop_index(batch_op.f("ix_introductions_status"))
        batch_op.drop_index(batch_op.f("ix_introductions_organization_id"))
        batch_op.drop_index(batch_op.f("ix_introductions_mentor_profile_id"))
        batch_op.drop_index(batch_op.f("ix_introductions_mentee_profile_id"))
        batch_op.drop_index(batch_op.f("ix_introductions_expires_at"))

    op.drop_table("introductions")
    with op.batch_alter_table("matching_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matching_runs_organization_id"))

    op.drop_table("matching_runs")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_dispatched_at"))

    op.drop_table("outbox_messages")
