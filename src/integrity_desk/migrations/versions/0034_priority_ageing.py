"""priority ageing: the priority triage gave, kept when ageing raises a waiting case's

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 06:00:00

``cases.triage_priority`` (cases.models.Case; docs/routing.md#priority-ageing): NULL until the
ageing job first raises ``priority``, then the priority triage gave, so the rule keeps
counting steps from it and the case's page can say what triage said. Nullable and without a
default: existing cases are simply never aged yet, and no row is rewritten.
"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both backends (as in 0029): a batch copy of ``cases`` would lose
    # its expression indexes and its search triggers on SQLite.
    op.add_column("cases", sa.Column("triage_priority", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("cases", "triage_priority")  # a plain DROP COLUMN (SQLite 3.35+)
