"""weekly reports: each ISO week's report kept as generated (HTML page and CSV bundle)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 13:00:00

``weekly_reports`` (kpis.models.WeeklyReport; docs/kpis.md#the-weekly-report): one row per
ISO week, written by ``idesk report weekly`` and by the worker every Monday.
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "weekly_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("generated_at", UTC, nullable=False),
        sa.Column("generated_by", sa.String(length=200), nullable=False),
        sa.Column("figures_as_of", UTC, nullable=True),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("bundle", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_reports")),
        sa.UniqueConstraint("week", name=op.f("uq_weekly_reports_week")),
    )


def downgrade() -> None:
    op.drop_table("weekly_reports")
