"""The full-text index: database objects the ORM models do not declare, one set per database.

PostgreSQL: a generated ``tsvector`` column on cases (title weighted A, description B) with a
GIN index, and a partial expression GIN index over the body of comment events in the
timeline. Both are computed by the database itself, so every writer (ORM, COPY, bulk SQL,
retention's erasure) keeps them right, and nothing has to be backfilled by hand.

SQLite: two FTS5 tables, ``cases_fts`` (rowid = case id) and ``comments_fts`` (rowid = event
id), kept in step by triggers on cases and audit_events.

These objects live only in one database each, so the ORM cannot declare them;
:func:`belongs_to_search` tells Alembic's model comparison to leave them alone.
"""

from __future__ import annotations

from typing import Any

from integrity_desk.search.text import CONTACT_PATTERN_PG, SQL_FUNCTION

CASES_DOC = "search_doc"  # the generated column on cases (PostgreSQL)
CASES_DOC_INDEX = "ix_cases_search_doc"
COMMENTS_DOC_INDEX = "ix_audit_events_comment_doc"
CASES_FTS = "cases_fts"  # FTS5 tables (SQLite)
COMMENTS_FTS = "comments_fts"


def _pg_doc(expr: str) -> str:
    return (f"to_tsvector('simple'::regconfig, regexp_replace(coalesce({expr}, ''), "
            f"'{CONTACT_PATTERN_PG}', ' ', 'g'))")


# The comment expression is written once: the query must say exactly what the index says.
COMMENT_DOC_PG = _pg_doc("(audit_events.payload::jsonb ->> 'body')")
CASES_DOC_PG = (f"setweight({_pg_doc('title')}, 'A') || "
                f"setweight({_pg_doc('description')}, 'B')")

POSTGRESQL_UP = [
    f"ALTER TABLE cases ADD COLUMN {CASES_DOC} tsvector "
    f"GENERATED ALWAYS AS ({CASES_DOC_PG}) STORED",
    f"CREATE INDEX {CASES_DOC_INDEX} ON cases USING gin ({CASES_DOC})",
    f"CREATE INDEX {COMMENTS_DOC_INDEX} ON audit_events USING gin "
    f"(({COMMENT_DOC_PG.replace('audit_events.', '')})) WHERE category = 'comment'",
]
POSTGRESQL_DOWN = [
    f"DROP INDEX IF EXISTS {COMMENTS_DOC_INDEX}",
    f"DROP INDEX IF EXISTS {CASES_DOC_INDEX}",
    f"ALTER TABLE cases DROP COLUMN IF EXISTS {CASES_DOC}",
]

_TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"
_F = SQL_FUNCTION


def _body(row: str) -> str:
    return (f"{_F}(CASE WHEN json_valid({row}.payload) "
            f"THEN json_extract({row}.payload, '$.body') END)")


SQLITE_UP = [
    f"CREATE VIRTUAL TABLE {CASES_FTS} USING fts5(title, description, {_TOKENIZE})",
    f"""CREATE TRIGGER {CASES_FTS}_insert AFTER INSERT ON cases BEGIN
        INSERT INTO {CASES_FTS} (rowid, title, description)
        VALUES (new.id, {_F}(new.title), {_F}(new.description));
    END""",
    f"""CREATE TRIGGER {CASES_FTS}_update AFTER UPDATE OF title, description ON cases BEGIN
        DELETE FROM {CASES_FTS} WHERE rowid = old.id;
        INSERT INTO {CASES_FTS} (rowid, title, description)
        VALUES (new.id, {_F}(new.title), {_F}(new.description));
    END""",
    f"""CREATE TRIGGER {CASES_FTS}_delete AFTER DELETE ON cases BEGIN
        DELETE FROM {CASES_FTS} WHERE rowid = old.id;
    END""",
    f"INSERT INTO {CASES_FTS} (rowid, title, description) "
    f"SELECT id, {_F}(title), {_F}(description) FROM cases",
    f"CREATE VIRTUAL TABLE {COMMENTS_FTS} USING fts5(body, case_id UNINDEXED, {_TOKENIZE})",
    f"""CREATE TRIGGER {COMMENTS_FTS}_insert AFTER INSERT ON audit_events
        WHEN new.category = 'comment' BEGIN
        INSERT INTO {COMMENTS_FTS} (rowid, body, case_id)
        VALUES (new.id, {_body('new')}, new.case_id);
    END""",
    f"""CREATE TRIGGER {COMMENTS_FTS}_update AFTER UPDATE OF payload, category, case_id
        ON audit_events BEGIN
        DELETE FROM {COMMENTS_FTS} WHERE rowid = old.id;
        INSERT INTO {COMMENTS_FTS} (rowid, body, case_id)
        SELECT new.id, {_body('new')}, new.case_id WHERE new.category = 'comment';
    END""",
    f"""CREATE TRIGGER {COMMENTS_FTS}_delete AFTER DELETE ON audit_events
        WHEN old.category = 'comment' BEGIN
        DELETE FROM {COMMENTS_FTS} WHERE rowid = old.id;
    END""",
    f"INSERT INTO {COMMENTS_FTS} (rowid, body, case_id) "
    f"SELECT id, {_body('audit_events')}, case_id FROM audit_events WHERE category = 'comment'",
]
SQLITE_DOWN = [
    *[f"DROP TRIGGER IF EXISTS {t}_{op}" for t in (CASES_FTS, COMMENTS_FTS)
      for op in ("insert", "update", "delete")],
    f"DROP TABLE IF EXISTS {COMMENTS_FTS}",
    f"DROP TABLE IF EXISTS {CASES_FTS}",
]


def statements(dialect: str, *, up: bool) -> list[str]:
    if dialect == "postgresql":
        return POSTGRESQL_UP if up else POSTGRESQL_DOWN
    return SQLITE_UP if up else SQLITE_DOWN


def belongs_to_search(obj: Any, name: str | None, type_: str, reflected: bool,
                      compare_to: Any) -> bool:
    """Alembic's include_object: False for the search objects the models do not declare."""
    if not reflected or compare_to is not None or name is None:
        return True
    if type_ == "table":
        return not name.startswith((CASES_FTS, COMMENTS_FTS))
    if type_ == "column":
        return not (name == CASES_DOC and getattr(obj.table, "name", None) == "cases")
    if type_ == "index":
        return name not in (CASES_DOC_INDEX, COMMENTS_DOC_INDEX)
    return True
