"""The Alembic migrations build exactly the schema the models declare, on both databases."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from integrity_desk.models import Base
from integrity_desk.search.models import belongs_to_search


def test_migrated_schema_matches_the_models(db):
    with db.engine.connect() as conn, warnings.catch_warnings():
        # Expression indexes cannot be reflected; the test below checks them by name.
        warnings.simplefilter("ignore")
        # The full-text index lives outside the models (search.models says why).
        context = MigrationContext.configure(conn, opts={"compare_type": False,
                                                         "include_object": belongs_to_search})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_every_index_of_the_models_exists(db):
    """By name, expression indexes (lower(requester_contact)) included."""
    declared = {ix.name for table in Base.metadata.tables.values() for ix in table.indexes}
    query = ("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
             if db.dialect == "postgresql" else
             "SELECT name FROM sqlite_master WHERE type = 'index'")
    with db.engine.connect() as conn:
        present = set(conn.scalars(text(query)))
    assert declared - present == set()
