"""indexes for lists in their default order (priority, then due), whole desk or one queue

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 16:05:00
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_cases_queue_status", table_name="cases")
    op.create_index("ix_cases_priority_due", "cases", ["priority", "resolution_due_at", "id"])
    op.create_index("ix_cases_queue_priority_due", "cases",
                    ["queue_id", "priority", "resolution_due_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_cases_queue_priority_due", table_name="cases")
    op.drop_index("ix_cases_priority_due", table_name="cases")
    op.create_index("ix_cases_queue_status", "cases", ["queue_id", "status", "priority", "id"])
