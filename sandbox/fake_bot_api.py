"""A stand-in for the Telegram Bot API on 127.0.0.1, for tests, benchmarks and `newsbrief demo`.

The bot under test is the real python-telegram-bot client pointed at `FakeBotAPI.base_url`
(`NEWSBRIEF_TELEGRAM_API_URL`; files at `{base_url}/file/bot<token>/<file_path>`, PTB's
`base_file_url` `{base_url}/file/bot`). The server records every call, serves injected updates
through `getUpdates` (long polling wakes on injection), keeps what each chat received, checks
message HTML and length the way Telegram does, and on demand answers 429/403/400/5xx or holds
requests. With `enforce_limits=True` it answers 429 to anything beyond 30 messages/s overall
(1,000 with `allow_paid_broadcast`), 1/s per chat or 20/min per group.

Beyond text (sandbox/fake_bot_api_media.py): sendPhoto (URL or upload; captions of at most
1,024 characters; URLs a test rejects), sendDocument (uploads kept byte for byte), documents
users send with getFile and the file download, forum supergroups and their topics (a closed
topic answers TOPIC_CLOSED, a missing one "message thread not found"), channels (known by
@username; the bot posts only as an administrator with can_post_messages, else 403/400 as
Telegram words them), channel posts, forwards from channels, my_chat_member updates that change
the bot's membership (kicked from a group or blocked in private: every send answers 403), and
setMyCommands per scope and language.

Run `python -m sandbox.fake_bot_api` to serve it from a separate process; then `GET
/_fake/stats` reports what it saw, `POST /_fake/inject` plays a user ({"chat_id", "text"}, with
"thread_id" in a topic; {"chat_id", "message_id", "data"} presses a button; "kind":
"channel_post", "document" with "file_name" and "content_base64", "forwarded_from_channel" with
"channel_id", or "my_chat_member" with "new_status") and `GET /_fake/messages?chat_id=N`
(&thread_id=T) shows what a chat got.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import signal
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from sandbox.fake_bot_api_media import ChatsAndMediaMethods
from sandbox.fake_bot_api_methods import BotApiMethods
from sandbox.fake_bot_api_support import (
    ANONYMOUS_ADMIN,
    BOT_USER_ID,
    ApiError,
    FakeChat,
    SentMessage,
    TelegramHTMLError,
    TelegramLimits,
    chat_json,
    check_entities,
    command_entities,
    parse_params,
    quote_json,
    user_json,
)

__all__ = ["BOT_USER_ID", "ApiCall", "FakeBotAPI", "FakeChat", "Fault", "SentMessage"]

DEFAULT_TOKEN = "123456:TEST-TOKEN"
_SENDING_PREFIXES = ("send", "edit", "copy", "forward")
# Not messages: "typing…" shows in the chat but is not counted by Telegram's message limits
# (bot/ratelimit.py sends it without waiting for a turn either).
_NOT_MESSAGES = frozenset({"sendChatAction"})
# Methods that post into a chat: refused where the bot may not post (a channel it does not
# administer, a group it was kicked from, a closed forum topic).
_POSTING_PREFIXES = ("send", "copy", "forward")


@dataclass
class ApiCall:
    """One request the server answered: method, decoded parameters, HTTP status."""

    method: str
    params: dict[str, Any]
    status: int
    at: float  # time.monotonic()


@dataclass
class Fault:
    """A planned error answer for matching requests, `remaining` times (None = always)."""

    status: int
    method: str | None = None
    chat_id: int | None = None
    retry_after: int | None = None
    description: str | None = None
    remaining: int | None = 1
    after: int = 0  # matching requests to let through first
    delay: float = 0.0  # status 200: carry the request out, then answer this much later


class FakeBotAPI(BotApiMethods, ChatsAndMediaMethods):
    """A fake Telegram Bot API server over real HTTP; use as an async context manager."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = "newsbrief_test_bot",
        enforce_limits: bool = False,
        port: int = 0,
        record_calls: bool = True,
        keep_messages: bool = True,
    ) -> None:
        self.token = token
        self.username = username
        self.enforce_limits = enforce_limits
        self.record_calls = record_calls
        # False (benchmarks): count and time messages, keep no text, check length not markup.
        self.keep_messages = keep_messages
        self.calls: list[ApiCall] = []
        self.faults: list[Fault] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] = {}
        self.members: dict[tuple[int, int], str] = {}  # (chat, user) -> status, see set_member
        self.rejected_by_limits = 0
        self.status_counts: dict[int, int] = defaultdict(int)
        self._port = port
        self._chats: dict[int, list[SentMessage]] = defaultdict(list)
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._limits = TelegramLimits()
        self._held: set[str] = set()
        self._hold_after: dict[str, int] = {}
        self._held_now = 0
        self._release = asyncio.Event()
        self._sent_times: list[float] = []
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._init_chats_and_media()

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on 127.0.0.1 (port 0 picks a free port)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/_fake/stats", self._handle_stats)
        app.router.add_post("/_fake/reset", self._handle_reset)
        app.router.add_post("/_fake/inject", self._handle_inject)
        app.router.add_get("/_fake/messages", self._handle_messages)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        self._port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        """Release held requests, end long polls and stop listening."""
        self._closing = True
        self._notify()
        self.release()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    def admitted_times(self) -> list[float]:
        """With `enforce_limits`: the time.monotonic() at which each message arrived and
        counted against Telegram's limits (answers are recorded later, in `calls`)."""
        return list(self._limits.admitted)

    def limit_refusals(self) -> list[tuple[float, str]]:
        """The 429s of `enforce_limits`: (time.monotonic() when, which limit and why)."""
        return list(self._limits.refusals)

    @property
    def base_url(self) -> str:
        """The URL to put in NEWSBRIEF_TELEGRAM_API_URL."""
        return f"http://127.0.0.1:{self._port}"

    # -- what the bot did --------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        """Every recorded call of one method, oldest first."""
        return [call for call in self.calls if call.method == method]

    def messages(
        self, chat_id: int | None = None, *, thread_id: int | None = None
    ) -> list[SentMessage]:
        """Messages one chat received (or every chat, in order of sending); with `thread_id`,
        only those sent to that forum topic."""
        if chat_id is not None:
            found = list(self._chats.get(chat_id, []))
        else:
            found = sorted(
                (m for msgs in self._chats.values() for m in msgs), key=lambda m: m.message_id
            )
        if thread_id is not None:
            found = [m for m in found if m.thread_id == thread_id]
        return found

    def texts(self, chat_id: int) -> list[str]:
        """The texts one chat received, as sent (HTML)."""
        return [message.text for message in self.messages(chat_id)]

    def chats_with_messages(self) -> set[int]:
        """Every chat that received at least one message."""
        return {chat_id for chat_id, msgs in self._chats.items() if msgs}

    @property
    def message_count(self) -> int:
        """How many messages were delivered in total."""
        return sum(len(msgs) for msgs in self._chats.values())

    async def wait_for_messages(
        self, chat_id: int | None, count: int, within: float = 10.0
    ) -> list[SentMessage]:
        """Wait until a chat (or all chats together) received at least `count` messages."""

        def enough() -> bool:
            have = self.message_count if chat_id is None else len(self._chats.get(chat_id, []))
            return have >= count

        await self._wait_until(enough, within)
        return self.messages(chat_id)

    async def wait_for_held(self, count: int = 1, within: float = 10.0) -> None:
        """Wait until at least `count` requests are being held."""
        await self._wait_until(lambda: self._held_now >= count, within)

    async def wait_for_calls(self, method: str, count: int = 1, within: float = 10.0) -> None:
        """Wait until `method` was called at least `count` times."""
        await self._wait_until(lambda: len(self.calls_to(method)) >= count, within)

    async def _wait_until(self, predicate: Callable[[], bool], within: float) -> None:
        """Wait until `predicate()` holds, re-checking whenever the server's state changes."""
        async with asyncio.timeout(within):
            while not predicate():
                await self._changed.wait()

    # -- what users do -----------------------------------------------------------------------

    def inject_message(
        self,
        chat: FakeChat | int,
        text: str,
        *,
        user_id: int | None = None,
        reply_to_message_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
        sender_chat: int | None = None,
        quote: str | None = None,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        """A user sends `text` (commands get their bot_command entity); returns the update.

        `entities` is the formatting the user's app attached, as Telegram sends it: dicts with
        "type" (bold, italic, text_link...), "offset" and "length" in UTF-16 code units, and
        "url" / "language" where the type has one. `sender_chat`: the message is written as
        that chat (an anonymous group admin writes as the group; "from" is then Telegram's
        GroupAnonymousBot unless `user_id` is given). `quote`: the part of the replied-to
        message the reply quotes. `thread_id`: written in that topic of a forum (see
        create_topic), or in that reply thread of a plain supergroup.
        """
        chat = self._as_chat(chat)
        message = self._user_message(chat, user_id, thread_id) | {"text": text}
        if sender_chat is not None:
            message["sender_chat"] = chat_json(self.chat(sender_chat))
            if user_id is None:
                message["from"] = dict(ANONYMOUS_ADMIN)
        found = command_entities(text) + check_entities(text, entities or [])
        if found:
            message["entities"] = sorted(found, key=lambda e: (e["offset"], -e["length"]))
        if reply_to_message_id is not None:
            original = self._find_message(chat.id, reply_to_message_id)
            if original is not None:
                message["reply_to_message"] = self._message_json(original)
                if quote is not None:
                    message["quote"] = quote_json(original.plain_text, quote)
        return self._add_update({"message": message})

    def set_member(
        self,
        chat_id: int,
        user_id: int,
        status: str,
        rights: Mapping[str, Any] | None = None,
    ) -> None:
        """What getChatMember answers for this user in this chat: "creator", "administrator",
        "member", "restricted", "left" or "kicked". Unset: a group's default speaker (its
        FakeChat.default_user_id) created it, the bot is not in a channel ("left"), and everyone
        else is a plain member. `rights` overrides an administrator's (all granted, in a channel
        can_post_messages too) or a restricted member's (none), e.g. {"can_post_messages":
        False}. For the bot (BOT_USER_ID) this decides where it may post."""
        self._set_membership(chat_id, user_id, status, rights)

    def inject_callback(
        self,
        chat: FakeChat | int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
    ) -> dict[str, Any]:
        """A user presses an inline button with callback `data` under a bot message."""
        chat = self._as_chat(chat)
        original = self._find_message(chat.id, message_id)
        message = (
            self._message_json(original)
            if original is not None
            else {"message_id": message_id, "date": 0, "chat": chat_json(chat)}
        )
        callback = {
            "id": str(next(self._callback_ids)),
            "from": user_json(user_id if user_id is not None else chat.default_user_id),
            "chat_instance": str(chat.id),
            "message": message,
            "data": data,
        }
        return self._add_update({"callback_query": callback})

    def press_button(
        self, chat: FakeChat | int, label_contains: str, *, user_id: int | None = None
    ) -> dict[str, Any]:
        """Press the newest button in a chat whose label contains `label_contains`."""
        chat_id = chat.id if isinstance(chat, FakeChat) else chat
        for message in reversed(self.messages(chat_id)):
            for label, data in message.buttons:
                if label_contains in label:
                    return self.inject_callback(chat, message.message_id, data, user_id=user_id)
        raise LookupError(f"no button labelled {label_contains!r} in chat {chat_id}")

    def _add_update(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **body}
        self._updates.append(update)
        self._notify()
        return update

    # -- failures and limits -----------------------------------------------------------------

    def fail(
        self,
        status: int,
        *,
        method: str | None = "sendMessage",
        chat_id: int | None = None,
        retry_after: int | None = None,
        description: str | None = None,
        times: int | None = 1,
        after: int = 0,
    ) -> Fault:
        """Answer matching requests with an error `times` times (None: until cleared), after
        letting the first `after` of them through."""
        fault = Fault(status, method, chat_id, retry_after, description, times, after)
        self.faults.append(fault)
        return fault

    def slow(
        self,
        seconds: float,
        *,
        method: str | None = "sendMessage",
        chat_id: int | None = None,
        times: int | None = 1,
        after: int = 0,
    ) -> Fault:
        """Carry matching requests out (the message is delivered) but answer `seconds` later,
        as Telegram does when it is slow: a client that gives up first never learns it worked."""
        fault = Fault(200, method, chat_id, None, None, times, after, delay=seconds)
        self.faults.append(fault)
        return fault

    def block_chat(self, chat_id: int) -> Fault:
        """The user of `chat_id` blocked the bot: every message to it gets 403 from now on."""
        return self.fail(
            403,
            method=None,
            chat_id=chat_id,
            description="Forbidden: bot was blocked by the user",
            times=None,
        )

    def clear_faults(self) -> None:
        """Answer normally again."""
        self.faults.clear()

    def hold(self, method: str = "sendMessage", *, after: int = 0) -> None:
        """Leave requests of `method` unanswered until `release()` (after letting `after` more
        through); held requests are never delivered, as if the sender died before they left."""
        self._release.clear()
        self._hold_after[method] = after
        self._held.add(method)

    @property
    def held_count(self) -> int:
        """Requests waiting unanswered right now."""
        return self._held_now

    def release(self) -> None:
        """Stop holding; requests that were held are answered 502 and not delivered."""
        self._held.clear()
        self._hold_after.clear()
        self._release.set()

    # -- HTTP handlers -----------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._error(method, {}, 401, "Unauthorized")
        params = await parse_params(request)
        self._resolve_username(params)
        if method in self._held:
            if self._hold_after.get(method, 0) > 0:
                self._hold_after[method] -= 1
            else:
                self._held_now += 1
                self._notify()
                try:
                    await self._release.wait()
                finally:
                    self._held_now -= 1
                return self._error(method, params, 502, "Bad Gateway")
        fault = self._matching_fault(method, params)
        if fault is not None and fault.status == 200:
            response = await self._carry_out(method, params)
            await asyncio.sleep(fault.delay)
            return response
        if fault is not None:
            description = fault.description or _default_description(fault.status)
            return self._error(method, params, fault.status, description, fault.retry_after)
        if (
            self.enforce_limits
            and method.startswith(_SENDING_PREFIXES)
            and method not in _NOT_MESSAGES
        ):
            paid = str(params.get("allow_paid_broadcast", "")).lower() in ("true", "1")
            retry_after = self._limits.admit(params.get("chat_id"), time.monotonic(), paid=paid)
            if retry_after:
                self.rejected_by_limits += 1
                description = f"Too Many Requests: retry after {retry_after}"
                return self._error(method, params, 429, description, retry_after)
        return await self._carry_out(method, params)

    async def _carry_out(self, method: str, params: dict[str, Any]) -> web.Response:
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return self._error(method, params, 404, "Not Found: method not found")
        try:
            if method.startswith(_POSTING_PREFIXES):
                self._check_destination(params)
            result = await handler(params)
        except TelegramHTMLError as exc:
            return self._error(method, params, 400, f"Bad Request: {exc}")
        except ApiError as exc:
            return self._error(method, params, exc.status, exc.description)
        return self._ok(method, params, result)

    def _matching_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self.faults:
            if fault.method is not None and fault.method != method:
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            if fault.after > 0:
                fault.after -= 1
                continue
            if fault.remaining is not None:
                if fault.remaining <= 0:
                    continue
                fault.remaining -= 1
            return fault
        return None

    def _ok(self, method: str, params: dict[str, Any], result: Any) -> web.Response:
        self._record(method, params, 200)
        return web.json_response({"ok": True, "result": result})

    def _error(
        self,
        method: str,
        params: dict[str, Any],
        status: int,
        description: str,
        retry_after: int | None = None,
    ) -> web.Response:
        self._record(method, params, status)
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=status)

    def _record(self, method: str, params: dict[str, Any], status: int) -> None:
        self.status_counts[status] += 1
        if self.record_calls:
            self.calls.append(ApiCall(method, params, status, time.monotonic()))
        self._notify()

    def _notify(self) -> None:
        # Wake every waiter once; each re-checks its own condition on a fresh event.
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()


def _default_description(status: int) -> str:
    return {
        400: "Bad Request: chat not found",
        403: "Forbidden: bot was blocked by the user",
        429: "Too Many Requests: retry after 1",
        500: "Internal Server Error",
        502: "Bad Gateway",
    }.get(status, f"Error {status}")


async def _serve_forever(args: argparse.Namespace) -> None:
    api = FakeBotAPI(
        args.token,
        enforce_limits=args.enforce_limits,
        port=args.port,
        record_calls=False,
        keep_messages=not args.count_only,
    )
    await api.start()
    print(api.base_url, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await api.stop()


def main() -> None:
    """Serve a FakeBotAPI until SIGINT/SIGTERM; prints its base URL on the first line."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--enforce-limits", action="store_true")
    parser.add_argument(
        "--count-only",
        action="store_true",
        help="keep no message texts and skip the markup check (long benchmarks)",
    )
    asyncio.run(_serve_forever(parser.parse_args()))


if __name__ == "__main__":
    main()
