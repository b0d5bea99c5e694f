"""inbound mail: received messages, their attachments, and their bytes stored once by SHA-256

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 22:10:00
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "mail_contents",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_mail_contents")),
    )
    op.create_table(
        "inbound_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=500), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("route", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("sender", sa.String(length=254), nullable=True),
        sa.Column("recipients", JSON, nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("raw_sha256", sa.String(length=64), nullable=True),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("erased_at", UTC, nullable=True),
        sa.Column("extra", JSON, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_inbound_mail_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_mail")),
        sa.UniqueConstraint("message_id", name=op.f("uq_inbound_mail_message_id")),
    )
    op.create_index("ix_inbound_mail_case", "inbound_mail", ["case_id", "id"])
    op.create_table(
        "mail_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["inbound_id"], ["inbound_mail.id"], ondelete="CASCADE",
                                name=op.f("fk_mail_files_inbound_id_inbound_mail")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_mail_files_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_files")),
    )
    op.create_index("ix_mail_files_case", "mail_files", ["case_id", "id"])
    op.create_index("ix_mail_files_inbound", "mail_files", ["inbound_id"])
    op.create_index("ix_mail_files_sha256", "mail_files", ["sha256"])


def downgrade() -> None:
    op.drop_table("mail_files")
    op.drop_table("inbound_mail")
    op.drop_table("mail_contents")
