"""Alembic environment: runs migrations on the connection or URL handed over by storage.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from storage.db import sync_url
from storage.models import Base
from storage.search import is_search_object

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (alembic upgrade --sql)."""
    context.configure(
        url=sync_url(config.get_main_option("sqlalchemy.url") or ""),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations against the database."""
    connectable = config.attributes.get("connection")
    if connectable is None:
        url = sync_url(config.get_main_option("sqlalchemy.url") or "")
        engine = create_engine(url, poolclass=pool.NullPool)
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _include_name(name: str | None, type_: str, _parents: object) -> bool:
    # The full-text search objects live only in migration 0002; autogenerate must not drop them.
    return not is_search_object(name, type_)


def _run(connection: object) -> None:
    # render_as_batch lets ALTER TABLE migrations work on SQLite too.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
