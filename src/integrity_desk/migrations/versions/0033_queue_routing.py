"""queue routing settings: versions per queue (mode, certifications, weights, ageing, affinity)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 05:30:00

``queue_routing_versions`` (routing.models.QueueRoutingVersion; docs/routing.md): a queue's
routing settings as versions, the highest in force. Every existing queue gets version 1 with
the defaults. A change bumps ``config_state.version`` (as 0002 does for the queues), so every
process reloads its cached configuration snapshot with the settings in force.
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)
TABLE = "queue_routing_versions"
BUMP = "UPDATE config_state SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("required_certifications", integrity_desk.db.JSONType, nullable=False),
        sa.Column("quality_weight", sa.Float(), nullable=False),
        sa.Column("ageing_per_hour", sa.Float(), nullable=False),
        sa.Column("affinity", sa.Boolean(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["queue_id"], ["queues.id"],
                                name=op.f("fk_queue_routing_versions_queue_id_queues")),
        sa.ForeignKeyConstraint(["changed_by_id"], ["users.id"],
                                name=op.f("fk_queue_routing_versions_changed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_routing_versions")),
        sa.UniqueConstraint("queue_id", "version",
                            name=op.f("uq_queue_routing_versions_queue_id")),
    )
    _backfill(op.get_bind())
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE TRIGGER trg_{TABLE}_config
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {TABLE}
            FOR EACH STATEMENT EXECUTE FUNCTION idesk_bump_config()""")
    else:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER trg_{TABLE}_config_{event.lower()}
                AFTER {event} ON {TABLE} BEGIN {BUMP}; END""")
    # The backfill ran before the trigger: bump once for it, so cached snapshots reload.
    op.execute(BUMP)


def _backfill(conn: sa.Connection) -> None:
    """Version 1, with the defaults, for every queue there is."""
    queues = sa.table("queues", sa.column("id"))
    versions = sa.table(
        TABLE, sa.column("queue_id"), sa.column("version"), sa.column("mode"),
        sa.column("required_certifications", integrity_desk.db.JSONType),
        sa.column("quality_weight"), sa.column("ageing_per_hour"), sa.column("affinity"),
        sa.column("changed_at", UTC))
    ids = [row[0] for row in conn.execute(sa.select(queues.c.id).order_by(queues.c.id))]
    if not ids:
        return
    now = integrity_desk.db.utcnow()
    conn.execute(versions.insert(), [
        {"queue_id": i, "version": 1, "mode": "pull", "required_certifications": [],
         "quality_weight": 0.5, "ageing_per_hour": 0.25, "affinity": True, "changed_at": now}
        for i in ids])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER trg_{TABLE}_config ON {TABLE}")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER trg_{TABLE}_config_{event}")
    op.drop_table(TABLE)
