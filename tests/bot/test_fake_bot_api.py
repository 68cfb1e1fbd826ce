"""The fake Bot API server behaves like Telegram where the bot can tell the difference."""

from __future__ import annotations

import asyncio
import itertools
import time

import httpx
import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter, ExtBot

from bot.ratelimit import TelegramRateLimiter
from sandbox.fake_bot_api import FakeBotAPI


def client(api: FakeBotAPI, token: str | None = None) -> Bot:
    return Bot(token or api.token, base_url=f"{api.base_url}/bot")


async def test_records_calls_and_what_each_chat_received(api: FakeBotAPI) -> None:
    async with client(api) as bot:
        assert bot.username == api.username
        first = await bot.send_message(5, "<b>bold</b> &amp; plain", parse_mode="HTML")
        second = await bot.send_message(5, "second")
        await bot.send_message(6, "other chat")
    assert second.message_id > first.message_id
    assert api.texts(5) == ["<b>bold</b> &amp; plain", "second"]
    assert api.messages(5)[0].plain_text == "bold & plain"
    assert [c.method for c in api.calls] == ["getMe", "sendMessage", "sendMessage", "sendMessage"]
    assert api.calls[1].params["chat_id"] == 5


async def test_accepts_json_requests_too(api: FakeBotAPI) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{api.base_url}/bot{api.token}/sendMessage", json={"chat_id": 9, "text": "json"}
        )
    assert response.json()["result"]["text"] == "json"
    assert api.texts(9) == ["json"]


async def test_refuses_what_telegram_refuses(api: FakeBotAPI) -> None:
    async with client(api) as bot:
        with pytest.raises(BadRequest, match="unclosed tag"):
            await bot.send_message(5, "<b>open", parse_mode="HTML")
        with pytest.raises(BadRequest, match="unsupported start tag"):
            await bot.send_message(5, "<div>x</div>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="unescaped"):
            await bot.send_message(5, "a < b", parse_mode="HTML")
        with pytest.raises(BadRequest, match="too long"):
            await bot.send_message(5, "x" * 4097)
        await bot.send_message(5, "x" * 4096)
    with pytest.raises(InvalidToken):
        async with client(api, "999:WRONG") as wrong:
            await wrong.get_me()


async def test_get_updates_honours_offset_and_wakes_the_long_poll(api: FakeBotAPI) -> None:
    async with client(api) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=0.3) == ()
        assert time.monotonic() - started >= 0.3
        asyncio.get_running_loop().call_later(0.2, api.inject_message, 5, "/start")
        started = time.monotonic()
        (update,) = await bot.get_updates(timeout=10)
        assert time.monotonic() - started < 2
        assert update.message.text == "/start"
        assert update.message.entities[0].type == "bot_command"
        assert (await bot.get_updates(timeout=0))[0].update_id == update.update_id
        assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()


async def test_button_presses_arrive_as_callback_queries(api: FakeBotAPI) -> None:
    async with client(api) as bot:
        from telegram import InlineKeyboardButton, InlineKeyboardMarkup

        markup = InlineKeyboardMarkup([[InlineKeyboardButton("More #1", callback_data="more:7")]])
        sent = await bot.send_message(5, "item", reply_markup=markup)
        api.press_button(5, "More")
        (update,) = await bot.get_updates(timeout=1)
    assert update.callback_query.data == "more:7"
    assert update.callback_query.message.message_id == sent.message_id


async def test_planned_failures(api: FakeBotAPI) -> None:
    api.fail(429, retry_after=3)
    api.block_chat(6)
    api.fail(500, chat_id=7, times=2, after=1)
    async with client(api) as bot:
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(5, "x")
        assert flood.value._retry_after.total_seconds() == 3
        await bot.send_message(5, "x")  # once only
        for _ in range(2):
            with pytest.raises(Forbidden, match="blocked"):
                await bot.send_message(6, "x")
        await bot.send_message(7, "let through")
        for _ in range(2):
            with pytest.raises(NetworkError):
                await bot.send_message(7, "x")
        await bot.send_message(7, "recovered")
    assert api.texts(7) == ["let through", "recovered"]


async def test_held_requests_are_never_delivered(api: FakeBotAPI) -> None:
    api.hold("sendMessage", after=1)
    async with client(api) as bot:
        await bot.send_message(5, "goes through")
        pending = asyncio.create_task(bot.send_message(5, "held"))
        await api.wait_for_held(1)
        api.release()
        with pytest.raises(NetworkError):
            await pending
    assert api.texts(5) == ["goes through"]


async def test_stats_endpoint_for_a_server_in_another_process(api: FakeBotAPI) -> None:
    async with client(api) as bot:
        await bot.send_message(5, "one")
    async with httpx.AsyncClient() as http:
        stats = (await http.get(f"{api.base_url}/_fake/stats")).json()
        assert stats["messages"] == 1
        assert stats["status_counts"] == {"200": 2}
        await http.post(f"{api.base_url}/_fake/reset")
        assert (await http.get(f"{api.base_url}/_fake/stats")).json()["messages"] == 0


async def test_enforced_limits_catch_a_bursting_client() -> None:
    """Stock AIORateLimiter lets 30 go at once, then 30/s: a strict server counts 31+ a second."""
    async with FakeBotAPI(enforce_limits=True) as api:
        bot = ExtBot(api.token, base_url=f"{api.base_url}/bot", rate_limiter=AIORateLimiter())
        async with bot:
            results = await asyncio.gather(
                *(bot.send_message(chat, "x") for chat in range(1, 41)), return_exceptions=True
            )
        assert any(isinstance(r, RetryAfter) for r in results)
        assert api.rejected_by_limits > 0


async def test_our_rate_limiter_never_trips_the_limits() -> None:
    async with FakeBotAPI(enforce_limits=True) as api:
        # A little under the default 29/s: arrival jitter on a loaded test machine is larger.
        limiter = TelegramRateLimiter(per_second=27)
        bot = ExtBot(api.token, base_url=f"{api.base_url}/bot", rate_limiter=limiter)
        async with bot:
            started = time.monotonic()
            await asyncio.gather(
                *(bot.send_message(chat, "x") for chat in range(1, 41)),
                *(bot.send_message(99, f"same chat {n}") for n in range(3)),
            )
            elapsed = time.monotonic() - started
    assert api.rejected_by_limits == 0
    assert api.message_count == 43
    assert elapsed >= 42 / 27 - 0.1  # smooth, not a burst
    same_chat = [m.at for m in api.messages(99)]
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(same_chat))
