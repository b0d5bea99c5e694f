"""indexes for the console's lists: my open cases in urgency order, cases closed on a day

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CLOSED = sa.text("closed_at IS NOT NULL")
OPEN = sa.text("is_open")


def upgrade() -> None:
    # My work: filter and order from one index (SQLite walked ix_cases_priority_due instead).
    op.create_index("ix_cases_assignee_open", "cases",
                    ["assignee_id", "priority", "resolution_due_at", "id"],
                    postgresql_where=OPEN, sqlite_where=OPEN)
    # opened_on uses ix_cases_created and breached_on ix_cases_due; ix_cases_retention leaves
    # out the cases whose personal data retention erased, so closed_on needs its own.
    op.create_index("ix_cases_closed", "cases", ["closed_at", "id"],
                    postgresql_where=CLOSED, sqlite_where=CLOSED)


def downgrade() -> None:
    op.drop_index("ix_cases_closed", table_name="cases", postgresql_where=CLOSED,
                  sqlite_where=CLOSED)
    op.drop_index("ix_cases_assignee_open", table_name="cases", postgresql_where=OPEN,
                  sqlite_where=OPEN)
