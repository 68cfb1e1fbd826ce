"""Moving a whole installation to another database, and consistent SQLite backups.

`copy_database(source, target)` copies every table of the models (subscribers, their times and
subscriptions, topics, feeds, feed entries and failures, articles and their topics, stories,
sent stories, scheduler marks, the delivery queue, the send budget's slots) into a migrated,
empty target, keeping every id:

- the source is read in one transaction (a consistent snapshot, even while a bot writes), table
  by table in dependency order (parents first), `batch` rows at a time;
- the target is written in one transaction too, so a copy that fails leaves it empty and can
  simply be run again; afterwards PostgreSQL's id sequences are moved past the copied ids
  (`storage.db.sync_id_sequences`), so new rows do not collide;
- the full-text index is built by the target itself (SQLite's triggers, PostgreSQL's generated
  columns): only the models' columns are copied.

`backup_sqlite(url, path)` writes a consistent copy of a SQLite database with `VACUUM INTO`,
which reads one snapshot (WAL mode lets the bot go on writing meanwhile).
"""

from __future__ import annotations

import os
import shlex
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, create_engine, func, pool, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from storage.db import redact_url, sync_id_sequences, sync_url
from storage.models import Base

BATCH = 1_000


class CopyError(Exception):
    """The copy cannot be made (a target that holds data, rows the target refuses)."""


@dataclass(frozen=True, slots=True)
class TableCopy:
    """Rows of one table in the source and in the target after the copy."""

    table: str
    source_rows: int
    target_rows: int


def tables() -> list[Table]:
    """Every table of the models, parents before the tables that refer to them."""
    return list(Base.metadata.sorted_tables)


@contextmanager
def _connect(url: str) -> Iterator[Connection]:
    engine = create_engine(sync_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def row_counts(connection: Connection) -> dict[str, int]:
    """Rows in each table of the models."""
    return {
        table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
        for table in tables()
    }


def copy_database(
    source_url: str,
    target_url: str,
    *,
    batch: int = BATCH,
    progress: Callable[[str, int], None] | None = None,
) -> list[TableCopy]:
    """Copy every row of `source_url` into the empty, migrated `target_url`, keeping ids.

    Raises CopyError when the target already holds rows (nothing is written then) or refuses
    a row (nothing stays written). `progress(table, rows so far)` is called after each batch.
    """
    with _connect(source_url) as source, _connect(target_url) as target:
        # One snapshot of the source for every table (SQLite: one read transaction; PostgreSQL:
        # repeatable read), so the copy is consistent while the source is in use.
        if source.dialect.name == "postgresql":
            source = source.execution_options(isolation_level="REPEATABLE READ")
        with source.begin():
            counts = row_counts(source)
            with target.begin():
                held = {name: n for name, n in row_counts(target).items() if n}
                if held:
                    listed = ", ".join(f"{n} {name}" for name, n in sorted(held.items()))
                    raise CopyError(
                        f"the target database {redact_url(target_url)} is not empty ({listed}): "
                        "copy into a new, empty database (it is migrated for you)"
                    )
                for table in tables():
                    _copy_table(source, target, table, batch, progress)
                sync_id_sequences(target)
                copied = row_counts(target)
    return [TableCopy(name, counts[name], copied[name]) for name in counts]


def _copy_table(
    source: Connection,
    target: Connection,
    table: Table,
    batch: int,
    progress: Callable[[str, int], None] | None,
) -> None:
    """Copy one table in primary-key order, `batch` rows per INSERT."""
    # A column naming a row of its own table (articles.near_duplicate_of) may name one copied
    # later: it is inserted empty and filled in once every row is there.
    self_refs = [
        fk.parent.name
        for fk in table.foreign_keys
        if fk.column.table is table and fk.parent.nullable
    ]
    result = source.execution_options(yield_per=batch).execute(
        select(table).order_by(*table.primary_key.columns)
    )
    done = 0
    deferred: list[dict[str, Any]] = []
    for rows in result.mappings().partitions(batch):
        values = [dict(row) for row in rows]
        for row in values:
            for column in self_refs:
                if row[column] is not None:
                    deferred.append({"id": row["id"], "column": column, "value": row[column]})
                    row[column] = None
        try:
            target.execute(table.insert(), values)
        except DBAPIError as exc:
            reason = str(exc.orig or exc).splitlines()[0]
            raise CopyError(f"the target refused a row of {table.name}: {reason}") from exc
        done += len(values)
        if progress is not None:
            progress(table.name, done)
    for change in deferred:
        target.execute(
            table.update()
            .where(table.c.id == change["id"])
            .values({change["column"]: change["value"]})
        )


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None: not SQLite, or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def backup_sqlite(url: str, destination: Path, *, force: bool = False) -> int:
    """Write a consistent copy of the SQLite database at `url` to `destination` with VACUUM
    INTO; returns its size in bytes.

    FileExistsError when `destination` exists and not `force` (then it is replaced only once
    the new copy is complete); FileNotFoundError when the database file does not exist.
    """
    path = sqlite_path(url)
    if path is None:  # not SQLite, or in memory
        raise FileNotFoundError(f"{redact_url(url)} is not a SQLite database file")
    if not path.is_file():
        raise FileNotFoundError(f"there is no database file at {path}")
    destination = destination.expanduser()
    if destination.resolve() == path.resolve():
        raise FileExistsError(f"{destination} is the database itself")
    if destination.exists() and not force:
        raise FileExistsError(f"{destination} already exists (use --force to replace it)")
    partial = destination.with_name(f".{destination.name}.partial")
    partial.unlink(missing_ok=True)
    # Read-only: a backup never changes the database (nor creates a missing one).
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        connection.execute("PRAGMA busy_timeout=30000")
        connection.execute("VACUUM INTO ?", (str(partial),))
    finally:
        connection.close()
    try:
        check = sqlite3.connect(partial)
        try:
            result = check.execute("PRAGMA quick_check").fetchone()
        finally:
            check.close()
        if not result or result[0] != "ok":
            raise RuntimeError(f"the copy failed its integrity check: {result}")
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return destination.stat().st_size


def pg_dump_command(url: str, destination: str) -> tuple[str, bool]:
    """The pg_dump command line that backs up the PostgreSQL database at `url` into
    `destination` (custom format), without the password; and whether the URL had one."""
    parsed = make_url(url)
    has_password = parsed.password is not None
    libpq = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    ).render_as_string(hide_password=False)
    return (
        f"pg_dump --format=custom --no-owner --file={shlex.quote(destination)} "
        f"{shlex.quote(libpq)}",
        has_password,
    )
