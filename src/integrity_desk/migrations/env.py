"""Alembic environment: the URL comes from the caller (idesk migrate) or IDESK_DATABASE_URL."""

from __future__ import annotations

from alembic import context

from integrity_desk.db import make_engine, normalise_url
from integrity_desk.models import Base
from integrity_desk.search.models import belongs_to_search
from integrity_desk.settings import get_settings
from integrity_desk.wiring import wire

# Data migrations write to tables whose SQLite triggers call the search slice's function.
wire()
config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          include_object=belongs_to_search,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
        return
    url = normalise_url(config.get_main_option("sqlalchemy.url") or get_settings().database_url)
    engine = make_engine(url)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata,
                          include_object=belongs_to_search,
                          render_as_batch=conn.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
