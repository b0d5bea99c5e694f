"""certifications: what a person has proved they may work, for routing to require

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 01:00:00
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_ref", sa.String(length=120), nullable=True),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", integrity_desk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", integrity_desk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", integrity_desk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_certifications_user_id_users")),
        sa.ForeignKeyConstraint(["granted_by_id"], ["users.id"],
                                name=op.f("fk_certifications_granted_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certifications")),
    )
    op.create_index("ix_certifications_user", "certifications", ["user_id", "name"])


def downgrade() -> None:
    op.drop_index("ix_certifications_user", table_name="certifications")
    op.drop_table("certifications")
