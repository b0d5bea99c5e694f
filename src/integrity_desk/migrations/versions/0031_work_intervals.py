"""work intervals: who worked which case from when to when, with their team and vendor then

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 04:00:00

``work_intervals`` (routing.models.WorkInterval; docs/workforce.md). At most one open interval
a case (a partial unique index). The backfill opens one interval for each case being worked
now (an assignee and a working status), from the case's last claim or assignment in its
timeline, else from the upgrade; earlier work is not reconstructed.
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)
OPEN = "ended_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "work_intervals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("ended_at", UTC, nullable=True),
        sa.Column("start_reason", sa.String(length=16), nullable=False),
        sa.Column("end_reason", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_work_intervals_case_id_cases")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_work_intervals_user_id_users")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"],
                                name=op.f("fk_work_intervals_team_id_teams")),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendors.id"],
                                name=op.f("fk_work_intervals_vendor_id_vendors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_intervals")),
    )
    op.create_index("uq_work_intervals_open_case", "work_intervals", ["case_id"], unique=True,
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    op.create_index("ix_work_intervals_case", "work_intervals", ["case_id", "started_at"])
    op.create_index("ix_work_intervals_user_started", "work_intervals",
                    ["user_id", "started_at"])
    op.create_index("ix_work_intervals_started", "work_intervals", ["started_at"])
    op.create_index("ix_work_intervals_vendor_started", "work_intervals",
                    ["vendor_id", "started_at"])
    _backfill(op.get_bind())


def _backfill(conn: sa.Connection) -> None:
    cases = sa.table("cases", sa.column("id"), sa.column("assignee_id"), sa.column("status"))
    users = sa.table("users", sa.column("id"), sa.column("team_id"))
    teams = sa.table("teams", sa.column("id"), sa.column("vendor_id"))
    events = sa.table("audit_events", sa.column("case_id"), sa.column("kind"),
                      sa.column("occurred_at", UTC))
    intervals = sa.table(
        "work_intervals", sa.column("case_id"), sa.column("user_id"), sa.column("team_id"),
        sa.column("vendor_id"), sa.column("started_at", UTC), sa.column("start_reason"))
    last_taken = (sa.select(sa.func.max(events.c.occurred_at))
                  .where(events.c.case_id == cases.c.id,
                         events.c.kind.in_(["case.claimed", "case.assigned"]))
                  .scalar_subquery())
    now = integrity_desk.db.utcnow()
    conn.execute(intervals.insert().from_select(
        ["case_id", "user_id", "team_id", "vendor_id", "started_at", "start_reason"],
        sa.select(cases.c.id, cases.c.assignee_id, users.c.team_id, teams.c.vendor_id,
                  sa.func.coalesce(last_taken, sa.bindparam("now", now, type_=UTC)),
                  sa.literal("backfilled"))
        .join(users, users.c.id == cases.c.assignee_id)
        .outerjoin(teams, teams.c.id == users.c.team_id)
        .where(cases.c.status.in_(["assigned", "in_progress", "waiting_on_requester",
                                   "waiting_on_legal"]))))


def downgrade() -> None:
    op.drop_index("ix_work_intervals_vendor_started", table_name="work_intervals")
    op.drop_index("ix_work_intervals_started", table_name="work_intervals")
    op.drop_index("ix_work_intervals_user_started", table_name="work_intervals")
    op.drop_index("ix_work_intervals_case", table_name="work_intervals")
    op.drop_index("uq_work_intervals_open_case", table_name="work_intervals")
    op.drop_table("work_intervals")
