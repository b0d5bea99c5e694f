"""calibration exercises: items decided blind by a group, answers, results kept at close

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-07 15:00:00

``quality.calibration_models`` (docs/quality.md, "Calibration exercises"): an exercise, its
items (snapshots of decided cases, or synthetic text) with their reference answers, who is
invited, and each person's answer per item (one per item and person).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import integrity_desk.db

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "calibration_exercises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("opened_at", UTC, nullable=True),
        sa.Column("closes_at", UTC, nullable=True),
        sa.Column("closed_at", UTC, nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("min_alpha", sa.Float(), nullable=False),
        sa.Column("min_agreement", sa.Float(), nullable=False),
        sa.Column("certification", sa.String(length=64), nullable=True),
        sa.Column("valid_days", sa.Integer(), nullable=True),
        sa.Column("guidelines", JSON, nullable=False),
        sa.Column("results", JSON, nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_calibration_exercises_created_by_id_users")),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"],
                                name=op.f("fk_calibration_exercises_closed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_exercises")),
    )
    op.create_index("ix_calibration_exercises_status", "calibration_exercises",
                    ["status", "closes_at", "id"])
    op.create_table(
        "calibration_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("content", JSON, nullable=False),
        sa.Column("reference_action", sa.String(length=40), nullable=True),
        sa.Column("reference_guideline", sa.String(length=64), nullable=True),
        sa.Column("reference_from", sa.String(length=12), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["exercise_id"], ["calibration_exercises.id"],
                                name=op.f("fk_calibration_items_exercise_id_calibration_exercises"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_calibration_items_case_id_cases"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_items")),
        sa.UniqueConstraint("exercise_id", "position",
                            name=op.f("uq_calibration_items_exercise_id")),
    )
    op.create_index("ix_calibration_items_case", "calibration_items", ["case_id"])
    op.create_table(
        "calibration_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("invited_at", UTC, nullable=False),
        sa.Column("submitted_at", UTC, nullable=True),
        sa.Column("agreement", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["exercise_id"], ["calibration_exercises.id"],
            name=op.f("fk_calibration_invitations_exercise_id_calibration_exercises"),
            ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_calibration_invitations_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_invitations")),
        sa.UniqueConstraint("exercise_id", "user_id",
                            name=op.f("uq_calibration_invitations_exercise_id")),
    )
    op.create_index("ix_calibration_invitations_user", "calibration_invitations",
                    ["user_id", "exercise_id"])
    op.create_table(
        "calibration_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("guideline", sa.String(length=64), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("answered_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"], ["calibration_exercises.id"],
            name=op.f("fk_calibration_answers_exercise_id_calibration_exercises"),
            ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["calibration_items.id"],
                                name=op.f("fk_calibration_answers_item_id_calibration_items"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_calibration_answers_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_answers")),
        sa.UniqueConstraint("item_id", "user_id", name=op.f("uq_calibration_answers_item_id")),
    )
    op.create_index("ix_calibration_answers_exercise", "calibration_answers",
                    ["exercise_id", "user_id"])


def downgrade() -> None:
    op.drop_index("ix_calibration_answers_exercise", table_name="calibration_answers")
    op.drop_table("calibration_answers")
    op.drop_index("ix_calibration_invitations_user", table_name="calibration_invitations")
    op.drop_table("calibration_invitations")
    op.drop_index("ix_calibration_items_case", table_name="calibration_items")
    op.drop_table("calibration_items")
    op.drop_index("ix_calibration_exercises_status", table_name="calibration_exercises")
    op.drop_table("calibration_exercises")
