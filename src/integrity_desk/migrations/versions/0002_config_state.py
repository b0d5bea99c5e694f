"""config state: a version bumped by triggers on every configuration change

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 15:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("triage_rules", "sla_policies", "sla_calendars", "queues", "teams")
BUMP = "UPDATE config_state SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "config_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_config_state")),
    )
    op.execute("INSERT INTO config_state (id, version) VALUES (1, 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION idesk_bump_config() RETURNS trigger AS $$
            BEGIN {BUMP}; RETURN NULL; END $$ LANGUAGE plpgsql""")
        for table in TABLES:
            op.execute(f"""
                CREATE TRIGGER trg_{table}_config AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
                ON {table} FOR EACH STATEMENT EXECUTE FUNCTION idesk_bump_config()""")
    else:
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"""
                    CREATE TRIGGER trg_{table}_config_{event.lower()} AFTER {event} ON {table}
                    BEGIN {BUMP}; END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER trg_{table}_config ON {table}")
        op.execute("DROP FUNCTION idesk_bump_config()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER trg_{table}_config_{event}")
    op.drop_table("config_state")
