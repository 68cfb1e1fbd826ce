"""A story whose source address holds hundreds of "&" (2,020 characters, legal): the "More"
view, answers and /feeds still reach the user (the fake Bot API checks HTML as Telegram does)."""

from __future__ import annotations

from sandbox.fake_bot_api import SentMessage
from storage.feeds import add_feed
from tests.bot.conftest import ADMIN_ID, RunningBot, add_story, add_subscribers, add_topics
from tests.bot.test_html_limits import LONG_URL

CHAT = 7101
SORRY = "Sorry, something went wrong"
TITLE = "Harbour bridge reopens after storm repairs"


async def _long_link_story(bot: RunningBot) -> int:
    await add_topics(bot.db, "Local")
    await add_subscribers(bot.db, [CHAT], topic="local")
    sources = [("Long News", LONG_URL), ("Short News", "https://short.example/bridge")]
    return await add_story(
        bot.db, "local", TITLE, ["The bridge reopened on Monday."], sources, fetched_at=bot.clock()
    )


async def _press(bot: RunningBot, chat: int, label: str) -> SentMessage:
    """Press a button; the bot's next message to the chat."""
    before = len(bot.api.messages(chat))
    bot.api.press_button(chat, label)
    return (await bot.api.wait_for_messages(chat, before + 1, within=15))[before]


async def test_the_more_view_of_a_story_with_a_long_link_arrives(bot: RunningBot) -> None:
    await _long_link_story(bot)
    (briefing,) = await bot.send(CHAT, "/briefing")
    assert TITLE in briefing.plain_text
    more = await _press(bot, CHAT, "More #1")
    assert SORRY not in more.plain_text
    assert more.plain_text.startswith(TITLE)
    assert "• Long News — " in more.plain_text  # its name stays, without the link
    assert '<a href="https://short.example/bridge">Short News</a>' in more.text


async def test_an_answer_citing_a_long_link_arrives(bot: RunningBot) -> None:
    await _long_link_story(bot)
    (answer,) = await bot.send(CHAT, "what about the harbour bridge repairs?")
    assert SORRY not in answer.plain_text
    assert answer.plain_text.startswith("🔎 what about the harbour bridge repairs?")
    assert "Long News" in answer.plain_text and len(answer.text) <= 4096


async def test_the_feed_list_with_a_long_feed_address_arrives(bot: RunningBot) -> None:
    await add_topics(bot.db, "Local")
    async with bot.db.session() as session:
        await add_feed(session, "local", LONG_URL)
    (listing,) = await bot.send(ADMIN_ID, "/feeds")
    assert SORRY not in listing.plain_text
    assert listing.plain_text.startswith("Feeds (1)")
    assert LONG_URL[:200] in listing.plain_text
