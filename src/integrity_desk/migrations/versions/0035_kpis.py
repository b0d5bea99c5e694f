"""kpis: resolution and closure facts, and the daily rollup of every KPI

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 12:30:00

``case_outcomes`` (kpis.models.CaseOutcome) keeps each resolution and closure as it happened;
``kpi_days`` the additive counts per UTC day and dimension value (docs/kpis.md). The cases
already decided or closed get their facts from what their rows still say (the holder then is
the assignee now; whether the SLA was met, from the due instants on the row), so the first
rollup has history to count.
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_outcomes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=8), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("first_response_met", sa.Boolean(), nullable=True),
        sa.Column("resolution_met", sa.Boolean(), nullable=True),
        sa.Column("reopened_at", UTC, nullable=True),
        sa.Column("reopen_window_ends_at", UTC, nullable=True),
        sa.Column("revised_at", UTC, nullable=True),
        sa.Column("changed_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_case_outcomes_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_outcomes")),
    )
    op.create_index("ix_case_outcomes_at", "case_outcomes", ["at", "id"])
    op.create_index("ix_case_outcomes_changed", "case_outcomes", ["changed_at"])
    op.create_index("ix_case_outcomes_case", "case_outcomes", ["case_id", "event", "id"])
    op.create_table(
        "kpi_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in (
            "inflow", "outflow", "reopened", "resolved", "resolution_timed", "resolution_met",
            "first_response_timed", "first_response_met")],
        sa.Column("handling_seconds", sa.Float(), nullable=False),
        sa.Column("handled", sa.Integer(), nullable=False),
        sa.Column("busy_seconds", sa.Float(), nullable=False),
        sa.Column("available_seconds", sa.Float(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in (
            "appeals_decided", "overturned", "partly_overturned")],
        sa.Column("backlog", sa.Integer(), nullable=True),
        *[sa.Column(name, sa.Float(), nullable=True) for name in (
            "age_p50_hours", "age_p90_hours", "age_max_hours", "sla_age_p50_hours",
            "sla_age_p90_hours", "sla_age_max_hours")],
        sa.PrimaryKeyConstraint("day", "dimension", "key", name=op.f("pk_kpi_days")),
    )
    op.create_index("ix_kpi_days_dimension", "kpi_days", ["dimension", "key", "day"])
    op.create_index("ix_work_intervals_ended", "work_intervals", ["ended_at"])
    # History from the rows as they stand (one INSERT … SELECT each).
    who = ("c.assignee_id, u.team_id, t.vendor_id FROM cases c "
           "LEFT JOIN users u ON u.id = c.assignee_id LEFT JOIN teams t ON t.id = u.team_id")
    op.execute(
        "INSERT INTO case_outcomes (case_id, event, at, queue_id, kind, priority, "
        "first_response_met, resolution_met, changed_at, person_id, team_id, vendor_id) "
        "SELECT c.id, 'resolved', c.decided_at, c.queue_id, c.kind, c.priority, "
        "CASE WHEN c.first_response_due_at IS NULL THEN NULL "
        "ELSE COALESCE(c.first_responded_at, c.decided_at) <= c.first_response_due_at END, "
        "CASE WHEN c.resolution_due_at IS NULL THEN NULL "
        "ELSE c.decided_at <= c.resolution_due_at END, c.decided_at, " + who +
        " WHERE c.decided_at IS NOT NULL")
    window = ("c.closed_at + interval '30 days'" if op.get_bind().dialect.name == "postgresql"
              # SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff' (db.UTCDateTime): keep the fraction.
              else "strftime('%Y-%m-%d %H:%M:%S', c.closed_at, '+30 days') "
                   "|| substr(c.closed_at, 20)")
    op.execute(
        "INSERT INTO case_outcomes (case_id, event, at, queue_id, kind, priority, "
        "reopen_window_ends_at, changed_at, person_id, team_id, vendor_id) "
        f"SELECT c.id, 'closed', c.closed_at, c.queue_id, c.kind, c.priority, {window}, "
        "c.closed_at, " + who + " WHERE c.closed_at IS NOT NULL")


def downgrade() -> None:
    op.drop_index("ix_work_intervals_ended", table_name="work_intervals")
    op.drop_index("ix_kpi_days_dimension", table_name="kpi_days")
    op.drop_table("kpi_days")
    op.drop_index("ix_case_outcomes_case", table_name="case_outcomes")
    op.drop_index("ix_case_outcomes_changed", table_name="case_outcomes")
    op.drop_index("ix_case_outcomes_at", table_name="case_outcomes")
    op.drop_table("case_outcomes")
