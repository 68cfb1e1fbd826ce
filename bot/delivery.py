"""The delivery worker: claims due rows, builds their briefing once, sends part by part.

Every outcome lands on the delivery row: sent (with message ids), empty, skipped (too late or
paused), blocked (403: the subscriber is marked blocked and nothing more is sent), failed (400,
or network errors past the attempt limit), or back to pending with a later `next_attempt_at`
(429 RetryAfter: after Telegram's delay, and all sending pauses meanwhile; network errors:
exponential backoff). Progress is committed after each message, so a restart resumes a
multi-part briefing at the next part.

Exactly once rests on three rules (docs/bot.md names the windows that remain):

- **A claim is checked before every send.** Rows are claimed in the name of this worker's
  token; a heartbeat renews their leases while they are held (a long flood pause or a slow
  answer never lets a lease run out), every write checks the token, and a part is sent only
  while the lease has a third of its length left. A worker that lost a row never sends it.
- **Nothing is sent that cannot be recorded.** When progress cannot be committed (the database
  is away), every sender waits; the parts already sent are recorded as soon as it is back.
- **A send Telegram may have accepted is not repeated.** If the request reached Telegram but
  no answer came within `delivery_send_timeout_seconds`, the part counts as sent (the row's
  error says so): Telegram has no idempotency key, and a duplicate briefing is worse than a
  missing part after a minute of silence. Requests that never left are retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import warnings
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from telegram import Bot
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot
from telegram.warnings import PTBUserWarning

from bot.briefing import BriefingBuilder
from bot.formatting import MessagePart, load_parts
from bot.progress import ProgressWriter
from bot.ratelimit import BULK
from bot.redaction import redact
from bot.request import is_unanswered
from bot.settings import Settings
from bot.views import DEEP_LINK_MORE, MORE_CALLBACK
from storage import deliveries as queue
from storage.db import Database
from storage.subscribers import move_chat
from telemetry import metrics

log = logging.getLogger(__name__)

# _send calls do_api_request("sendMessage") on purpose (see its docstring); PTB suggests
# send_message for known methods, and would say so on every start.
warnings.filterwarnings(
    "ignore", message=r"Please use 'Bot\.send(Message|Photo)' instead of", category=PTBUserWarning
)

RETRY_BASE = timedelta(seconds=10)
RETRY_CAP = timedelta(minutes=15)
NO_PREVIEW = {"is_disabled": True}  # link previews off
# A flood pause longer than this hands the held rows back to the queue, due when it ends,
# instead of keeping them (and the sender slots) waiting in this process.
LONG_FLOOD_PAUSE_SECONDS = 30.0


def retry_delay(attempt: int) -> timedelta:
    """Backoff after the `attempt`-th failed try: 10 s, 20 s, 40 s ... at most 15 min."""
    return min(RETRY_BASE * (2 ** max(attempt - 1, 0)), RETRY_CAP)


def retry_after_seconds(exc: RetryAfter) -> float:
    """Telegram's requested delay in seconds (PTB gives an int or a timedelta)."""
    value = getattr(exc, "_retry_after", None)  # a timedelta, without the deprecation warning
    if value is None:
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# What Telegram says when it cannot use a photo (its URL, size or format), as opposed to the
# chat or the text: the part then goes without it.
_IMAGE_REFUSALS = (
    "wrong type of the web page content",
    "failed to get http url content",
    "wrong file identifier",
    "photo_invalid",
    "image_process_failed",
    "wrong remote file",
    "file is too big",
    "caption is too long",
    "webpage_media_empty",
)


# 400s that say the chat cannot take messages from the bot any more (unlike TOPIC_CLOSED: a
# closed topic may be reopened, so that delivery fails and the next one tries again).
_PLACE_GONE = (
    "message thread not found",
    "need administrator rights",
    "not enough rights to send",
    "chat_write_forbidden",
)


def is_place_gone(exc: BadRequest) -> bool:
    """Whether a 400 means the bot can no longer post in that chat or forum topic."""
    message = exc.message.lower()
    return any(reason in message for reason in _PLACE_GONE)


