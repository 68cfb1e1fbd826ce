"""Group commit of delivery progress: every sent part is durable before the next one goes out.

Writing each Telegram message's id in its own transaction would cap fan-out at the database's
commit rate; here concurrent senders share commits. A sender's `write` returns only once its
change is committed, so the exactly-once bookkeeping is the same as one commit per message.

When the database cannot be reached, a commit is retried until it succeeds (with backoff), and
`healthy` is False meanwhile: senders wait for it before sending anything more, so nothing goes
out that could not be recorded, and the parts already sent are recorded as soon as the database
is back (no resend). Every write names the worker's claim token: a change about a row another
worker has taken over is not written, and `write` says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from storage.db import Database
from storage.deliveries import Change, record_changes

log = logging.getLogger(__name__)

GATHER_SECONDS = 0.005
DRAIN_SECONDS = 5.0  # how long a stopping worker waits for its last changes to be recorded
RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 5.0


class ProgressWriter:
    """Collects row changes from many senders and commits them together, retrying until the
    database takes them."""

    def __init__(self, db: Database, token: str) -> None:
        self.db = db
        self.token = token
        self._pending: list[tuple[Change, asyncio.Future[bool]]] = []
        self._task: asyncio.Task[None] | None = None
        self._healthy = asyncio.Event()
        self._healthy.set()
        self.commits = 0  # for benchmarks: how many transactions the changes took
        self.failures = 0  # commits that failed and were retried

    @property
    def healthy(self) -> bool:
        """False while a commit is failing (the database is unreachable)."""
        return self._healthy.is_set()

    async def wait_healthy(self) -> None:
        """Return once commits succeed again."""
        await self._healthy.wait()

    async def write(self, change: Change) -> bool:
        """Record `change`; returns once it is committed: True, or False when the row is no
        longer this worker's claim (nothing was written)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((change, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush_all(), name="delivery-progress")
        # shield: a sender cancelled while waiting must not cancel the shared commit.
        return await asyncio.shield(future)

    async def drain(self) -> None:
        """Wait (at most DRAIN_SECONDS) until everything written so far is committed."""
        if self._task is None or self._task.done():
            return
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(self._task), DRAIN_SECONDS)
        if not self._task.done():
            # The database stayed away: what is unrecorded is resent after the leases expire.
            log.error("stopping with %d delivery changes not recorded", len(self._pending))
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _flush_all(self) -> None:
        delay = RETRY_FIRST_SECONDS
        while self._pending:
            # A few milliseconds let the other senders' changes join this commit: every
            # transaction costs several hops to the database thread, whatever its size.
            await asyncio.sleep(GATHER_SECONDS)
            batch = list(self._pending)
            try:
                async with self.db.session() as session:
                    lost = await record_changes(
                        session, [change for change, _ in batch], token=self.token
                    )
            except Exception as exc:
                self.failures += 1
                if self._healthy.is_set():
                    log.warning("cannot record delivery progress (%s); sending paused", exc)
                self._healthy.clear()
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                continue  # the same changes (and any new ones) go in the next try
            delay = RETRY_FIRST_SECONDS
            if not self._healthy.is_set():
                log.warning("delivery progress recorded again; sending resumes")
            self._healthy.set()
            self.commits += 1
            del self._pending[: len(batch)]
            for change, future in batch:
                if not future.done():
                    future.set_result(change.delivery_id not in lost)
