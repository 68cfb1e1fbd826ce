"""PTB's AIORateLimiter, tuned to never trip Telegram's flood limits.

Stock AIORateLimiter is a leaky bucket that allows a burst of 30 and then 30/s, so in the first
second up to ~59 messages leave; a strict counter of "30 per second" answers 429 to some. Here
every bucket holds one message (a smooth rate), the overall rate stays a little under 30/s, groups
get 20 per minute spread out, and every chat gets at most one message per second, which
AIORateLimiter does not do for private chats.

On PostgreSQL several processes send for one bot: then the bot-wide and per-chat limits are one
budget shared through the database (`storage.send_budget`), and this limiter only keeps the
process's own messages to one chat in order.

Replies come first. The delivery worker marks its messages as bulk (`rate_limit_args=BULK`):
at most BULK_IN_LINE of them wait for the overall limit at a time, and none takes its turn
while a reply (an answer to a command, a button or a question) waits for it. A reply then
waits for the next free slot or two, not behind the fan-out; the fan-out slows by the replies
it lets through, and keeps every limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol

from telegram.ext import AIORateLimiter

from telemetry import metrics

# Margins absorb timing jitter between our clock and the server's.
CHAT_INTERVAL_SECONDS = 1.05
GROUP_INTERVAL_SECONDS = 60 / 20 * 1.03
_MAX_IDLE_CHATS = 512
# A shared-budget slot missed by more than this is given up for a new one (a twentieth of a
# second: under 2 slots at 28/s).
LATE_SLOT_SECONDS = 0.05
_MAX_RESERVATIONS = 5  # then send anyway: a host this slow is better served late than never
_MESSAGE_ENDPOINTS = ("send", "edit", "copy", "forward")
BULK = "bulk"  # rate_limit_args of the delivery worker's messages: replies go first
# Bulk messages waiting for the overall limit at once: two keep the rate full, and a reply
# finds no more than that ahead of it.
BULK_IN_LINE = 2
_NOT_MESSAGES = frozenset({"sendChatAction"})


class _RetriedByUs(logging.Filter):
    """Drops AIORateLimiter's "Rate limit hit after maximum of 0 retries" traceback: with
    max_retries=0 it fires on every 429, which the delivery worker reschedules and reports as
    one warning line of its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for the limiter's give-up message, True for everything else."""
        return not str(record.msg).startswith("Rate limit hit after maximum")


logging.getLogger("telegram.ext.AIORateLimiter").addFilter(_RetriedByUs())


