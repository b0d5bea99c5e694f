"""an index for the job that ends time-limited restrictions

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 21:15:00

``decisions.restrictions_end`` runs every five minutes and looks for restrictions still in force
whose end has passed. Without an index that is a scan of every action ever taken; this partial
index holds only the restrictions that can end and are still in force, ordered by their end.
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

WHERE = ("closed_at IS NULL AND ends_at IS NOT NULL AND action IN ('suspend_reviewer', "
         "'restrict_business_features', 'consumer_warning', 'hide_pending_investigation')")


def upgrade() -> None:
    op.create_index("ix_decision_actions_ending", "decision_actions", ["ends_at", "id"],
                    postgresql_where=sa.text(WHERE), sqlite_where=sa.text(WHERE))


def downgrade() -> None:
    op.drop_index("ix_decision_actions_ending", table_name="decision_actions")
