"""channels: webhook subscriptions, deliveries and their attempts; internal requests

Revision ID: 0018
Revises: 0013
Create Date: 2026-12-06 01:00:00
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0018"
down_revision = "0013"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
BUMP = "UPDATE config_state SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("event_types", JSON, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("secret_ciphertext", sa.Text(), nullable=False),
        sa.Column("secret_hint", sa.String(length=16), nullable=False),
        sa.Column("previous_secret_ciphertext", sa.Text(), nullable=True),
        sa.Column("previous_secret_expires_at", UTC, nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_webhook_subscriptions_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC, nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("replays", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("delivered_at", UTC, nullable=True),
        sa.Column("dead_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["webhook_subscriptions.id"], ondelete="CASCADE",
            name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("subscription_id", "event_id",
                            name=op.f("uq_webhook_deliveries_subscription_id")),
    )
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries",
                    ["next_attempt_at", "id"], postgresql_where=sa.text("status = 'pending'"),
                    sqlite_where=sa.text("status = 'pending'"))
    op.create_index("ix_webhook_deliveries_subscription", "webhook_deliveries",
                    ["subscription_id", "id"])
    op.create_index("ix_webhook_deliveries_dead", "webhook_deliveries",
                    ["subscription_id", "id"], postgresql_where=sa.text("status = 'dead'"),
                    sqlite_where=sa.text("status = 'dead'"))
    op.create_index("ix_webhook_deliveries_created", "webhook_deliveries", ["created_at", "id"])
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["webhook_deliveries.id"], ondelete="CASCADE",
            name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries")),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["webhook_subscriptions.id"], ondelete="CASCADE",
            name=op.f("fk_webhook_attempts_subscription_id_webhook_subscriptions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    op.create_index("ix_webhook_attempts_subscription", "webhook_attempts",
                    ["subscription_id", "id"])
    op.create_index("ix_webhook_attempts_delivery", "webhook_attempts", ["delivery_id", "id"])
    op.create_index("ix_webhook_attempts_started", "webhook_attempts", ["started_at", "id"])
    op.create_table(
        "internal_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("business_domain", sa.String(length=253), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["requester_id"], ["users.id"],
                                name=op.f("fk_internal_requests_requester_id_users")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_internal_requests_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_internal_requests")),
    )
    op.create_index("ix_internal_requests_requester", "internal_requests",
                    ["requester_id", "id"])
    op.create_index("ix_businesses_domain_prefix", "businesses", ["domain"],
                    postgresql_ops={"domain": "text_pattern_ops"})
    # A change to the subscriptions bumps the configuration version (as 0002 does for the
    # desk's configuration), so every process drops its cached subscriptions at once.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE TRIGGER trg_webhook_subscriptions_config
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON webhook_subscriptions
            FOR EACH STATEMENT EXECUTE FUNCTION idesk_bump_config()""")
    else:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER trg_webhook_subscriptions_config_{event.lower()}
                AFTER {event} ON webhook_subscriptions BEGIN {BUMP}; END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER trg_webhook_subscriptions_config ON webhook_subscriptions")
    else:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER trg_webhook_subscriptions_config_{event}")
    op.drop_index("ix_businesses_domain_prefix", table_name="businesses")
    op.drop_index("ix_internal_requests_requester", table_name="internal_requests")
    op.drop_table("internal_requests")
    for name in ("ix_webhook_attempts_started", "ix_webhook_attempts_delivery",
                 "ix_webhook_attempts_subscription"):
        op.drop_index(name, table_name="webhook_attempts")
    op.drop_table("webhook_attempts")
    for name in ("ix_webhook_deliveries_created", "ix_webhook_deliveries_dead",
                 "ix_webhook_deliveries_subscription", "ix_webhook_deliveries_due"):
        op.drop_index(name, table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_subscriptions")
