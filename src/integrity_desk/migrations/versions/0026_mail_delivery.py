"""mail delivery: the outbox's claims, dead letters, SMTP codes, reply threading and attempts

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 22:10:00

The outbox is delivered by a worker job over SMTP, modelled on the webhooks: a claim names its
worker (``claimed_by``) so a late result cannot overwrite a newer attempt; a message the relay
refuses for good is ``dead`` (``dead_at``), listed by a partial index and replayable;
``last_code`` keeps the relay's last reply code; ``in_reply_to`` and ``references`` thread a
reply to a mail the requester sent. ``outbox_attempts`` is the delivery log, one row a try.
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("outbox", sa.Column("claimed_by", sa.String(length=80), nullable=True))
    op.add_column("outbox", sa.Column("dead_at", UTC, nullable=True))
    op.add_column("outbox", sa.Column("last_code", sa.Integer(), nullable=True))
    op.add_column("outbox", sa.Column("in_reply_to", sa.String(length=998), nullable=True))
    op.add_column("outbox", sa.Column("references", sa.Text(), nullable=True))
    op.create_index("ix_outbox_dead", "outbox", ["id"],
                    postgresql_where=sa.text("status = 'dead'"),
                    sqlite_where=sa.text("status = 'dead'"))
    op.create_table(
        "outbox_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["outbox.id"], ondelete="CASCADE",
                                name=op.f("fk_outbox_attempts_message_id_outbox")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attempts")),
    )
    op.create_index("ix_outbox_attempts_message", "outbox_attempts", ["message_id", "id"])
    op.create_index("ix_outbox_attempts_started", "outbox_attempts", ["started_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_attempts_started", table_name="outbox_attempts")
    op.drop_index("ix_outbox_attempts_message", table_name="outbox_attempts")
    op.drop_table("outbox_attempts")
    op.drop_index("ix_outbox_dead", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        for name in ("references", "in_reply_to", "last_code", "dead_at", "claimed_by"):
            batch.drop_column(name)
