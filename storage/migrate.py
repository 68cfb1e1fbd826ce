"""Schema management: Alembic migrations are the only way the schema is created or changed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool

from storage.db import sync_url
from storage.leader import LOCK, MIGRATION_LOCK, UNLOCK

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic Config for this package's migrations and the given database URL."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser treats % as interpolation; URL-encoded passwords contain it.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision` (default: the newest).

    On PostgreSQL the migration runs under an advisory lock: processes starting together (a
    deployment's roles) migrate one after the other, and each finds the work done.
    """
    config = alembic_config(url)
    engine = create_engine(sync_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            postgres = connection.dialect.name == "postgresql"
            if postgres:
                connection.execute(LOCK, {"key": MIGRATION_LOCK})
                connection.commit()
            try:
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                connection.commit()
            finally:
                if postgres:
                    connection.execute(UNLOCK, {"key": MIGRATION_LOCK})
                    connection.commit()
    finally:
        engine.dispose()


class SchemaMismatchError(RuntimeError):
    """The database's schema is not the one this version of newsbrief needs."""


def require_current_schema(url: str) -> None:
    """Raise SchemaMismatchError, naming what to run, unless the schema is exactly current."""
    current, head = current_revision(url), head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaMismatchError(
            f"the database has no newsbrief schema yet (this version needs {head}): "
            "run `newsbrief db upgrade` first"
        )
    known = {
        script.revision
        for script in ScriptDirectory.from_config(alembic_config(url)).walk_revisions()
    }
    if current not in known:
        raise SchemaMismatchError(
            f"the database schema is at {current}, made by a newer newsbrief than this one "
            f"(which knows up to {head}): upgrade newsbrief on this machine"
        )
    raise SchemaMismatchError(
        f"the database schema is at {current} but this newsbrief needs {head}: "
        "run `newsbrief db upgrade` (once, from any machine), then start this process again"
    )


def current_revision(url: str) -> str | None:
    """The revision the database is at, or None for an empty database."""
    engine = create_engine(sync_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    """The newest revision shipped with this version of newsbrief."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
