"""The delivery worker: claims due rows, builds their briefing once, sends part by part.

Every outcome lands on the delivery row: sent (with message ids), empty, skipped (too late or
paused), blocked (403: the subscriber is marked blocked and nothing more is sent), failed (400,
or network errors past the attempt limit), or back to pending with a later `next_attempt_at`
(429 RetryAfter: after Telegram's delay, and all sending pauses meanwhile; network errors:
exponential backoff). Progress is committed after each message, so a restart resumes a
multi-part briefing at the next part.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBUserWarning

from bot.briefing import BriefingBuilder
from bot.formatting import MessagePart, load_parts
from bot.progress import ProgressWriter
from bot.settings import Settings
from storage import deliveries as queue
from storage.db import Database
from storage.subscribers import move_chat

log = logging.getLogger(__name__)

# _send calls do_api_request("sendMessage") on purpose (see its docstring); PTB suggests
# send_message for known methods, and would say so on every start.
warnings.filterwarnings(
    "ignore", message=r"Please use 'Bot\.sendMessage' instead of", category=PTBUserWarning
)

RETRY_BASE = timedelta(seconds=10)
RETRY_CAP = timedelta(minutes=15)
NO_PREVIEW = {"is_disabled": True}  # link previews off


def retry_delay(attempt: int) -> timedelta:
    """Backoff after the `attempt`-th failed try: 10 s, 20 s, 40 s ... at most 15 min."""
    return min(RETRY_BASE * (2 ** max(attempt - 1, 0)), RETRY_CAP)


def retry_after_seconds(exc: RetryAfter) -> float:
    """Telegram's requested delay in seconds (PTB gives an int or a timedelta)."""
    value = getattr(exc, "_retry_after", None)  # a timedelta, without the deprecation warning
    if value is None:
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def inline_keyboard(part: MessagePart) -> dict[str, list[list[dict[str, str]]]]:
    """The part's buttons as a Bot API InlineKeyboardMarkup object."""
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in part.buttons
        ]
    }


