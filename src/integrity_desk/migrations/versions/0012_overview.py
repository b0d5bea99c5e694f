"""the console's counts as a snapshot (queue backlog, flow per day) and the overview's indexes

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 12:00:00
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OPEN = sa.text("is_open")


def upgrade() -> None:
    op.create_table(
        "metrics_refresh",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("computed_at", integrity_desk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("took_ms", sa.Integer(), nullable=False),
        sa.Column("breaches_today", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_metrics_refresh")),
    )
    op.create_table(
        "queue_backlog",
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("open_total", sa.Integer(), nullable=False),
        sa.Column("at_risk", sa.Integer(), nullable=False),
        sa.Column("breached", sa.Integer(), nullable=False),
        sa.Column("unassigned", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["queue_id"], ["queues.id"], ondelete="CASCADE",
                                name=op.f("fk_queue_backlog_queue_id_queues")),
        sa.PrimaryKeyConstraint("queue_id", "priority", "visibility",
                                name=op.f("pk_queue_backlog")),
    )
    op.create_table(
        "case_flow_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_case_flow_days")),
    )
    op.create_index("ix_cases_open_created", "cases", ["created_at", "id"],
                    postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade() -> None:
    op.drop_index("ix_cases_open_created", table_name="cases")
    op.drop_table("case_flow_days")
    op.drop_table("queue_backlog")
    op.drop_table("metrics_refresh")
