"""The schema is created by migrations alone and matches the models on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from storage.db import sync_url
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import Base
from storage.search import is_search_object


def test_upgrade_creates_every_table_and_is_idempotent(database_url: str) -> None:
    assert current_revision(database_url) is None
    upgrade(database_url)
    upgrade(database_url)  # a second start must not fail
    assert current_revision(database_url) == head_revision()
    engine = create_engine(sync_url(database_url))
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables


def test_migrations_match_models(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            # The full-text objects (FTS5 table, tsvector column and index) live in migration
            # 0002 only: the models do not describe them, so they are not drift.
            context = MigrationContext.configure(
                connection,
                opts={
                    "include_name": lambda name, type_, _parents: not is_search_object(name, type_)
                },
            )
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    # Only real schema drift counts; type-affinity noise is not reported by default.
    assert diff == [], f"models and migrations differ: {diff}"
