"""`newsbrief db upgrade`: apply the schema migrations."""

from __future__ import annotations

import argparse

from cli.common import load_cli_settings, migrate, schema_revision
from storage.db import redact_url
from storage.migrate import head_revision


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `db` subcommand."""
    parser = subparsers.add_parser("db", help="manage the database schema")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    up = actions.add_parser(
        "upgrade", help="create or migrate the schema to the newest version (also done at start)"
    )
    up.set_defaults(handler=upgrade_database)
    status = actions.add_parser("status", help="show the schema version of the database")
    status.set_defaults(handler=show_status)


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
