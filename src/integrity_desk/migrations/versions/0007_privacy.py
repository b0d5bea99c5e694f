"""privacy: legal holds, and the marker and index retention erases closed cases by

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 09:00:00
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ACTIVE = "lifted_at IS NULL"
RETAINED = "closed_at IS NOT NULL AND pii_erased_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("subject_type", sa.String(length=16), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=True),
        sa.Column("placed_at", integrity_desk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.Column("lifted_at", integrity_desk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(case_id IS NOT NULL AND subject_type IS NULL AND subject_id IS NULL)"
            " OR (case_id IS NULL AND subject_type IS NOT NULL AND subject_id IS NOT NULL)",
            name=op.f("ck_legal_holds_case_or_subject"),
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_legal_holds_case_id_cases")),
        sa.ForeignKeyConstraint(["placed_by_id"], ["users.id"],
                                name=op.f("fk_legal_holds_placed_by_id_users")),
        sa.ForeignKeyConstraint(["lifted_by_id"], ["users.id"],
                                name=op.f("fk_legal_holds_lifted_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    op.create_index("ix_legal_holds_case_active", "legal_holds", ["case_id"],
                    postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))
    op.create_index("ix_legal_holds_subject_active", "legal_holds",
                    ["subject_type", "subject_id"],
                    postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))
    op.add_column("cases", sa.Column("pii_erased_at", integrity_desk.db.UTCDateTime(timezone=True),
                                     nullable=True))
    op.create_index("ix_cases_retention", "cases", ["closed_at", "id"],
                    postgresql_where=sa.text(RETAINED), sqlite_where=sa.text(RETAINED))


def downgrade() -> None:
    op.drop_index("ix_cases_retention", table_name="cases")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("pii_erased_at")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite drops a column by rebuilding the table, which cannot carry an expression
        # index over: put back the one 0006 made.
        op.create_index("ix_cases_requester_contact", "cases",
                        [sa.text("lower(requester_contact)"), "created_at"])
    op.drop_index("ix_legal_holds_subject_active", table_name="legal_holds")
    op.drop_index("ix_legal_holds_case_active", table_name="legal_holds")
    op.drop_table("legal_holds")
