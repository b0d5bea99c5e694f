"""funnel rollup: the flagging funnel's counts per day of receipt in kpi_days

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 13:10:00

The funnel of a month read a month of cases and probed their decisions and actions one by one
(1.3 s at 1M cases); kept per day of receipt by the rollup, a period is a sum of rows
(kpis.funnel, docs/dashboard.md). Existing rows get zeros; the next rollup run fills the days
it recomputes, and ``rollup.run(rebuild=True)`` (or a fresh desk's first run) all of them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

COLUMNS = ("funnel_received", "funnel_opened", "funnel_decided", "funnel_restricted",
           "funnel_appealed", "funnel_overturned", "funnel_partly_overturned")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("kpi_days", sa.Column(name, sa.Integer(), nullable=False,
                                            server_default="0"))
    # The rollup starts afresh: its next run is a first run, which fills every day's funnel.
    op.execute("DELETE FROM metrics_refresh WHERE name = 'kpis'")


def downgrade() -> None:
    for name in reversed(COLUMNS):
        op.drop_column("kpi_days", name)
