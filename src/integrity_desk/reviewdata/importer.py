"""Writing checked rows of the platform's data: each batch in one statement per table.

Reviews go through a staging table private to the connection: on PostgreSQL the batch is
streamed into it by COPY (text formatted in C, no bound parameters), on SQLite by one
executemany. From there three statements do the rest, the same on both databases: the
businesses and reviewer accounts not known yet are mirrored (ON CONFLICT DO NOTHING, so a
concurrent import of the same names is harmless), and the reviews are upserted with their
owners' ids joined in. An upsert changes a row only where a value differs, so importing the same
file twice adds and changes nothing — and the businesses whose reviews did change are stamped
``reviews_changed_at``, which is all the nightly signals run needs to know.

Two rules protect what the desk decided: an import never puts back a review the desk removed or
hid (a ``published`` in the platform's export may predate the decision), and a review whose text
changed is read for harm again when it next comes into a case (``harm_checked``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable

from integrity_desk.db import UPSERT_INSERT, UTCDateTime
from integrity_desk.subjects.models import Business, Reviewer

# Rows per transaction: large enough that the fixed cost of a batch (five statements, a commit)
# is small beside its rows, small enough that a stopped import loses little (re-running is
# idempotent) and a batch's memory stays a few megabytes.
BATCH_ROWS = 20_000

# The staging table, private to the connection (temporary), emptied at each commit on
# PostgreSQL; SQLite's is emptied by the batch itself (_EMPTY_STAGE).
_STAGE = Table(
    "import_reviews", MetaData(),
    Column("ref", String), Column("business", String), Column("reviewer", String),
    Column("rating", Integer), Column("text", Text), Column("title", String),
    Column("language", String), Column("status", String),
    Column("published_at", UTCDateTime), Column("device_id", String),
    Column("network_id", String),
    prefixes=["TEMPORARY"], postgresql_on_commit="DELETE ROWS")
_CREATE_STAGE = CreateTable(_STAGE, if_not_exists=True)
REVIEW_COLUMNS = tuple(_STAGE.c.keys())
_COPY = f"COPY import_reviews ({', '.join(REVIEW_COLUMNS)}) FROM STDIN"
_NOW = bindparam("now", type_=UTCDateTime)
# "WHERE true" after each SELECT: SQLite needs it to tell ON CONFLICT from a join's ON.
_MIRROR_BUSINESSES = text(
    "INSERT INTO businesses (domain, name, plan_tier, review_count, created_at, "
    "features_status, warning_count) "
    "SELECT DISTINCT business, business, 'free', 0, :now, 'full', 0 FROM import_reviews "
    "WHERE true ON CONFLICT (domain) DO NOTHING").bindparams(_NOW)
_MIRROR_REVIEWERS = text(
    "INSERT INTO reviewers (ref, display_name, review_count, status, warning_count) "
    "SELECT DISTINCT reviewer, reviewer, 0, 'active', 0 FROM import_reviews "
    "WHERE true ON CONFLICT (ref) DO NOTHING")
# Which of the batch's reviews exist already (SQLite; PostgreSQL reads it off the upsert's
# RETURNING). A correlated probe per row, not a join: a join lets the planner scan the whole
# reviews table to hash it, which at a million reviews cost 1.1 s a batch.
_KNOWN = text("SELECT s.ref FROM import_reviews s WHERE EXISTS "
              "(SELECT 1 FROM reviews r WHERE r.ref = s.ref)")
_CHANGING = ("business_id", "reviewer_id", "rating", "text", "title", "language",
             "published_at", "device_id", "network_id")
# The owners' ids by a probe of their unique index per row (scalar subqueries), for the same
# reason: a join would hash every account on the platform to place 20,000 reviews.
_UPSERT = (
    "INSERT INTO reviews (ref, business_id, reviewer_id, rating, text, title, language, "
    "status, published_at, device_id, network_id, harm_checked) "
    "SELECT s.ref, (SELECT b.id FROM businesses b WHERE b.domain = s.business), "
    "(SELECT v.id FROM reviewers v WHERE v.ref = s.reviewer), s.rating, s.text, s.title, "
    "s.language, s.status, s.published_at, s.device_id, s.network_id, false "
    "FROM import_reviews s WHERE true ON CONFLICT (ref) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _CHANGING)
    # The desk's removal or hiding stands against a stale "published" in an export.
    + ", status = CASE WHEN excluded.status = 'published' THEN reviews.status "
      "ELSE excluded.status END"
    + ", harm_checked = reviews.harm_checked AND reviews.text = excluded.text "
      "AND coalesce(reviews.title, '') = coalesce(excluded.title, '')"
    + " WHERE " + " OR ".join(f"reviews.{c} IS DISTINCT FROM excluded.{c}" for c in _CHANGING)
    + " OR (excluded.status <> 'published' AND reviews.status <> excluded.status)")
# PostgreSQL tells an inserted row from an updated one itself: a new row version carries no
# deleting transaction (xmax = 0).
_UPSERT_REVIEWS = {
    "postgresql": text(_UPSERT + " RETURNING ref, business_id, xmax = 0"),
    "sqlite": text(_UPSERT + " RETURNING ref, business_id, NULL"),
}
_EMPTY_STAGE = {"postgresql": text("TRUNCATE import_reviews"),
                "sqlite": text("DELETE FROM import_reviews")}
# The planner knows nothing of a temporary table's rows until it is analysed: without it, at
# millions of reviewers it would hash the whole table to join a batch of 20,000.
_ANALYZE_STAGE = text("ANALYZE import_reviews")


@dataclass
class Outcome:
    """What a batch or a whole import did: rows added, rows changed, rows already so; for a
    batch, also what became of each key (the API answers each line with it)."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    by_key: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, keys: Sequence[str], known: set[str], touched: set[str]) -> Outcome:
        """``touched``: the keys the upsert wrote; ``known``: keys that existed before (all of
        them, or at least those among ``touched``)."""
        by_key = {key: ("changed" if key in known else "added") if key in touched
                  else "unchanged" for key in keys}
        changed = len(touched & known)
        added = len(touched) - changed
        return cls(added, changed, len(keys) - added - changed, by_key)

    def __iadd__(self, other: Outcome) -> Outcome:
        self.added += other.added
        self.changed += other.changed
        self.unchanged += other.unchanged
        return self

    def as_dict(self) -> dict[str, int]:
        return {"added": self.added, "changed": self.changed, "unchanged": self.unchanged}


