"""Admins name topics as people write them, and removing one asks first and tells its
followers."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from storage.feeds import add_feed, list_feeds
from storage.models import Topic
from storage.topics import get_topic
from tests.bot.conftest import ADMIN_ID, RunningBot, add_subscribers, add_topics

USER = 2002


async def topics_in(bot: RunningBot) -> list[tuple[str, str, str]]:
    async with bot.db.session() as session:
        rows = await session.scalars(select(Topic).order_by(Topic.id))
        return [(t.name, t.title, t.keywords) for t in rows]


async def test_addtopic_takes_names_of_several_words_in_quotes(bot: RunningBot) -> None:
    answer = await bot.reply_text(ADMIN_ID, '/addtopic "World News" ukraine -football')
    assert answer == (
        "Added topic World News with keywords: ukraine -football.\n"
        "Add feeds with /addfeed World News <url>."
    )
    # Phones type curly quotes; German and French keyboards their own.
    answer = await bot.reply_text(ADMIN_ID, "/addtopic “Science & Health” vaccine")
    assert answer.startswith("Added topic Science & Health with keywords: vaccine.")
    assert (await bot.reply_text(ADMIN_ID, "/addtopic „Kultur und Medien“")).startswith(
        "Added topic Kultur und Medien."
    )
    assert (await bot.reply_text(ADMIN_ID, "/addtopic «Vie   locale» ")).startswith(
        "Added topic Vie locale."
    )
    assert await topics_in(bot) == [
        ("world-news", "World News", "ukraine -football"),
        ("science-health", "Science & Health", "vaccine"),
        ("kultur-und-medien", "Kultur und Medien", ""),
        ("vie-locale", "Vie locale", ""),
    ]


async def test_addtopic_without_quotes_does_not_misread_a_name(bot: RunningBot) -> None:
    answer = await bot.reply_text(ADMIN_ID, "/addtopic Science & Health medicine")
    assert answer == (
        "Is “Science & Health” one name? A name of several words goes in double quotes: "
        '/addtopic "Science & Health" [keywords…]'
    )
    assert "closing quote is missing" in await bot.reply_text(
        ADMIN_ID, '/addtopic "World News ukraine'
    )
    usage = await bot.reply_text(ADMIN_ID, "/addtopic")
    assert usage.startswith("Usage: /addtopic <name> [keywords…]")
    assert 'A name of several words goes in double quotes: /addtopic "World News"' in usage
    assert await topics_in(bot) == []


async def test_a_unicode_name_keeps_its_letters_and_is_found_in_any_case(
    bot: RunningBot,
) -> None:
    assert (await bot.reply_text(ADMIN_ID, "/addtopic Économie inflation")).startswith(
        "Added topic Économie with keywords: inflation."
    )
    await bot.reply_text(ADMIN_ID, "/addtopic Здоровье")
    assert await topics_in(bot) == [
        ("économie", "Économie", "inflation"),
        ("здоровье", "Здоровье", ""),
    ]
    assert "already exists" in await bot.reply_text(ADMIN_ID, "/addtopic ÉCONOMIE")
    # By title or slug, any case, with or without quotes: the answer names it by its title.
    for name in ("économie", "ÉCONOMIE", '"Économie"', "здоровье"):
        (question,) = await bot.send(ADMIN_ID, f"/deltopic {name}")
        assert question.plain_text.startswith("Remove the topic ")
    assert "Remove the topic Здоровье?" in bot.api.messages(ADMIN_ID)[-1].plain_text


async def test_topics_made_before_unicode_slugs_are_still_found(bot: RunningBot) -> None:
    async with bot.db.session() as session:  # as the old rule stored "Économie"
        session.add(Topic(name="conomie", title="Économie", keywords="", created_at=bot.clock()))
    (question,) = await bot.send(ADMIN_ID, "/deltopic économie")
    assert question.plain_text.startswith("Remove the topic Économie?")


async def test_deltopic_asks_first_then_tells_each_follower(bot: RunningBot) -> None:
    await add_topics(bot.db, "World News", "Tech")
    async with bot.db.session() as session:
        await add_feed(session, "world news", "https://a.example/rss")
        await add_feed(session, "world-news", "https://b.example/rss")
        await add_feed(session, "tech", "https://c.example/rss")
    await add_subscribers(bot.db, [11], topic="World News")
    await add_subscribers(bot.db, [12, 13], topic="World News")
    await add_subscribers(bot.db, [12, 13, 14], topic="Tech")

    (question,) = await bot.send(ADMIN_ID, "/deltopic WORLD NEWS")
    assert question.plain_text == (
        "Remove the topic World News?\n"
        "Its 2 feeds go with it (their articles stay); 3 subscribers follow it: they stop "
        "getting its news and each is told, with a pointer to /topics."
    )
    assert [label for label, _ in question.buttons] == ["🗑 Remove World News", "Keep it"]
    async with bot.db.session() as session:
        assert await get_topic(session, "world news") is not None  # nothing happened yet

    bot.api.press_button(ADMIN_ID, "Keep it")
    await bot.api.wait_for_calls("editMessageText")
    assert bot.api.messages(ADMIN_ID)[-1].plain_text == (
        "Kept the topic World News; nothing was removed."
    )
    assert bot.api.messages(ADMIN_ID)[-1].buttons == []

    (question,) = await bot.send(ADMIN_ID, "/deltopic world news")
    remove_data = question.buttons[0][1]
    bot.api.press_button(ADMIN_ID, "Remove World News")
    await bot.api.wait_for_calls("editMessageText", 2)
    done = bot.api.messages(ADMIN_ID)[-1]
    assert done.message_id == question.message_id
    assert (
        done.plain_text
        == "🗑 Removed the topic World News with 2 feeds; 3 subscribers will be told."
    )
    async with bot.db.session() as session:
        assert await get_topic(session, "world news") is None
        assert [f.url for f in await list_feeds(session)] == ["https://c.example/rss"]

    await bot.services.worker.run_until_idle()
    (alone,) = await bot.api.wait_for_messages(11, 1)
    assert alone.plain_text == (
        "ℹ️ The topic World News was removed, so your briefings no longer include it. "
        "You follow no topics now: pick some with /topics to keep getting briefings."
    )
    for chat in (12, 13):
        (notice,) = await bot.api.wait_for_messages(chat, 1)
        assert notice.plain_text.endswith(
            "Your other topics stay; /topics shows them and others to pick."
        )
    assert bot.api.messages(14) == []  # followed only Tech

    # The same button pressed again (a second tap, another admin) removes nothing more.
    bot.api.inject_callback(ADMIN_ID, question.message_id, remove_data)
    await bot.api.wait_for_calls("answerCallbackQuery", 3)
    assert [c.params.get("text") for c in bot.api.calls_to("answerCallbackQuery")][-1] == (
        "That topic no longer exists."
    )


async def test_only_admins_can_press_the_admins_buttons(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    await add_topics(bot.db, "Tech")
    (question,) = await bot.send(ADMIN_ID, "/deltopic tech")
    data = question.buttons[0][1]
    with caplog.at_level(logging.WARNING, logger="bot.handlers.admin"):
        bot.api.inject_callback(ADMIN_ID, question.message_id, data, user_id=USER)
        await bot.api.wait_for_calls("answerCallbackQuery")
    (answer,) = bot.api.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "Sorry, that is not allowed: these buttons are for admins only."
    assert f"refused the button '{data}' from user {USER}" in caplog.text
    async with bot.db.session() as session:
        assert await get_topic(session, "tech") is not None


async def test_two_topics_removed_at_once_each_tell_their_followers(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech", "Science")
    await add_subscribers(bot.db, [21], topic="Tech")
    await add_subscribers(bot.db, [21], topic="Science")
    for name in ("Tech", "Science"):  # the same clock reading for both
        await bot.send(ADMIN_ID, f"/deltopic {name}")
        edits = len(bot.api.calls_to("editMessageText"))
        bot.api.press_button(ADMIN_ID, f"Remove {name}")
        await bot.api.wait_for_calls("editMessageText", edits + 1)
    await bot.services.worker.run_until_idle()
    notices = sorted(m.plain_text for m in await bot.api.wait_for_messages(21, 2))
    assert [n.split(" was removed")[0] for n in notices] == [
        "ℹ️ The topic Science",
        "ℹ️ The topic Tech",
    ]
    # Tech went first: Science was still followed then; Science left none.
    assert notices[1].endswith("Your other topics stay; /topics shows them and others to pick.")
    assert notices[0].endswith(
        "You follow no topics now: pick some with /topics to keep getting briefings."
    )
