"""quality assurance: sampling plans, review forms, the QA queue, and QA counts in kpi_days

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07 15:00:00

``qa_plans``, ``qa_forms`` and ``qa_items`` (quality.models; docs/quality.md). ``kpi_days``
gains the QA counts (reviewed, correct) that QA accuracy is made of; there were no reviews
before this revision, so existing rows are right with zeros and the rollup needs no rebuild.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import integrity_desk.db

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "qa_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("rule", sa.String(length=16), nullable=False),
        sa.Column("share", sa.Float(), nullable=True),
        sa.Column("categories", JSON, nullable=False),
        sa.Column("min_severity", sa.Integer(), nullable=True),
        sa.Column("first_weeks", sa.Integer(), nullable=True),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_qa_plans_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_plans")),
    )
    op.create_table(
        "qa_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("categories", JSON, nullable=False),
        sa.Column("pass_mark", sa.Integer(), nullable=False),
        sa.Column("change_note", sa.String(length=500), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_qa_forms_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_forms")),
        sa.UniqueConstraint("kind", "version", name=op.f("uq_qa_forms_kind")),
    )
    op.create_table(
        "qa_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("drawn_at", UTC, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("guideline", sa.String(length=64), nullable=True),
        sa.Column("decided_at", UTC, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("taken_at", UTC, nullable=True),
        sa.Column("form_id", sa.Integer(), nullable=True),
        sa.Column("findings", JSON, nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.Column("verdict", sa.String(length=300), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("reviewed_at", UTC, nullable=True),
        sa.Column("dispute_until", UTC, nullable=True),
        sa.Column("dispute_reason", sa.Text(), nullable=True),
        sa.Column("disputed_at", UTC, nullable=True),
        sa.Column("settled_by_id", sa.Integer(), nullable=True),
        sa.Column("settled_at", UTC, nullable=True),
        sa.Column("settlement", sa.String(length=8), nullable=True),
        sa.Column("settlement_note", sa.Text(), nullable=True),
        sa.Column("changed_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"],
                                name=op.f("fk_qa_items_decision_id_decisions")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_qa_items_case_id_cases")),
        sa.ForeignKeyConstraint(["plan_id"], ["qa_plans.id"], ondelete="SET NULL",
                                name=op.f("fk_qa_items_plan_id_qa_plans")),
        sa.ForeignKeyConstraint(["person_id"], ["users.id"],
                                name=op.f("fk_qa_items_person_id_users")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"],
                                name=op.f("fk_qa_items_reviewer_id_users")),
        sa.ForeignKeyConstraint(["form_id"], ["qa_forms.id"],
                                name=op.f("fk_qa_items_form_id_qa_forms")),
        sa.ForeignKeyConstraint(["settled_by_id"], ["users.id"],
                                name=op.f("fk_qa_items_settled_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_items")),
        sa.UniqueConstraint("decision_id", name=op.f("uq_qa_items_decision_id")),
    )
    op.create_index("ix_qa_items_queue", "qa_items", ["status", "drawn_at", "id"])
    op.create_index("ix_qa_items_person", "qa_items", ["person_id", "reviewed_at"])
    op.create_index("ix_qa_items_reviewed", "qa_items", ["reviewed_at"],
                    postgresql_where=sa.text("reviewed_at IS NOT NULL"),
                    sqlite_where=sa.text("reviewed_at IS NOT NULL"))
    op.create_index("ix_qa_items_changed", "qa_items", ["changed_at"])
    op.create_index("ix_qa_items_team", "qa_items", ["team_id", "reviewed_at"])
    for name in ("qa_reviewed", "qa_correct"):
        op.add_column("kpi_days", sa.Column(name, sa.Integer(), nullable=False,
                                            server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("kpi_days") as batch_op:
        batch_op.drop_column("qa_correct")
        batch_op.drop_column("qa_reviewed")
    op.drop_table("qa_items")
    op.drop_table("qa_forms")
    op.drop_table("qa_plans")
