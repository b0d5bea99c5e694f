"""review data and fraud signals: imported reviews' device and network, stored findings

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-07 17:40:00

Reviewers' ``joined_at`` may be unknown (an account learnt of from an imported review).
Reviews gain the platform's device and network identifiers and ``harm_checked`` (false for a
review imported in bulk until it comes into a case); an index by business and day for the
signals. Businesses record when their reviews last changed and when the signals last ran, so
the nightly run takes only those that changed. ``signals`` and ``signal_subjects`` keep the
findings (signals.models; docs/investigations.md); ``imported_flags`` the platform's flag ids
already filed, so a flag import runs twice without filing twice (reviewdata.models).
"""

import sqlalchemy as sa
from alembic import op

import integrity_desk.db

revision = "0044"
down_revision = "0043"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("harm_checked", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
        batch.add_column(sa.Column("device_id", sa.String(128), nullable=True))
        batch.add_column(sa.Column("network_id", sa.String(128), nullable=True))
    op.create_index("ix_reviews_business_published", "reviews", ["business_id", "published_at"])
    # Every lookup by business alone is served by the index above: one index less to keep up
    # on each of the millions of imported reviews.
    op.drop_index("ix_reviews_business_id", table_name="reviews")
    with op.batch_alter_table("reviewers") as batch:
        batch.alter_column("joined_at", existing_type=UTC, nullable=True)
    with op.batch_alter_table("businesses") as batch:
        batch.add_column(sa.Column("reviews_changed_at", UTC, nullable=True))
        batch.add_column(sa.Column("signals_at", UTC, nullable=True))
    op.create_table(
        "imported_flags",
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("receipt", sa.String(32), nullable=False),
        sa.Column("imported_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_imported_flags")),
    )
    op.create_table(
        "signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("evidence", integrity_desk.db.JSONType, nullable=False),
        sa.Column("first_seen_at", UTC, nullable=False),
        sa.Column("last_seen_at", UTC, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"],
                                name=op.f("fk_signals_business_id_businesses")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_signals_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signals")),
        sa.UniqueConstraint("key", name=op.f("uq_signals_key")),
    )
    op.create_index("ix_signals_business", "signals", ["business_id", "kind"])
    op.create_index("ix_signals_case", "signals", ["case_id"])
    op.create_table(
        "signal_subjects",
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["signal_id"], ["signals.id"], ondelete="CASCADE",
                                name=op.f("fk_signal_subjects_signal_id_signals")),
        sa.PrimaryKeyConstraint("signal_id", "subject_type", "subject_id",
                                name=op.f("pk_signal_subjects")),
    )
    op.create_index("ix_signal_subjects_subject", "signal_subjects",
                    ["subject_type", "subject_id"])
    # A desk with its own triage rules gets the signals' rule too (a fresh desk takes it from
    # triage.defaults), last: the order of the rules does not change a score.
    op.execute(
        "INSERT INTO triage_rules (name, factor, params, active, position) "
        "SELECT 'fraud-signal', 'fraud_signal', "
        "'{\"bands\": [[0.9, 30], [0.75, 20], [0.6, 10]]}', true, max(position) + 1 "
        "FROM triage_rules HAVING count(*) > 0 AND NOT EXISTS "
        "(SELECT 1 FROM triage_rules WHERE factor = 'fraud_signal')")


def downgrade() -> None:
    op.execute("DELETE FROM triage_rules WHERE factor = 'fraud_signal'")
    op.drop_table("imported_flags")
    op.drop_table("signal_subjects")
    op.drop_table("signals")
    with op.batch_alter_table("businesses") as batch:
        batch.drop_column("signals_at")
        batch.drop_column("reviews_changed_at")
    with op.batch_alter_table("reviewers") as batch:
        batch.alter_column("joined_at", existing_type=UTC, nullable=False)
    op.create_index("ix_reviews_business_id", "reviews", ["business_id"])
    op.drop_index("ix_reviews_business_published", table_name="reviews")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("network_id")
        batch.drop_column("device_id")
        batch.drop_column("harm_checked")