def is_image_refusal(exc: BadRequest) -> bool:
    """Whether a 400 is about the photo (its URL or size), not about the chat or the text."""
    message = exc.message.lower()
    return any(reason in message for reason in _IMAGE_REFUSALS)


def inline_keyboard(
    part: MessagePart, bot_username: str | None = None
) -> dict[str, list[list[dict[str, str]]]]:
    """The part's buttons as a Bot API InlineKeyboardMarkup object.

    With `bot_username` (a channel's briefing), "More" opens the bot's private chat on that
    story (t.me/<bot>?start=more_<id>) instead: a button pressed by any reader of a channel
    must not post the answer into the channel for everyone.
    """

    def button(label: str, data: str) -> dict[str, str]:
        if bot_username and data.startswith(MORE_CALLBACK):
            story = data.removeprefix(MORE_CALLBACK)
            link = f"https://t.me/{bot_username}?start={DEEP_LINK_MORE}{story}"
            return {"text": label, "url": link}
        return {"text": label, "callback_data": data}

    return {
        "inline_keyboard": [[button(label, data) for label, data in row] for row in part.buttons]
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
        # A limiter takes the fan-out's BULK marker: replies to users go first.
        self._limited = isinstance(bot, ExtBot) and bot.rate_limiter is not None
        self.db = db
        self.settings = settings
        self.clock = clock
        self.builder = builder or BriefingBuilder(db, settings, clock)
        self.token = uuid.uuid4().hex  # names this worker's claims in the database
        self.writer = ProgressWriter(db, self.token)
        self.counts: Counter[str] = Counter()  # messages, and outcomes by name
        self.lease = timedelta(seconds=settings.delivery_lease_seconds)
        self._slots = asyncio.Semaphore(settings.delivery_concurrency)
        self._wake = asyncio.Event()
        self._claim_lock = asyncio.Lock()
        self._inflight: set[asyncio.Task[None]] = set()
        # Rows claimed here and not yet given back or closed, with their lease's end.
        self._held: dict[int, datetime] = {}
        self._task: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._paused_until = 0.0  # loop time: Telegram asked the whole bot to wait

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Work the queue in a background task until stop()."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="delivery-worker")

    async def stop(self) -> None:
        """Stop at once: sends in flight are abandoned and their rows handed back to the
        queue, so this or another worker resumes them at their next unsent part."""
        tasks = [t for t in (self._task, self._heartbeat, *self._inflight) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._task = self._heartbeat = None
        await self.writer.drain()
        if self._held:
            held, self._held = sorted(self._held), {}
            try:
                async with self.db.session() as session:
                    await queue.release_claims(session, held, token=self.token)
            except Exception:  # their leases expire instead
                log.warning("could not hand %d claimed deliveries back", len(held))

    @property
    def running(self) -> bool:
        """Whether the background worker started by start() is working the queue."""
        return self._task is not None and not self._task.done()

    def wake(self) -> None:
        """Look at the queue now (new rows were queued)."""
        self._wake.set()

    async def run_until_idle(self) -> None:
        """Deliver everything due now, then return (rows retried later stay queued)."""
        self._ensure_heartbeat()
        while True:
            if not await self._dispatch_batch():
                if not self._inflight:
                    return
                await asyncio.wait(set(self._inflight))

    async def _run(self) -> None:
        self._ensure_heartbeat()
        while True:
            try:
                claimed = await self._dispatch_batch()
            except Exception as exc:  # the database is away: try again shortly
                log.warning("delivery worker: claiming failed (%s); trying again shortly", exc)
                claimed = 0
            if not claimed:
                await self._idle()

    async def _idle(self) -> None:
        timeout = self.settings.delivery_poll_seconds
        flood = self._flood_pause_left()
        if flood > 0:
            timeout = min(timeout, flood)
        with contextlib.suppress(Exception):
            async with self.db.session() as session:
                due = await queue.next_due_at(session)
            if due is not None:
                until_due = (due - self.clock()).total_seconds()
                timeout = min(timeout, max(until_due, 0.05))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    # -- claims ------------------------------------------------------------------------------

    def _ensure_heartbeat(self) -> None:
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = asyncio.create_task(self._renew_forever(), name="delivery-leases")

    async def _renew_forever(self) -> None:
        """Renew the leases of held rows every third of a lease, so none runs out while this
        worker still means to send it (a long flood pause, a slow answer)."""
        interval = self.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            await self.renew_leases()

    async def renew_leases(self) -> None:
        """Extend the leases of every held row; forget rows another worker has taken."""
        held = list(self._held)
        if not held:
            return
        until = self.clock() + self.lease
        try:
            async with self.db.session() as session:
                kept = await queue.renew_claims(session, token=self.token, ids=held, until=until)
        except Exception as exc:  # senders stop on their own as the leases run low
            log.warning("could not renew %d delivery leases (%s)", len(held), exc)
            return
        for delivery_id in held:
            if delivery_id in kept:
                if delivery_id in self._held:
                    self._held[delivery_id] = until
            else:
                self._release(delivery_id, "its claim was taken over")

    def _owns(self, delivery_id: int) -> bool:
        """Whether this worker may still send for the row: held, with a third of its lease
        left (room for the send itself before anyone else could take it)."""
        until = self._held.get(delivery_id)
        return until is not None and until - self.clock() > self.lease / 3

    def _release(self, delivery_id: int, why: str | None = None) -> None:
        if self._held.pop(delivery_id, None) is not None and why:
            self.counts["claims_lost"] += 1
            log.warning("delivery %d: not sending it any more: %s", delivery_id, why)

    # -- claiming ----------------------------------------------------------------------------

    async def _dispatch_batch(self) -> int:
        """Claim a batch, prepare it and hand each row to a sender; returns rows claimed."""
        # One dispatcher at a time: when a caller finds nothing to claim, every row claimed
        # so far is already in the hands of a sender (run_until_idle relies on it).
        async with self._claim_lock:
            self._wake.clear()  # any wake from here on means "look again"
            if self._flood_pause_left() > 0 or not self.writer.healthy:
                return 0  # claim nothing that could not be sent or recorded now
            now = self.clock()
            async with self.db.session() as session:
                rows = await queue.claim_due(
                    session,
                    now=now,
                    limit=self.settings.delivery_batch_size,
                    lease=self.lease,
                    token=self.token,
                )
            if not rows:
                return 0
            self._held.update((row.id, now + self.lease) for row in rows)
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
        closed: list[queue.Outcome] = []
        ready = []
        for row in rows:
            if row.subscriber_status == "blocked":
                closed.append(
                    queue.Outcome(row.id, queue.BLOCKED, "the subscriber had blocked the bot")
                )
            elif row.subscriber_status == "paused" and row.kind != queue.MANUAL:
                closed.append(
                    queue.Outcome(row.id, queue.SKIPPED, "the subscriber paused briefings")
                )
            elif (
                row.parts_sent == 0 and row.kind != queue.BROADCAST and now - row.slot_at > max_age
            ):
                reason = f"too late to send (due {row.slot_at:%Y-%m-%d %H:%M} UTC)"
                closed.append(queue.Outcome(row.id, queue.SKIPPED, reason))
            else:
                ready.append(row)
        if closed:
            await asyncio.gather(*(self.writer.write(outcome) for outcome in closed))
            self.counts.update(outcome.status for outcome in closed)
            for outcome in closed:
                self._release(outcome.delivery_id)
        payloads = await self.builder.build([row for row in ready if row.payload is None])
        for row in ready:
            if row.payload is None:
                row.payload = payloads.get(row.id)
        empty = [row for row in ready if row.payload is None]
        self.counts[queue.EMPTY] += len(empty)
        for row in empty:
            self._release(row.id)
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
        self._release(row.id)

    async def _deliver(self, row: queue.ClaimedDelivery) -> None:
        """Send the row's remaining parts, recording each one before the next."""
        assert row.payload is not None
        parts = load_parts(row.payload)
        message_ids = list(row.message_ids)
        for index in range(row.parts_sent, len(parts)):
            if not await self._ready_to_send(row):
                return
            note = None
            try:
                message_id = await self._send(row, parts[index])
            except TelegramError as exc:
                if not is_unanswered(exc):
                    await self._handle_error(row, exc)
                    return
                # The request reached Telegram and no answer came back: it was probably
                # delivered, and resending would show it twice. Count it as sent.
                message_id = 0
                self.counts["unconfirmed"] += 1
                seconds = self.settings.delivery_send_timeout_seconds
                note = (
                    f"part {index + 1} of {len(parts)}: Telegram did not answer within "
                    f"{seconds:g} s; counted as sent, not resent"
                )
                log.warning("delivery %d: %s", row.id, note)
            message_ids.append(message_id)
            done = index + 1 == len(parts)
            delivered_at = self.clock()
            change = queue.Progress(
                row.id,
                index + 1,
                message_ids,
                queue.SENT if done else queue.SENDING,
                delivered_at if done else None,
                note,
                subscriber_id=row.subscriber_id,
                stories=parts[index].stories,
                delivered_at=delivered_at,
            )
            metrics.message_sent()  # metrics: it left, recorded or not
            if not await self.writer.write(change):
                self._release(row.id, "its claim was taken over while a part was sent")
                return
            self.counts["messages"] += 1
        self.counts[queue.SENT] += 1

    async def _ready_to_send(self, row: queue.ClaimedDelivery) -> bool:
        """Wait until a part may go out: no flood pause, the database recording, the claim
        still ours. False: the row is no longer this worker's to send (or was handed back)."""
        while True:
            if not self._owns(row.id):
                self._release(row.id, "its lease ran out before the next part")
                return False
            pause = self._flood_pause_left()
            if pause > LONG_FLOOD_PAUSE_SECONDS:
                # Hand it back, due when the pause ends: any worker resumes it then.
                await self.writer.write(
                    queue.Outcome(
                        row.id,
                        queue.PENDING,
                        f"429 rate limited: every send paused for {pause:.0f} s",
                        next_attempt_at=self.clock() + timedelta(seconds=pause),
                    )
                )
                self._release(row.id)
                return False
            if pause > 0:
                await asyncio.sleep(pause)  # the heartbeat keeps the lease meanwhile
                continue
            if not self.writer.healthy:
                await self.writer.wait_healthy()
                continue
            return True

    async def _send(self, row: queue.ClaimedDelivery, part: MessagePart) -> int:
        """One part through PTB's request path (rate limiter, error mapping); returns its id.

        do_api_request with plain dicts instead of send_message: building and parsing PTB's
        Message and keyboard objects cost more CPU than the rest of a delivery together, and
        the fan-out only needs the message id back. A part with a photo goes as sendPhoto with
        the text as caption; when Telegram refuses the image (a broken or oversized URL), the
        part goes as text instead: an image never holds a briefing back.
        """
        api_kwargs: dict[str, object] = {"chat_id": row.chat_id, "parse_mode": ParseMode.HTML.value}
        if row.thread_id:
            api_kwargs["message_thread_id"] = row.thread_id
        if row.options.silent:
            api_kwargs["disable_notification"] = True
        if part.buttons:
            channel = row.chat_type == ChatType.CHANNEL
            api_kwargs["reply_markup"] = inline_keyboard(
                part, self.bot.username if channel else None
            )
        if self.settings.allow_paid_broadcast:
            api_kwargs["allow_paid_broadcast"] = True
        if part.photo:
            try:
                return await self._request(
                    "sendPhoto", {**api_kwargs, "photo": part.photo, "caption": part.text}
                )
            except BadRequest as exc:
                if not is_image_refusal(exc):
                    raise
                self.counts["image_refused"] += 1
                log.info("delivery %d: the lead image was refused (%s); sent as text", row.id, exc)
        preview = (
            {"url": part.preview_url, "show_above_text": True, "prefer_large_media": True}
            if part.preview_url
            else NO_PREVIEW
        )
        return await self._request(
            "sendMessage", {**api_kwargs, "text": part.text, "link_preview_options": preview}
        )

    async def _request(self, method: str, api_kwargs: dict[str, object]) -> int:
        result = await self.bot.do_api_request(
            method,
            api_kwargs=api_kwargs,
            read_timeout=self.settings.delivery_send_timeout_seconds,
            # Replies to users go before the fan-out (bot/ratelimit.py); without a limiter
            # (tests, a bare Bot) PTB refuses the argument.
            **({"rate_limit_args": BULK} if self._limited else {}),
        )
        return int(result["message_id"])  # type: ignore[index]

    def _flood_pause_left(self) -> float:
        return self._paused_until - asyncio.get_running_loop().time()

    async def _handle_error(self, row: queue.ClaimedDelivery, exc: TelegramError) -> None:
        if isinstance(exc, RetryAfter):
            seconds = retry_after_seconds(exc)
            loop_now = asyncio.get_running_loop().time()
            self._paused_until = max(self._paused_until, loop_now + seconds)
            self.counts["rate_limited"] += 1
            metrics.telegram_error(429)  # metrics: Telegram's flood control
            # A warning, not a traceback: several processes sharing one bot meet it routinely.
            log.warning("delivery %d: Telegram asks to wait %.0f s", row.id, seconds)
            await self.writer.write(
                queue.Outcome(
                    row.id,
                    queue.PENDING,
                    f"429 rate limited: retry after {seconds:g} s",
                    next_attempt_at=self.clock() + timedelta(seconds=seconds),
                )
            )
        elif isinstance(exc, Forbidden) or (isinstance(exc, BadRequest) and is_place_gone(exc)):
            # Blocked, removed from the channel or group, its posting right taken away, or the
            # forum topic deleted: nothing more goes there until the chat says it is back
            # (a message, /start, or the bot made an admin again).
            log.info("chat %d blocked the bot (%s): marking it blocked", row.chat_id, exc.message)
            self.counts[queue.BLOCKED] += 1
            metrics.telegram_error(403)  # metrics: the chat blocked the bot
            await self.writer.write(
                queue.Outcome(
                    row.id,
                    queue.BLOCKED,
                    redact(f"403 {exc.message}"),
                    subscriber_id=row.subscriber_id,
                )
            )
        elif isinstance(exc, ChatMigrated):
            try:
                async with self.db.session() as session:
                    await move_chat(session, row.chat_id, exc.new_chat_id)
            except Exception as failure:  # the retry meets ChatMigrated again and moves it then
                log.warning("could not move chat %d: %s", row.chat_id, failure)
            await self.writer.write(
                queue.Outcome(
                    row.id,
                    queue.PENDING,
                    f"chat moved to {exc.new_chat_id}",
                    next_attempt_at=self.clock(),
                )
            )
            self.wake()
        elif isinstance(exc, BadRequest):
            log.warning("delivery %d: Telegram refused it: %s", row.id, exc.message)
            self.counts[queue.FAILED] += 1
            error = redact(f"400 {exc.message}")
            await self.writer.write(queue.Outcome(row.id, queue.FAILED, error))
        else:  # NetworkError, TimedOut before the request left, 5xx: try again later
            await self._retry_or_fail(row, f"{type(exc).__name__}: {exc.message}")

    async def _retry_or_fail(self, row: queue.ClaimedDelivery, error: str) -> None:
        # Transport errors may name the Bot API URL, and with it the token: stored redacted.
        error = redact(error)
        attempt = row.attempts + 1
        if attempt >= self.settings.delivery_max_attempts:
            self.counts[queue.FAILED] += 1
            log.warning("delivery %d failed for good: %s", row.id, error)
            await self.writer.write(
                queue.Outcome(row.id, queue.FAILED, f"gave up after {attempt} tries: {error}")
            )
            return
        self.counts["retried"] += 1
        await self.writer.write(
            queue.Outcome(
                row.id,
                queue.PENDING,
                error,
                next_attempt_at=self.clock() + retry_delay(attempt),
                count_attempt=True,
            )
        )
