"""policy questions: a specialist's question to Policy from a case, its answer and the
guideline version the answer published or links

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-07 15:40:00

``policy_questions`` (policy_questions.models; docs/quality.md#policy-questions).
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "policy_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("guideline_code", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("raised_at", UTC, nullable=False),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", UTC, nullable=True),
        sa.Column("guideline_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_policy_questions_case_id_cases")),
        sa.ForeignKeyConstraint(["raised_by_id"], ["users.id"],
                                name=op.f("fk_policy_questions_raised_by_id_users")),
        sa.ForeignKeyConstraint(["answered_by_id"], ["users.id"],
                                name=op.f("fk_policy_questions_answered_by_id_users")),
        sa.ForeignKeyConstraint(["guideline_id"], ["guidelines.id"],
                                name=op.f("fk_policy_questions_guideline_id_guidelines")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_questions")),
    )
    op.create_index("ix_policy_questions_open", "policy_questions", ["due_at", "id"],
                    postgresql_where=sa.text("status = 'open'"),
                    sqlite_where=sa.text("status = 'open'"))
    op.create_index("ix_policy_questions_guideline", "policy_questions",
                    ["guideline_code", "raised_at"])
    op.create_index("ix_policy_questions_case", "policy_questions", ["case_id", "id"])
    op.create_index("ix_policy_questions_raised_by", "policy_questions",
                    ["raised_by_id", "raised_at"])


def downgrade() -> None:
    op.drop_table("policy_questions")
