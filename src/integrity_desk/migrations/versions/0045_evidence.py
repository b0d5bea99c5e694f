"""evidence snapshots, unchangeable in the database itself

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-07 20:30:00

A snapshot is the desk's proof of what a review, account or business looked like when it was
examined or decided on (evidence.models). As with the submission log (0024), triggers make
the database refuse UPDATE, DELETE and TRUNCATE of ``evidence_snapshots``: the code only
inserts, and no stray script, retention run or hand-typed statement can rewrite the proof.
PostgreSQL reuses 0024's ``idesk_refuse_change()``; both refusals are constraint errors.
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0045"
down_revision = "0044"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)
TABLE = "evidence_snapshots"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("subject_ref", sa.String(280), nullable=False),
        sa.Column("occasion", sa.String(16), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("taken_at", UTC, nullable=False),
        sa.Column("taken_by_id", sa.Integer(), nullable=True),
        sa.Column("taken_by", sa.String(200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_evidence_snapshots_case_id_cases")),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"],
                                name=op.f("fk_evidence_snapshots_decision_id_decisions")),
        sa.ForeignKeyConstraint(["taken_by_id"], ["users.id"],
                                name=op.f("fk_evidence_snapshots_taken_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_snapshots")),
    )
    op.create_index("ix_evidence_snapshots_case", TABLE, ["case_id", "id"])
    op.create_index("ix_evidence_snapshots_subject", TABLE, ["subject_type", "subject_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE TRIGGER trg_{TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
            FOR EACH ROW EXECUTE FUNCTION idesk_refuse_change()""")
        op.execute(f"""
            CREATE TRIGGER trg_{TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
            FOR EACH STATEMENT EXECUTE FUNCTION idesk_refuse_change()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER trg_{TABLE}_append_only_{event.lower()} BEFORE {event} ON {TABLE}
                BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: {event} refused'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER trg_{TABLE}_no_truncate ON {TABLE}")
        op.execute(f"DROP TRIGGER trg_{TABLE}_append_only ON {TABLE}")
    op.drop_index("ix_evidence_snapshots_subject", table_name=TABLE)
    op.drop_index("ix_evidence_snapshots_case", table_name=TABLE)
    op.drop_table(TABLE)
