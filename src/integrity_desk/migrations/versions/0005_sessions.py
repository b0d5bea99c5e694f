"""browser sessions and sign-in throttles

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-25 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "browser_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", integrity_desk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", integrity_desk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", integrity_desk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", integrity_desk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=16), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_browser_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_browser_sessions")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_browser_sessions_secret_hash")),
    )
    op.create_index("ix_browser_sessions_user", "browser_sessions", ["user_id", "ended_at"])
    op.create_table(
        "login_throttles",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", integrity_desk.db.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column("locked_until", integrity_desk.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_login_throttles")),
    )
    op.create_index("ix_login_throttles_last_failure", "login_throttles", ["last_failure_at"])


def downgrade() -> None:
    op.drop_index("ix_login_throttles_last_failure", table_name="login_throttles")
    op.drop_table("login_throttles")
    op.drop_index("ix_browser_sessions_user", table_name="browser_sessions")
    op.drop_table("browser_sessions")
