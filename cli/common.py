"""Helpers shared by the CLI subcommands: settings, a migrated database, tables."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from bot.settings import Settings, load_settings
from storage.db import Database
from storage.migrate import upgrade

T = TypeVar("T")


def run_with_database(work: Callable[[Database, Settings], Awaitable[T]]) -> T:
    """Load settings, migrate the database, run `work(db, settings)` on a fresh event loop."""
    settings = load_settings()
    upgrade(settings.database_url)

    async def _main() -> T:
        db = Database(settings.database_url)
        try:
            return await work(db, settings)
        finally:
            await db.dispose()

    return asyncio.run(_main())


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table with columns padded to their widest cell."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
