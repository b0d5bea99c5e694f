"""statements of reasons for the DSA Transparency Database, and their append-only submission log

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 10:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import integrity_desk.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
QUEUED = sa.text("status = 'queued'")
PARKED = sa.text("status = 'parked'")


def upgrade() -> None:
    op.create_table(
        "dsa_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("puid", sa.String(length=500), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("subject_ref", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("statement", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tdb_uuid", sa.String(length=64), nullable=True),
        sa.Column("parked_reason", sa.Text(), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("created_at", integrity_desk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", integrity_desk.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'submitted', 'parked', 'superseded')",
                           name=op.f("ck_dsa_statements_status")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_dsa_statements_case_id_cases")),
        sa.ForeignKeyConstraint(["supersedes_id"], ["dsa_statements.id"],
                                name=op.f("fk_dsa_statements_supersedes_id_dsa_statements")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsa_statements")),
        sa.UniqueConstraint("puid", name=op.f("uq_dsa_statements_puid")),
    )
    with op.batch_alter_table("dsa_statements", schema=None) as batch_op:
        batch_op.create_index("ix_dsa_statements_queued", ["puid"],
                              postgresql_where=QUEUED, sqlite_where=QUEUED)
        batch_op.create_index("ix_dsa_statements_created", ["created_at", "id"])
        batch_op.create_index("ix_dsa_statements_decision_subject",
                              ["decision_id", "subject_ref", "version"])
        batch_op.create_index("ix_dsa_statements_case_subject",
                              ["case_id", "subject_ref", "version"])
        batch_op.create_index("ix_dsa_statements_parked", ["id"],
                              postgresql_where=PARKED, sqlite_where=PARKED)
        batch_op.create_index(batch_op.f("ix_dsa_statements_supersedes_id"), ["supersedes_id"])

    op.create_table(
        "dsa_submission_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", integrity_desk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("puids", JSON, nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("response_excerpt", sa.Text(), nullable=True),
        sa.Column("detail", JSON, nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dsa_submission_log")),
    )
    with op.batch_alter_table("dsa_submission_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dsa_submission_log_at"), ["at"])


def downgrade() -> None:
    with op.batch_alter_table("dsa_submission_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dsa_submission_log_at"))
    op.drop_table("dsa_submission_log")
    with op.batch_alter_table("dsa_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dsa_statements_supersedes_id"))
        batch_op.drop_index("ix_dsa_statements_parked", postgresql_where=PARKED,
                            sqlite_where=PARKED)
        batch_op.drop_index("ix_dsa_statements_case_subject")
        batch_op.drop_index("ix_dsa_statements_decision_subject")
        batch_op.drop_index("ix_dsa_statements_created")
        batch_op.drop_index("ix_dsa_statements_queued", postgresql_where=QUEUED,
                            sqlite_where=QUEUED)
    op.drop_table("dsa_statements")
