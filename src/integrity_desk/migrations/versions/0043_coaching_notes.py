"""coaching notes: dated notes a lead writes to a person, on the person's growth page

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-07 15:50:00

``coaching_notes`` (growth.models; docs/quality.md#each-persons-growth). Append-only: the
desk never updates or deletes a note.
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0043"
down_revision = "0042"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "coaching_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("written_at", UTC, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["users.id"],
                                name=op.f("fk_coaching_notes_person_id_users")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"],
                                name=op.f("fk_coaching_notes_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_notes")),
    )
    op.create_index("ix_coaching_notes_person", "coaching_notes", ["person_id", "written_at"])


def downgrade() -> None:
    op.drop_table("coaching_notes")
