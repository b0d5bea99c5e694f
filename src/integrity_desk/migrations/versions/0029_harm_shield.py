"""harm shield: what triage found harmful to view, the blur setting, daily exposure

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 00:30:00

``reviews.harm`` and ``cases.harm`` keep triage's verdict (``threat,hate``; NULL harmless),
``cases.text_harm`` that of the case's own title and description, so lists and routing read a
column. ``users.blur_harm`` is the per-person setting (on unless turned off).
``harm_exposures`` counts each person's harmful items seen per UTC day (docs/wellbeing.md).
Rows from before this revision are unclassified (NULL) until they are next mirrored or opened.
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("reviews", sa.Column("harm", sa.String(length=64), nullable=True))
    op.add_column("cases", sa.Column("harm", sa.String(length=64), nullable=True))
    op.add_column("cases", sa.Column("text_harm", sa.String(length=64), nullable=True))
    op.add_column("users", sa.Column("blur_harm", sa.Boolean(), nullable=False,
                                     server_default=sa.true()))
    op.create_table(
        "harm_exposures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("item", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("harm", sa.String(length=64), nullable=False),
        sa.Column("how", sa.String(length=16), nullable=False),
        sa.Column("seen_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_harm_exposures_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_harm_exposures")),
        sa.UniqueConstraint("user_id", "day", "item", name="uq_harm_exposures_user_day_item"),
    )
    op.create_index("ix_harm_exposures_day", "harm_exposures", ["day", "user_id"])


def downgrade() -> None:
    op.drop_index("ix_harm_exposures_day", table_name="harm_exposures")
    op.drop_table("harm_exposures")
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of ``cases`` would lose its expression
    # indexes and its search triggers on SQLite.
    op.drop_column("users", "blur_harm")
    op.drop_column("cases", "text_harm")
    op.drop_column("cases", "harm")
    op.drop_column("reviews", "harm")