class DeliveryWorker:
    """Works the delivery queue in the background (start/stop) or until idle (tests, demo)."""

    def __init__(
        self,
        bot: Bot,
        db: Database,
        settings: Settings,
        clock: Callable[[], datetime],
        builder: BriefingBuilder | None = None,
    ) -> None:
        self.bot = bot
        self.db = db
        self.settings = settings
        self.clock = clock
        self.builder = builder or BriefingBuilder(db, settings, clock)
        self.writer = ProgressWriter(db)
        self.counts: Counter[str] = Counter()  # messages, and outcomes by name
        self._slots = asyncio.Semaphore(settings.delivery_concurrency)
        self._wake = asyncio.Event()
        self._claim_lock = asyncio.Lock()
        self._inflight: set[asyncio.Task[None]] = set()
        self._held_rows: set[int] = set()  # claimed here and not yet given back or closed
        self._task: asyncio.Task[None] | None = None
        self._paused_until = 0.0  # loop time: Telegram asked the whole bot to wait

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Work the queue in a background task until stop()."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="delivery-worker")

    async def stop(self) -> None:
        """Stop at once: sends in flight are abandoned and their rows handed back to the
        queue, so this or another worker resumes them at their next unsent part."""
        tasks = [t for t in (self._task, *self._inflight) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._task = None
        await self.writer.drain()
        if self._held_rows:
            held, self._held_rows = sorted(self._held_rows), set()
            try:
                async with self.db.session() as session:
                    await queue.release_claims(session, held)
            except Exception:  # their leases expire instead
                log.exception("could not hand %d claimed deliveries back", len(held))

    def wake(self) -> None:
        """Look at the queue now (new rows were queued)."""
        self._wake.set()

    async def run_until_idle(self) -> None:
        """Deliver everything due now, then return (rows retried later stay queued)."""
        while True:
            if not await self._dispatch_batch():
                if not self._inflight:
                    return
                await asyncio.wait(set(self._inflight))

    async def _run(self) -> None:
        while True:
            try:
                claimed = await self._dispatch_batch()
            except Exception:
                log.exception("delivery worker: claiming failed; trying again shortly")
                claimed = 0
            if not claimed:
                await self._idle()

    async def _idle(self) -> None:
        timeout = self.settings.delivery_poll_seconds
        with contextlib.suppress(Exception):
            async with self.db.session() as session:
                due = await queue.next_due_at(session)
            if due is not None:
                until_due = (due - self.clock()).total_seconds()
                timeout = min(timeout, max(until_due, 0.05))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    # -- claiming ----------------------------------------------------------------------------

    async def _dispatch_batch(self) -> int:
        """Claim a batch, prepare it and hand each row to a sender; returns rows claimed."""
        # One dispatcher at a time: when a caller finds nothing to claim, every row claimed
        # so far is already in the hands of a sender (run_until_idle relies on it).
        async with self._claim_lock:
            self._wake.clear()  # any wake from here on means "look again"
            now = self.clock()
            async with self.db.session() as session:
                rows = await queue.claim_due(
                    session,
                    now=now,
                    limit=self.settings.delivery_batch_size,
                    lease=timedelta(seconds=self.settings.delivery_lease_seconds),
                )
            if not rows:
                return 0
            self._held_rows.update(row.id for row in rows)
            for row in await self._prepare(rows, now):
                await self._slots.acquire()
                task = asyncio.create_task(self._deliver_safely(row))
                self._inflight.add(task)
                task.add_done_callback(self._sender_done)
            return len(rows)

    def _sender_done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._slots.release()

    async def _prepare(
        self, rows: list[queue.ClaimedDelivery], now: datetime
    ) -> list[queue.ClaimedDelivery]:
        """Close rows that must not go out; build the payload of the others (once)."""
        max_age = timedelta(minutes=self.settings.missed_slot_max_age_minutes)
        closed: list[tuple[int, str, str]] = []
        ready = []
        for row in rows:
            if row.subscriber_status == "blocked":
                closed.append((row.id, queue.BLOCKED, "the subscriber had blocked the bot"))
            elif row.subscriber_status == "paused" and row.kind != queue.MANUAL:
                closed.append((row.id, queue.SKIPPED, "the subscriber paused briefings"))
            elif (
                row.parts_sent == 0 and row.kind != queue.BROADCAST and now - row.slot_at > max_age
            ):
                closed.append(
                    (
                        row.id,
                        queue.SKIPPED,
                        f"too late to send (due {row.slot_at:%Y-%m-%d %H:%M} UTC)",
                    )
                )
            else:
                ready.append(row)
        if closed:
            async with self.db.session() as session:
                for delivery_id, status, reason in closed:
                    await queue.finish(session, delivery_id, status, error=reason)
            self.counts.update(status for _, status, _ in closed)
            self._held_rows.difference_update(delivery_id for delivery_id, _, _ in closed)
        payloads = await self.builder.build([row for row in ready if row.payload is None])
        for row in ready:
            if row.payload is None:
                row.payload = payloads.get(row.id)
        empty = [row for row in ready if row.payload is None]
        self.counts[queue.EMPTY] += len(empty)
        self._held_rows.difference_update(row.id for row in empty)
        return [row for row in ready if row.payload is not None]

    # -- sending -----------------------------------------------------------------------------

    async def _deliver_safely(self, row: queue.ClaimedDelivery) -> None:
        try:
            await self._deliver(row)
        except asyncio.CancelledError:
            raise  # the row stays held: stop() hands it back
        except Exception as exc:
            log.exception("delivery %d: unexpected error", row.id)
            await self._retry_or_fail(row, f"internal error: {exc!r}")
        self._held_rows.discard(row.id)

    async def _deliver(self, row: queue.ClaimedDelivery) -> None:
        """Send the row's remaining parts, recording each one before the next."""
        assert row.payload is not None
        parts = load_parts(row.payload)
        message_ids = list(row.message_ids)
        for index in range(row.parts_sent, len(parts)):
            await self._respect_flood_pause()
            part = parts[index]
            try:
                message_id = await self._send(row.chat_id, part)
            except TelegramError as exc:
                await self._handle_error(row, exc)
                return
            message_ids.append(message_id)
            done = index + 1 == len(parts)
            await self.writer.write(
                queue.Progress(
                    row.id,
                    index + 1,
                    message_ids,
                    queue.SENT if done else queue.SENDING,
                    self.clock() if done else None,
                )
            )
            self.counts["messages"] += 1
        self.counts[queue.SENT] += 1

    async def _send(self, chat_id: int, part: MessagePart) -> int:
        """sendMessage through PTB's request path (rate limiter, error mapping); returns the id.

        do_api_request with plain dicts instead of send_message: building and parsing PTB's
        Message and keyboard objects cost more CPU than the rest of a delivery together, and
        the fan-out only needs the message id back.
        """
        api_kwargs: dict[str, object] = {
            "chat_id": chat_id,
            "text": part.text,
            "parse_mode": ParseMode.HTML.value,
            "link_preview_options": NO_PREVIEW,
        }
        if part.buttons:
            api_kwargs["reply_markup"] = inline_keyboard(part)
        result = await self.bot.do_api_request("sendMessage", api_kwargs=api_kwargs)
        return int(result["message_id"])  # type: ignore[index]

    async def _handle_error(self, row: queue.ClaimedDelivery, exc: TelegramError) -> None:
        if isinstance(exc, RetryAfter):
            seconds = retry_after_seconds(exc)
            loop_now = asyncio.get_running_loop().time()
            self._paused_until = max(self._paused_until, loop_now + seconds)
            self.counts["rate_limited"] += 1
            log.warning("delivery %d: Telegram asks to wait %.0f s", row.id, seconds)
            async with self.db.session() as session:
                await queue.retry_later(
                    session,
                    row.id,
                    at=self.clock() + timedelta(seconds=seconds),
                    error=f"429 rate limited: retry after {seconds:g} s",
                    count_attempt=False,
                )
        elif isinstance(exc, Forbidden):
            log.info("chat %d blocked the bot (%s): marking it blocked", row.chat_id, exc.message)
            self.counts[queue.BLOCKED] += 1
            async with self.db.session() as session:
                await queue.mark_blocked(session, row.subscriber_id, f"403 {exc.message}")
        elif isinstance(exc, ChatMigrated):
            async with self.db.session() as session:
                await move_chat(session, row.chat_id, exc.new_chat_id)
                await queue.retry_later(
                    session,
                    row.id,
                    at=self.clock(),
                    error=f"chat moved to {exc.new_chat_id}",
                    count_attempt=False,
                )
            self.wake()
        elif isinstance(exc, BadRequest):
            log.warning("delivery %d: Telegram refused it: %s", row.id, exc.message)
            self.counts[queue.FAILED] += 1
            async with self.db.session() as session:
                await queue.finish(session, row.id, queue.FAILED, error=f"400 {exc.message}")
        else:  # NetworkError, TimedOut, 5xx, anything else: try again later
            await self._retry_or_fail(row, f"{type(exc).__name__}: {exc.message}")

    async def _retry_or_fail(self, row: queue.ClaimedDelivery, error: str) -> None:
        attempt = row.attempts + 1
        async with self.db.session() as session:
            if attempt >= self.settings.delivery_max_attempts:
                self.counts[queue.FAILED] += 1
                await queue.finish(
                    session, row.id, queue.FAILED, error=f"gave up after {attempt} tries: {error}"
                )
                log.warning("delivery %d failed for good: %s", row.id, error)
                return
            self.counts["retried"] += 1
            await queue.retry_later(
                session,
                row.id,
                at=self.clock() + retry_delay(attempt),
                error=error,
                count_attempt=True,
            )

    async def _respect_flood_pause(self) -> None:
        delay = self._paused_until - asyncio.get_running_loop().time()
        if delay > 0:
            await asyncio.sleep(delay)
