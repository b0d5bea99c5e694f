"""finished jobs by when they finished, for the prune

Revision ID: 0023
Revises: 0018
Create Date: 2026-12-06 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0018"
branch_labels = None
depends_on = None

FINISHED = sa.text("status IN ('done', 'failed')")


def upgrade() -> None:
    op.create_index("ix_jobs_finished", "jobs", ["finished_at", "id"],
                    postgresql_where=FINISHED, sqlite_where=FINISHED)


def downgrade() -> None:
    op.drop_index("ix_jobs_finished", table_name="jobs", postgresql_where=FINISHED,
                  sqlite_where=FINISHED)