@dataclass
class _ChatTurn:
    """Messages to one chat go one at a time, each a full interval after the last one left."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    free_at: float = 0.0  # loop time


class TelegramRateLimiter(AIORateLimiter):
    """≤ `per_second` messages/s overall, ≤ 1/s per chat, ≤ 20/min per group, no bursts."""

    def __init__(self, per_second: float = 28.0, budget: SharedBudget | None = None) -> None:
        super().__init__(
            overall_max_rate=1,
            overall_time_period=1 / per_second,
            group_max_rate=1,
            group_time_period=GROUP_INTERVAL_SECONDS,
            max_retries=0,  # the delivery worker reschedules on RetryAfter itself
        )
        self.per_second = per_second
        self.budget = budget
        self._turns: dict[int | str, _ChatTurn] = {}
        self._bulk_line = asyncio.Semaphore(BULK_IN_LINE)
        self._replies_waiting = 0
        self._no_replies_waiting = asyncio.Event()
        self._no_replies_waiting.set()
        self._sent: deque[float] = deque()  # this process's messages in the last second
        metrics.set_send_budget(0.0, per_second)

    def _turn(self, chat_id: int | str, now: float) -> _ChatTurn:
        if len(self._turns) > _MAX_IDLE_CHATS:
            for key, turn in list(self._turns.items()):
                if key != chat_id and not turn.lock.locked() and turn.free_at <= now:
                    del self._turns[key]
        turn = self._turns.get(chat_id)
        if turn is None:
            turn = self._turns[chat_id] = _ChatTurn()
        return turn

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for the chat's turn (messages only), then for the overall and group limits.

        The chat's next turn is measured from when this message was answered, not from when
        it was queued, so a message that waited for the overall limit cannot catch up with the
        previous one to the same chat.
        """
        chat_id = data.get("chat_id")
        if not endpoint.startswith(_MESSAGE_ENDPOINTS) or endpoint in _NOT_MESSAGES:
            # Telegram limits messages, not "typing…", button answers or look-ups: they go at
            # once, without waiting for (or spending) a chat's turn or the overall budget.
            return await callback(*args, **kwargs)
        if chat_id is None:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        loop = asyncio.get_running_loop()
        turn = self._turn(chat_id, loop.time())
        async with turn.lock:
            wait = turn.free_at - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                bulk = rate_limit_args == BULK
                async with self._priority(bulk):
                    if self.budget is None:
                        self._count_sent(loop.time())
                        # AIORateLimiter reads rate_limit_args as a retry count: BULK is ours.
                        return await super().process_request(
                            callback,
                            args,
                            kwargs,
                            endpoint,
                            data,
                            None if bulk else rate_limit_args,
                        )
                    await self._wait_for_slot(chat_id, loop)
                return await callback(*args, **kwargs)
            finally:
                turn.free_at = loop.time() + CHAT_INTERVAL_SECONDS

    @contextlib.asynccontextmanager
    async def _priority(self, bulk: bool) -> AsyncIterator[None]:
        """Hold a place in line for the overall limit (or the shared budget's next slot).

        A reply: while it waits, no fan-out message takes a turn. A fan-out message (`bulk`):
        one of at most BULK_IN_LINE, after every reply waiting. With a shared budget the place
        is left once the slot is reserved and reached, before the message is sent.
        """
        if not bulk:
            self._replies_waiting += 1
            self._no_replies_waiting.clear()
            try:
                yield
            finally:
                self._replies_waiting -= 1
                if not self._replies_waiting:
                    self._no_replies_waiting.set()
            return
        async with self._bulk_line:
            while not self._no_replies_waiting.is_set():
                await self._no_replies_waiting.wait()
            yield

    async def _wait_for_slot(self, chat_id: int | str, loop: asyncio.AbstractEventLoop) -> None:
        """Reserve a slot of the shared budget (storage.send_budget) and sleep until it.

        A process that wakes well after its slot (a busy event loop, a slow host) takes a new
        one instead of sending late: late messages bunch up with the punctual ones of the other
        processes, and Telegram counts them where they arrive. The stale slot goes unused, which
        only lowers the rate.
        """
        assert self.budget is not None
        for _ in range(_MAX_RESERVATIONS):
            delay = await self.budget.reserve(chat_id, _chat_interval(chat_id))
            slot = loop.time() + delay
            if delay > 0:
                await asyncio.sleep(delay)
            if loop.time() - slot <= LATE_SLOT_SECONDS:
                return
            metrics.STALE_SEND_SLOTS.inc()

    def _count_sent(self, now: float) -> None:
        """The budget in use (metrics): this process is the only sender when it has no
        shared budget."""
        self._sent.append(now)
        while self._sent and now - self._sent[0] > 1.0:
            self._sent.popleft()
        metrics.set_send_budget(float(min(len(self._sent), self.per_second)))


def _chat_interval(chat_id: int | str) -> float:
    """Groups and channels (negative ids, @names) 20 a minute, private chats one a second."""
    group = isinstance(chat_id, str) or chat_id < 0
    return GROUP_INTERVAL_SECONDS if group else CHAT_INTERVAL_SECONDS


class SharedBudget(Protocol):
    """The send budget every process of the bot shares (storage.send_budget.SendBudget)."""

    async def reserve(self, chat_id: int | str, chat_every: float) -> float:
        """Seconds to wait before a message to `chat_id` may go; its slot is taken."""
        ...
