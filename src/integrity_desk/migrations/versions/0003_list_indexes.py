"""indexes for lists in their default order, and none that lures the claim off its own

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 16:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # (status, priority, …) and (queue, status, …) let PostgreSQL serve a claim's order from
    # the wrong index, discarding other queues' cases; the partial ix_cases_claim is the one.
    op.drop_index("ix_cases_queue_status", table_name="cases")
    op.drop_index("ix_cases_status_priority", table_name="cases")
    op.create_index("ix_cases_status_worked", "cases",
                    ["status", "priority", "resolution_due_at", "id"],
                    postgresql_where=sa.text("status <> 'triaged'"),
                    sqlite_where=sa.text("status <> 'triaged'"))
    op.create_index("ix_cases_priority_due", "cases", ["priority", "resolution_due_at", "id"])
    op.create_index("ix_cases_queue_open", "cases",
                    ["queue_id", "priority", "resolution_due_at", "id"],
                    postgresql_where=sa.text("is_open"), sqlite_where=sa.text("is_open"))
    # Lists sorted by due time read every case, not only open ones.
    op.drop_index("ix_cases_due_open", table_name="cases")
    op.create_index("ix_cases_due", "cases", ["resolution_due_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_cases_due", table_name="cases")
    op.create_index("ix_cases_due_open", "cases", ["resolution_due_at", "id"],
                    postgresql_where=sa.text("is_open"), sqlite_where=sa.text("is_open"))
    op.drop_index("ix_cases_queue_open", table_name="cases")
    op.drop_index("ix_cases_priority_due", table_name="cases")
    op.drop_index("ix_cases_status_worked", table_name="cases")
    op.create_index("ix_cases_status_priority", "cases",
                    ["status", "priority", "resolution_due_at", "id"])
    op.create_index("ix_cases_queue_status", "cases", ["queue_id", "status", "priority", "id"])
