"""people: case kinds, capacity, weekly shifts with exceptions, availability and its record

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 05:40:00

``users`` gains kinds, capacity, time_zone, shift_pattern, availability and
availability_since; ``shift_exceptions`` and ``availability_changes`` are new
(people.models; docs/workforce.md). Existing people stay unscheduled, available and without a
capacity: nothing routing does changes for them until a manager sets their shifts.
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)
JSON = integrity_desk.db.JSONType
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("kinds", JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("capacity", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=False,
                                   server_default="UTC"))
        batch.add_column(sa.Column("shift_pattern", JSON, nullable=False, server_default="{}"))
        batch.add_column(sa.Column("availability", sa.String(length=16), nullable=False,
                                   server_default="available"))
        batch.add_column(sa.Column("availability_since", UTC, nullable=True))
    op.create_table(
        "shift_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("starts_at", UTC, nullable=False),
        sa.Column("ends_at", UTC, nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_shift_exceptions_period")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_shift_exceptions_user_id_users")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_shift_exceptions_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_exceptions")),
    )
    op.create_index("ix_shift_exceptions_user_ends", "shift_exceptions", ["user_id", "ends_at"])
    op.create_index("ix_shift_exceptions_ends", "shift_exceptions", ["ends_at"])
    op.create_table(
        "availability_changes",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("previous", sa.String(length=16), nullable=True),
        sa.Column("changed_at", UTC, nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_availability_changes_user_id_users")),
        sa.ForeignKeyConstraint(["changed_by_id"], ["users.id"],
                                name=op.f("fk_availability_changes_changed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_changes")),
    )
    op.create_index("ix_availability_changes_user_at", "availability_changes",
                    ["user_id", "changed_at"])
    op.create_index("ix_availability_changes_at", "availability_changes", ["changed_at"])


def downgrade() -> None:
    op.drop_index("ix_availability_changes_at", table_name="availability_changes")
    op.drop_index("ix_availability_changes_user_at", table_name="availability_changes")
    op.drop_table("availability_changes")
    op.drop_index("ix_shift_exceptions_ends", table_name="shift_exceptions")
    op.drop_index("ix_shift_exceptions_user_ends", table_name="shift_exceptions")
    op.drop_table("shift_exceptions")
    # Plain ALTER TABLE … DROP COLUMN on both databases (SQLite has it since 3.35): a batch
    # copy of ``users`` would have to drop the table every other table refers to.
    for column in ("availability_since", "availability", "shift_pattern", "time_zone",
                   "capacity", "kinds"):
        op.drop_column("users", column)
