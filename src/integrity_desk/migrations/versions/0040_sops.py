"""sops: versioned playbooks per case kind, their checklist items, each case's ticks, and the
SOP version a decision was taken under

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-07 15:00:00

A kind without an SOP blocks nothing, so existing desks behave as before until a manager
publishes one (sops.service, docs/sops.md); decisions taken before keep ``sop_id`` NULL.
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sops",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("change_note", sa.String(length=500), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_sops_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sops")),
        sa.UniqueConstraint("kind", "version", name=op.f("uq_sops_kind")),
    )
    op.create_index("uq_sops_current", "sops", ["kind"], unique=True,
                    postgresql_where=sa.text("is_current"), sqlite_where=sa.text("is_current"))
    op.create_index("ix_sops_kind_created", "sops", ["kind", "created_at", "version"])
    op.create_table(
        "sop_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sop_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("help_text", sa.String(length=1000), nullable=True),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["sop_id"], ["sops.id"], ondelete="CASCADE",
                                name=op.f("fk_sop_items_sop_id_sops")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sop_items")),
        sa.UniqueConstraint("sop_id", "key", name=op.f("uq_sop_items_sop_id")),
    )
    op.create_index("ix_sop_items_sop", "sop_items", ["sop_id", "position"])
    op.create_table(
        "checklist_ticks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("sop_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("done_at", UTC, nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.Column("undone_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_checklist_ticks_case_id_cases")),
        sa.ForeignKeyConstraint(["sop_id"], ["sops.id"],
                                name=op.f("fk_checklist_ticks_sop_id_sops")),
        sa.ForeignKeyConstraint(["item_id"], ["sop_items.id"],
                                name=op.f("fk_checklist_ticks_item_id_sop_items")),
        sa.ForeignKeyConstraint(["done_by_id"], ["users.id"],
                                name=op.f("fk_checklist_ticks_done_by_id_users")),
        sa.ForeignKeyConstraint(["undone_by_id"], ["users.id"],
                                name=op.f("fk_checklist_ticks_undone_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_ticks")),
        sa.UniqueConstraint("case_id", "item_id", name=op.f("uq_checklist_ticks_case_id")),
    )
    op.create_index("ix_checklist_ticks_sop", "checklist_ticks", ["sop_id", "case_id"])
    with op.batch_alter_table("decisions") as batch_op:
        batch_op.add_column(sa.Column("sop_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_decisions_sop_id_sops"), "sops", ["sop_id"], ["id"])
        batch_op.create_index("ix_decisions_sop", ["sop_id", "id"])


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch_op:
        batch_op.drop_index("ix_decisions_sop")
        batch_op.drop_constraint(op.f("fk_decisions_sop_id_sops"), type_="foreignkey")
        batch_op.drop_column("sop_id")
    op.drop_index("ix_checklist_ticks_sop", table_name="checklist_ticks")
    op.drop_table("checklist_ticks")
    op.drop_index("ix_sop_items_sop", table_name="sop_items")
    op.drop_table("sop_items")
    op.drop_index("ix_sops_kind_created", table_name="sops")
    op.drop_index("uq_sops_current", table_name="sops")
    op.drop_table("sops")
