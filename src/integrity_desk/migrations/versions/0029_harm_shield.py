"""harm shield: what triage found harmful to view, the blur setting, daily exposure

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 00:30:00

``reviews.harm`` and ``cases.harm`` keep triage's verdict (``threat,hate``; NULL harmless),
``cases.text_harm`` that of the case's own title and description, so lists and routing read a
column. ``users.blur_harm`` is the per-person setting (on unless turned off).
``harm_exposures`` counts each person's harmful items seen per UTC day (docs/wellbeing.md).
The rows already there are classified here, in batches of 1,000 by id (about 45 µs a text:
a million reviews take under a minute), so a desk that upgrades hides what it already holds.
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import integrity_desk.db
from integrity_desk.triage.harm import classify, merge_harms

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

UTC = integrity_desk.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("reviews", sa.Column("harm", sa.String(length=64), nullable=True))
    op.add_column("cases", sa.Column("harm", sa.String(length=64), nullable=True))
    op.add_column("cases", sa.Column("text_harm", sa.String(length=64), nullable=True))
    op.add_column("users", sa.Column("blur_harm", sa.Boolean(), nullable=False,
                                     server_default=sa.true()))
    op.create_table(
        "harm_exposures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("item", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("harm", sa.String(length=64), nullable=False),
        sa.Column("how", sa.String(length=16), nullable=False),
        sa.Column("seen_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_harm_exposures_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_harm_exposures")),
        sa.UniqueConstraint("user_id", "day", "item", name="uq_harm_exposures_user_day_item"),
    )
    op.create_index("ix_harm_exposures_day", "harm_exposures", ["day", "user_id"])
    _classify_what_is_there(op.get_bind())


BATCH = 1_000


def _batches(conn: sa.Connection, table: sa.TableClause,
             *columns: str) -> Iterator[Sequence[sa.Row[Any]]]:
    """The table's rows (id and ``columns``) in id order, BATCH at a time (keyset paging)."""
    last = 0
    while True:
        rows = conn.execute(sa.select(table.c.id, *(table.c[c] for c in columns))
                            .where(table.c.id > last).order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _classify_what_is_there(conn: sa.Connection) -> None:
    """Reviews first, then cases (their own text, and their reviews' harm)."""
    reviews = sa.table("reviews", sa.column("id", sa.Integer), sa.column("title", sa.String),
                       sa.column("text", sa.Text), sa.column("language", sa.String),
                       sa.column("harm", sa.String))
    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("title", sa.String),
                     sa.column("description", sa.Text), sa.column("language", sa.String),
                     sa.column("harm", sa.String), sa.column("text_harm", sa.String))
    subjects = sa.table("case_subjects", sa.column("case_id", sa.Integer),
                        sa.column("subject_type", sa.String),
                        sa.column("subject_id", sa.Integer))
    for rows in _batches(conn, reviews, "title", "text", "language"):
        found = [{"rid": r.id, "harm": code} for r in rows
                 if (code := classify(f"{r.title or ''}\n{r.text or ''}",
                                      language=r.language).code)]
        if found:
            conn.execute(reviews.update().where(reviews.c.id == sa.bindparam("rid"))
                         .values(harm=sa.bindparam("harm")), found)
    harmful_reviews: dict[int, list[str]] = {}
    for case_id, harm in conn.execute(
            sa.select(subjects.c.case_id, reviews.c.harm)
            .join(reviews, sa.and_(subjects.c.subject_type == "review",
                                   subjects.c.subject_id == reviews.c.id))
            .where(reviews.c.harm.is_not(None))):
        harmful_reviews.setdefault(case_id, []).append(harm)
    for rows in _batches(conn, cases, "title", "description", "language"):
        found = []
        for r in rows:
            own = classify(f"{r.title or ''}\n{r.description or ''}", language=r.language).code
            whole = merge_harms(own, *harmful_reviews.get(r.id, []))
            if whole:
                found.append({"cid": r.id, "harm": whole, "text_harm": own})
        if found:
            conn.execute(cases.update().where(cases.c.id == sa.bindparam("cid"))
                         .values(harm=sa.bindparam("harm"), text_harm=sa.bindparam("text_harm")),
                         found)


def downgrade() -> None:
    op.drop_index("ix_harm_exposures_day", table_name="harm_exposures")
    op.drop_table("harm_exposures")
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of ``cases`` would lose its expression
    # indexes and its search triggers on SQLite.
    op.drop_column("users", "blur_harm")
    op.drop_column("cases", "text_harm")
    op.drop_column("cases", "harm")
    op.drop_column("reviews", "harm")
