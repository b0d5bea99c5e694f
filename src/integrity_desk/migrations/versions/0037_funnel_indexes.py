"""funnel indexes: requests received in a period, the appeals of a decision

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07 13:00:00

The flagging funnel (kpis.funnel; docs/dashboard.md) counts the requests that joined an open
case in a period (``ix_case_requests_received``) and follows restricting decisions to their
appeal outcomes (``ix_decisions_appeal_of``); without them both read whole tables.
"""

from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_case_requests_received", "case_requests", ["received_at", "id"])
    op.create_index("ix_decisions_appeal_of", "decisions", ["appeal_of_id"])


def downgrade() -> None:
    op.drop_index("ix_decisions_appeal_of", table_name="decisions")
    op.drop_index("ix_case_requests_received", table_name="case_requests")
