"""teams and vendors: vendors, their contracts (KPI targets over a period) and commitments

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 04:00:00

``teams.vendor_name`` (free text) becomes ``teams.vendor_id``: one vendor per distinct name,
its teams pointing at it. The downgrade writes the names back.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import integrity_desk.db

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

teams = sa.table("teams", sa.column("id", sa.Integer), sa.column("vendor_name", sa.String),
                 sa.column("vendor_id", sa.Integer))
vendors = sa.table("vendors", sa.column("id", sa.Integer), sa.column("name", sa.String),
                   sa.column("languages", JSON), sa.column("time_zone", sa.String),
                   sa.column("coverage", JSON), sa.column("active", sa.Boolean),
                   sa.column("created_at", UTC))


def upgrade() -> None:
    op.create_table(
        "vendors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("languages", JSON, nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("coverage", JSON, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendors")),
        sa.UniqueConstraint("name", name=op.f("uq_vendors_name")),
    )
    op.create_index("ix_vendors_active_name", "vendors", ["active", "name"])
    op.create_table(
        "vendor_contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("first_response_attainment", sa.Float(), nullable=True),
        sa.Column("resolution_attainment", sa.Float(), nullable=True),
        sa.Column("qa_accuracy", sa.Float(), nullable=True),
        sa.Column("aht_minutes", sa.Float(), nullable=True),
        sa.Column("backlog_age_p90_hours", sa.Float(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on",
                           name=op.f("ck_vendor_contracts_period")),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendors.id"], ondelete="CASCADE",
                                name=op.f("fk_vendor_contracts_vendor_id_vendors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_contracts")),
    )
    op.create_index("ix_vendor_contracts_vendor_starts", "vendor_contracts",
                    ["vendor_id", "starts_on"])
    op.create_table(
        "vendor_commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("weekly_volume", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["vendor_contracts.id"], ondelete="CASCADE",
                                name=op.f("fk_vendor_commitments_contract_id_vendor_contracts")),
        sa.ForeignKeyConstraint(["queue_id"], ["queues.id"],
                                name=op.f("fk_vendor_commitments_queue_id_queues")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_commitments")),
        sa.UniqueConstraint("contract_id", "queue_id",
                            name=op.f("uq_vendor_commitments_contract_id")),
    )
    op.create_index("ix_vendor_commitments_queue", "vendor_commitments", ["queue_id"])
    with op.batch_alter_table("teams") as batch_op:
        batch_op.add_column(sa.Column("vendor_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_teams_vendor_id_vendors"), "vendors",
                                    ["vendor_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_teams_vendor_id"), ["vendor_id"], unique=False)
    conn = op.get_bind()
    names = sorted({n for n in conn.scalars(sa.select(teams.c.vendor_name).distinct())
                    if n and n.strip()})
    for name in names:
        vendor_id = conn.execute(vendors.insert().values(
            name=name.strip()[:120], languages=[], time_zone="UTC", coverage={}, active=True,
            created_at=integrity_desk.db.utcnow()).returning(vendors.c.id)).scalar_one()
        conn.execute(teams.update().where(teams.c.vendor_name == name)
                     .values(vendor_id=vendor_id))
    with op.batch_alter_table("teams") as batch_op:
        batch_op.drop_column("vendor_name")


def downgrade() -> None:
    with op.batch_alter_table("teams") as batch_op:
        batch_op.add_column(sa.Column("vendor_name", sa.String(length=120), nullable=True))
    conn = op.get_bind()
    for vendor_id, name in conn.execute(sa.select(vendors.c.id, vendors.c.name)).all():
        conn.execute(teams.update().where(teams.c.vendor_id == vendor_id)
                     .values(vendor_name=name))
    with op.batch_alter_table("teams") as batch_op:
        batch_op.drop_index(batch_op.f("ix_teams_vendor_id"))
        batch_op.drop_constraint(op.f("fk_teams_vendor_id_vendors"), type_="foreignkey")
        batch_op.drop_column("vendor_id")
    op.drop_index("ix_vendor_commitments_queue", table_name="vendor_commitments")
    op.drop_table("vendor_commitments")
    op.drop_index("ix_vendor_contracts_vendor_starts", table_name="vendor_contracts")
    op.drop_table("vendor_contracts")
    op.drop_index("ix_vendors_active_name", table_name="vendors")
    op.drop_table("vendors")