def _last_of_each(rows: Sequence[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """One row per key, the last (a file may carry an edit of a row further down; an upsert
    cannot touch one row twice in a statement)."""
    return list({row[key]: row for row in rows}.values())


def import_reviews(session: Session, rows: Sequence[dict[str, Any]], *, now: datetime,
                   since: datetime | None = None) -> Outcome:
    """Upsert a batch of checked review rows (rows.review_values), mirroring unknown owners."""
    rows = _last_of_each(rows, "ref")
    if not rows:
        return Outcome()
    connection = session.connection()
    dialect = connection.dialect.name
    connection.execute(_CREATE_STAGE)
    if dialect == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        try:
            with cursor.copy(_COPY) as copy:
                for row in rows:
                    copy.write_row([row[c] for c in REVIEW_COLUMNS])
        finally:
            cursor.close()
        session.execute(_ANALYZE_STAGE)
        # The upsert's cost estimate crosses the JIT threshold; compiling it costs more than
        # a batch of index probes gains from it.
        connection.exec_driver_sql("SET LOCAL jit = off")
    else:
        session.execute(insert(_STAGE), rows)
    session.execute(_MIRROR_BUSINESSES, {"now": now})
    session.execute(_MIRROR_REVIEWERS)
    known = set(session.execute(_KNOWN).scalars()) if dialect == "sqlite" else None
    touched = session.execute(_UPSERT_REVIEWS[dialect]).all()
    session.execute(_EMPTY_STAGE[dialect])
    if known is None:  # PostgreSQL: the updated rows are the known ones that changed
        known = {ref for ref, _, inserted in touched if not inserted}
    changed_businesses = sorted({business for _, business, _ in touched if business is not None})
    if changed_businesses:
        session.execute(
            # Once per business per import (``since``: when the import began), and again only
            # if the signals ran over it since: rewriting the same businesses' rows batch
            # after batch left their index full of dead versions that each lookup walked.
            Business.__table__.update()
            .where(Business.id.in_(bindparam("ids", expanding=True)),
                   or_(Business.reviews_changed_at.is_(None),
                       Business.reviews_changed_at < (since or now),
                       Business.signals_at >= Business.reviews_changed_at))
            .values(reviews_changed_at=now), {"ids": changed_businesses})
    return Outcome.of([row["ref"] for row in rows], known, {ref for ref, _, _ in touched})


def _upsert(session: Session, table: Table, key: str, rows: Sequence[dict[str, Any]],
            changing: Sequence[str]) -> Outcome:
    """Insert new rows, update known ones where a value differs; SQLAlchemy sends the batch
    as multi-row VALUES statements ("insertmanyvalues"), each answering with RETURNING."""
    rows = _last_of_each(rows, key)
    if not rows:
        return Outcome()
    keys = [row[key] for row in rows]
    known = set(session.execute(select(table.c[key]).where(
        table.c[key].in_(bindparam("keys", expanding=True))), {"keys": keys}).scalars())
    statement = UPSERT_INSERT[session.get_bind().dialect.name](table)
    statement = statement.on_conflict_do_update(
        index_elements=[key], set_={c: statement.excluded[c] for c in changing},
        where=or_(*(table.c[c].is_distinct_from(statement.excluded[c]) for c in changing)),
    ).returning(table.c[key])
    touched = set(session.execute(statement, rows).scalars())
    return Outcome.of(keys, known, touched)


def import_businesses(session: Session, rows: Sequence[dict[str, Any]], *, now: datetime,
                      since: datetime | None = None) -> Outcome:
    fresh = [{**row, "created_at": now} for row in rows]
    return _upsert(session, Business.__table__, "domain", fresh,
                   ("name", "country", "plan_tier", "csm_owner", "review_count"))


def import_reviewers(session: Session, rows: Sequence[dict[str, Any]], *, now: datetime,
                     since: datetime | None = None) -> Outcome:
    return _upsert(session, Reviewer.__table__, "ref", rows,
                   ("display_name", "country", "status", "joined_at", "review_count"))


IMPORTERS = {"reviews": import_reviews, "businesses": import_businesses,
             "reviewers": import_reviewers}
