"""an index for the console's list of cases closed on a day

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

CLOSED = sa.text("closed_at IS NOT NULL")


def upgrade() -> None:
    # opened_on uses ix_cases_created and breached_on ix_cases_due; ix_cases_retention leaves
    # out the cases whose personal data retention erased, so closed_on needs its own.
    op.create_index("ix_cases_closed", "cases", ["closed_at", "id"],
                    postgresql_where=CLOSED, sqlite_where=CLOSED)


def downgrade() -> None:
    op.drop_index("ix_cases_closed", table_name="cases", postgresql_where=CLOSED,
                  sqlite_where=CLOSED)
