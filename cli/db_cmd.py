"""`newsbrief db upgrade|status|backup|copy`: the schema, backups, moving to another database."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from bot.settings import SettingsError
from cli.common import (
    check_database_url,
    database_errors,
    format_table,
    load_cli_settings,
    migrate,
    schema_revision,
)
from cli.errors import StartupError
from storage.copy import CopyError, backup_sqlite, copy_database, pg_dump_command
from storage.db import redact_url, sync_url
from storage.migrate import head_revision, upgrade


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `db` subcommand."""
    parser = subparsers.add_parser("db", help="manage the database: schema, backups, moving")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    up = actions.add_parser(
        "upgrade", help="create or migrate the schema to the newest version (also done at start)"
    )
    up.set_defaults(handler=upgrade_database)
    status = actions.add_parser("status", help="show the schema version of the database")
    status.set_defaults(handler=show_status)
    backup = actions.add_parser(
        "backup",
        help="copy the SQLite database to FILE while the bot runs (PostgreSQL: print pg_dump)",
        description=(
            "SQLite: write a consistent copy of the database to FILE (VACUUM INTO: one "
            "snapshot, taken while the bot goes on running); an existing FILE is kept unless "
            "--force. PostgreSQL: print the pg_dump command that does it (the password is "
            "left out; pass it in PGPASSWORD or ~/.pgpass)."
        ),
    )
    backup.add_argument("file", metavar="FILE", help="where the copy goes")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.set_defaults(handler=backup_database)
    copy = actions.add_parser(
        "copy",
        help="copy the whole database (e.g. SQLite) into an empty PostgreSQL database",
        description=(
            "Copy every row of NEWSBRIEF_DATABASE_URL (subscribers, topics, feeds, articles, "
            "stories, the delivery queue ...) into the database at --to, keeping ids. The "
            "target is migrated first and must hold no rows; the copy is one transaction, so "
            "a failed copy leaves it empty. Stop the bot first: rows written during the copy "
            "stay behind. Then point NEWSBRIEF_DATABASE_URL at the target."
        ),
    )
    copy.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="the target database, e.g. postgresql://newsbrief:PASSWORD@db/newsbrief",
    )
    copy.set_defaults(handler=copy_to)


def upgrade_database(args: argparse.Namespace) -> int:
    """Apply every pending migration to NEWSBRIEF_DATABASE_URL."""
    settings = load_cli_settings()
    migrate(settings.database_url)
    print(f"{redact_url(settings.database_url)} is at schema version {head_revision()}")
    return 0


def show_status(args: argparse.Namespace) -> int:
    """Print the current and newest schema versions."""
    settings = load_cli_settings()
    current = schema_revision(settings.database_url) or "empty"
    print(f"{redact_url(settings.database_url)}: at {current}, newest {head_revision()}")
    return 0


def backup_database(args: argparse.Namespace) -> int:
    """SQLite: VACUUM INTO FILE. PostgreSQL: print the pg_dump command."""
    settings = load_cli_settings()
    url = settings.database_url
    check_database_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        command, has_password = pg_dump_command(url, args.file)
        print(f"PostgreSQL is backed up with its own tool; run:\n\n  {command}\n")
        if has_password:
            print(
                "The password of NEWSBRIEF_DATABASE_URL is left out: pass it in the environment "
                "(PGPASSWORD='...' pg_dump ...) or in ~/.pgpass."
            )
        print("Restore into an empty database with: pg_restore --no-owner --dbname=URL FILE")
        return 0
    started = time.perf_counter()
    try:
        with database_errors(url):
            size = backup_sqlite(url, Path(args.file), force=args.force)
    except FileNotFoundError as exc:
        raise StartupError(
            f"cannot open the database NEWSBRIEF_DATABASE_URL={redact_url(url)}: {exc}"
        ) from None
    except FileExistsError as exc:
        print(f"newsbrief: {exc}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    print(
        f"backed up {redact_url(url)} to {args.file} ({size / 1_048_576:.1f} MB in {seconds:.1f} s)"
    )
    return 0


def copy_to(args: argparse.Namespace) -> int:
    """Copy every row of NEWSBRIEF_DATABASE_URL into the empty database at --to."""
    settings = load_cli_settings()
    source, target = settings.database_url, args.to
    try:
        sync_url(target)
    except (ArgumentError, ValueError) as exc:
        raise SettingsError(f"--to is not a database URL newsbrief can use: {exc}") from None
    migrate(source)
    shown = redact_url(target)
    try:
        upgrade(target)
    except DBAPIError as exc:
        raise StartupError(
            f"cannot open the target database --to {shown}: {_reason(exc)}; check that the "
            "server runs and the URL's host, port, user and password"
        ) from exc
    print(f"copying {redact_url(source)} to {shown} ...")
    try:
        copied = copy_database(source, target)
    except CopyError as exc:
        print(f"newsbrief: {exc}", file=sys.stderr)
        return 1
    except DBAPIError as exc:
        print(f"newsbrief: the copy failed: {_reason(exc)}", file=sys.stderr)
        return 1
    rows = [[c.table, c.source_rows, c.target_rows] for c in copied]
    print(format_table(["table", "source rows", "copied"], rows))
    if any(c.source_rows != c.target_rows for c in copied):
        print("newsbrief: the row counts differ: do not switch over", file=sys.stderr)
        return 1
    total = sum(c.target_rows for c in copied)
    print(f"\ncopied {total} rows; now set NEWSBRIEF_DATABASE_URL={shown} (with its password)")
    return 0


def _reason(exc: DBAPIError) -> str:
    lines = [line.strip() for line in str(exc.orig or exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
