"""The ops server of a `newsbrief run` process: its readiness check and the figures it reads
from the database at each scrape (see telemetry.http.OpsServer, docs/operations.md).

    async with ops_server(settings, db, role=role, running={"delivery worker": ...}):
        ...

does nothing when NEWSBRIEF_HTTP_PORT is not set.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from bot.redaction import redact
from bot.settings import Settings
from storage.clock import utcnow
from storage.db import Database
from storage.delivery_stats import oldest_due_at
from telemetry import metrics
from telemetry.http import OpsServer, one_line

# Roles whose process works the delivery queue: their /metrics shows its lag.
QUEUE_ROLES = frozenset({"all", "delivery"})
DATABASE_TIMEOUT_SECONDS = 3.0


def readiness(
    db: Database, running: Mapping[str, Callable[[], bool]]
) -> Callable[[], Awaitable[str | None]]:
    """A readiness check: the database answers `SELECT 1` (within 3 s) and every named
    component of the role says it runs. Returns None when ready, else the first reason."""

    async def ready() -> str | None:
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
                await db.ping()
        except TimeoutError:
            return f"the database did not answer within {DATABASE_TIMEOUT_SECONDS:g} s"
        except Exception as exc:
            reason = one_line(str(getattr(exc, "orig", None) or exc), 200)
            return redact(f"the database is unreachable: {type(exc).__name__}: {reason}")
        for name, is_running in running.items():
            if not is_running():
                return f"{name} is not running"
        return None

    return ready


def queue_lag_updater(
    db: Database, clock: Callable[[], datetime] = utcnow
) -> Callable[[], Awaitable[None]]:
    """A scrape hook that sets newsbrief_queue_lag_seconds from the oldest due delivery."""

    async def update() -> None:
        now = clock()
        async with db.session() as session:
            oldest = await oldest_due_at(session, now=now)
        metrics.set_queue_lag(0.0 if oldest is None else (now - oldest).total_seconds())

    return update


def ops_server(
    settings: Settings,
    db: Database,
    *,
    role: str,
    running: Mapping[str, Callable[[], bool]] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> contextlib.AbstractAsyncContextManager[Any]:
    """The ops server on NEWSBRIEF_HTTP_HOST:NEWSBRIEF_HTTP_PORT for a process of `role`
    (a context that does nothing when no port is set). `running` names the role's components
    and tells whether each runs, for /readyz; it is read at every check, so a process may
    enter the server first (/healthz answers during start-up) and set each entry as its
    component starts."""
    if settings.http_port is None:
        return contextlib.nullcontext()
    return OpsServer(
        settings.http_host,
        settings.http_port,
        role=role,
        # The mapping itself, not a copy: a caller may fill it in as its components start.
        ready=readiness(db, running if running is not None else {}),
        on_scrape=queue_lag_updater(db, clock) if role in QUEUE_ROLES else None,
    )
