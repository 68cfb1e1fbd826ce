"""Inline buttons carry at most 64 bytes of data, as Telegram requires, whatever the topics and
stories are called; a 64-character topic name no longer breaks /start and /topics for all."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from bot.followup_views import expand_keyboard
from bot.formatting import BriefingItem, Source, briefing_header, render_briefing
from bot.views import topics_keyboard
from sandbox.fake_bot_api import FakeBotAPI
from storage.models import Topic
from storage.search import StoryHit
from storage.topics import get_topic
from tests.bot.conftest import ADMIN_ID, RunningBot

LONGEST_ID = 2**63 - 1  # the largest id a BIGINT column could hand out
NAME_64 = "International-Relations-and-Diplomacy-Weekly-Roundup-Extra-Xyzzy"  # 64 characters
CHAT = 3003


def _callback_data(markup: InlineKeyboardMarkup | None) -> list[str]:
    assert markup is not None
    return [str(b.callback_data) for row in markup.inline_keyboard for b in row]


def _fits(data: str) -> bool:
    return 1 <= len(data.encode("utf-8")) <= 64


async def test_the_fake_bot_api_refuses_button_data_over_64_bytes(api: FakeBotAPI) -> None:
    async with Bot(api.token, base_url=f"{api.base_url}/bot") as bot:
        ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="é" * 32)]])
        await bot.send_message(1, "fits", reply_markup=ok)  # 64 bytes
        too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="x" * 65)]])
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(1, "too long", reply_markup=too_long)
        (sent,) = api.messages(1)
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.edit_message_text(
                "edited", chat_id=1, message_id=sent.message_id, reply_markup=too_long
            )
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.edit_message_reply_markup(1, sent.message_id, reply_markup=too_long)
    assert api.texts(1) == ["fits"]


def test_every_button_the_bot_makes_fits_with_worst_case_inputs() -> None:
    topics = [
        Topic(id=LONGEST_ID - n, name=("x" * 64)[: 64 - n] or "x", title="É" * 200 + str(n))
        for n in range(64)
    ]
    data = _callback_data(topics_keyboard(topics, {LONGEST_ID}))
    stories = [StoryHit(LONGEST_ID - n, "t" * 300, datetime.now(UTC), 9) for n in range(50)]
    data += _callback_data(expand_keyboard(stories))
    data += _callback_data(expand_keyboard(stories, label="Related #"))
    header = briefing_header(datetime.now(UTC), "UTC", 50)
    items = [
        BriefingItem(LONGEST_ID - n, "Topic " * 20, "T", ("s.",), (Source("S", "https://s/"),), 1)
        for n in range(50)
    ]
    data += [d for part in render_briefing(header, items) for row in part.buttons for _, d in row]
    assert len(data) == 64 + 50 + 50 + 50
    assert [d for d in data if not _fits(d)] == []


async def test_a_64_character_topic_leaves_start_and_topics_working(bot: RunningBot) -> None:
    assert "Added topic" in await bot.reply_text(ADMIN_ID, f"/addtopic {NAME_64}")
    await bot.reply_text(ADMIN_ID, "/addtopic Tech")
    (welcome,) = await bot.send(CHAT, "/start")
    assert "Welcome to newsbrief" in welcome.plain_text
    assert [label for label, _ in welcome.buttons] == [
        f"➕ {NAME_64[:29]}…",
        "➕ Tech",
        "📰 Get my first briefing now",
    ]
    assert all(_fits(data) for _, data in welcome.buttons)
    (listing,) = await bot.send(CHAT, "/topics")
    assert NAME_64 in listing.plain_text
    bot.api.press_button(CHAT, "International")
    await bot.api.wait_for_calls("editMessageText")
    assert f"✅ {NAME_64}" in bot.api.messages(CHAT)[-1].plain_text
    # Keyboards sent before buttons carried ids still work; a vanished topic is said to be.
    bot.api.inject_callback(CHAT, listing.message_id, "topic:tech")
    async with bot.db.session() as session:
        tech = await get_topic(session, "tech")
    assert tech is not None
    bot.api.inject_callback(CHAT, listing.message_id, f"topic:#{tech.id + 1000}")
    bot.api.inject_callback(CHAT, listing.message_id, "topic:#not-a-number")
    await bot.api.wait_for_calls("answerCallbackQuery", 4)
    answers = [c.params.get("text") for c in bot.api.calls_to("answerCallbackQuery")]
    gone = "That topic no longer exists."
    assert answers == [f"Following {NAME_64}", "Following Tech", gone, gone]
