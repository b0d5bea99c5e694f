"""investigation workspace: members dropped by a person, and why a person added one

Revision ID: 0046_workspace
Revises: 0045
Create Date: 2026-12-07 20:30:00

``dropped_members`` keeps the reviews, accounts and businesses a person took out of an
investigation, with the reason, so that the signals' next run does not put them back
(investigations.models); its primary key (case, subject) serves both the workspace's list and
the signals' check. ``case_subjects.reason`` says why a person added a member (NULL for the
subjects intake and the signals named).
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0046_workspace"
down_revision = "0045"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("case_subjects") as batch:
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
    op.create_table(
        "dropped_members",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("dropped_by_id", sa.Integer(), nullable=True),
        sa.Column("dropped_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_dropped_members_case_id_cases")),
        sa.ForeignKeyConstraint(["dropped_by_id"], ["users.id"],
                                name=op.f("fk_dropped_members_dropped_by_id_users")),
        sa.PrimaryKeyConstraint("case_id", "subject_type", "subject_id",
                                name=op.f("pk_dropped_members")),
    )


def downgrade() -> None:
    op.drop_table("dropped_members")
    with op.batch_alter_table("case_subjects") as batch:
        batch.drop_column("reason")
