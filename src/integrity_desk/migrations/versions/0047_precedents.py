"""precedents: one row per decided case and the keys it is found by (precedents.models)

Revision ID: 0047_precedents
Revises: 0046_workspace
Create Date: 2026-12-07 20:30:00

Existing decided cases are not written here (a migration should not carry the slice's text
rules): ``idesk precedents rebuild`` fills the table from the decisions, once, after upgrading.
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0047_precedents"
down_revision = "0046_workspace"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "precedents",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("decision_id", sa.Integer(),
                  sa.ForeignKey("decisions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("guideline_code", sa.String(64), nullable=True),
        sa.Column("category", sa.String(32), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("decided_at", UTC, nullable=False),
        sa.Column("appeal", sa.String(24), nullable=False, server_default=sa.text("'none'")),
        sa.Column("terms", sa.Text(), nullable=False, server_default=sa.text("''")),
    )
    op.create_index("ix_precedents_decided", "precedents", ["decided_at", "case_id"])
    op.create_table(
        "precedent_keys",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"),
                  primary_key=True),
    )
    op.create_index("ix_precedent_keys_case", "precedent_keys", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_precedent_keys_case", table_name="precedent_keys")
    op.drop_table("precedent_keys")
    op.drop_index("ix_precedents_decided", table_name="precedents")
    op.drop_table("precedents")
