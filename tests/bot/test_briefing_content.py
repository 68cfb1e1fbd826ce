"""What a briefing shows: nothing dropped for good, nothing stale, fair shares, and what counts
as shown is what was delivered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from storage.models import Article, Story
from tests.bot.conftest import (
    RunningBot,
    add_source,
    add_story,
    add_subscribers,
    add_topics,
    briefing,
    items,
)

CHAT = 4242


async def test_a_second_briefing_shows_what_the_first_had_to_leave_out(bot: RunningBot) -> None:
    await add_topics(bot.db, "World", "Business", "Tech")
    await add_subscribers(bot.db, [CHAT], topic="world")
    for topic in ("business", "tech"):
        await bot.send(CHAT, f"/subscribe {topic}")
    now = bot.clock()
    for n in range(12):  # World is busy and its stories have many sources ...
        sources = [(f"Wire {k}", f"https://wire{k}.example/w{n}") for k in range(4)]
        await add_story(bot.db, "world", f"World story {n}", ["w."], sources, fetched_at=now)
    for n in range(4):  # ... Business and Tech less so: they must still get their share.
        await add_story(bot.db, "business", f"Business story {n}", ["b."], fetched_at=now)
        await add_story(bot.db, "tech", f"Tech story {n}", ["t."], fetched_at=now)

    first = await briefing(bot, CHAT)
    shown = items(first)
    assert len(shown) == 8  # BRIEFING_MAX_ITEMS
    assert sum(t.startswith("Tech") for t in shown) >= 2
    assert sum(t.startswith("Business") for t in shown) >= 2
    assert "➕ 12 more stories: /briefing" in first[-1].plain_text

    second = await briefing(bot, CHAT)
    again = items(second)
    assert len(again) == 8 and not set(again) & set(shown)
    assert "➕ 4 more stories: /briefing" in second[-1].plain_text
    third = await briefing(bot, CHAT)
    assert len(items(third)) == 4
    assert len(set(shown) | set(again) | set(items(third))) == 20  # all, each once
    assert "more stories" not in third[-1].plain_text
    nothing = await briefing(bot, CHAT)
    assert nothing[-1].plain_text.startswith("Nothing new since your last briefing")


async def test_old_news_is_never_briefed_and_items_say_how_old_they_are(bot: RunningBot) -> None:
    await add_topics(bot.db, "World")
    await add_subscribers(bot.db, [CHAT], topic="world")
    now = bot.clock()
    await add_story(
        bot.db,
        "world",
        "Archive piece from 2019",
        ["Old."],
        fetched_at=now,
        published_at=datetime(2019, 3, 4, 9, 0, tzinfo=UTC),
    )
    await add_story(
        bot.db,
        "world",
        "Fresh report",
        ["New."],
        fetched_at=now,
        published_at=now - timedelta(hours=3),
    )
    await add_story(  # a feed clock running ahead never makes an item newer than its fetch
        bot.db,
        "world",
        "From the future",
        ["Soon."],
        fetched_at=now - timedelta(hours=5),
        published_at=now + timedelta(days=2),
    )
    messages = await briefing(bot, CHAT)
    assert items(messages) == ["Fresh report", "From the future"]
    text = "\n".join(m.plain_text for m in messages)
    assert "Archive piece" not in text
    assert "— 3 h ago" in text and "— 5 h ago" in text
    # Two days later the same stories have aged out by their own time.
    bot.clock.advance(hours=50)
    await add_story(bot.db, "world", "Later report", ["Later."], fetched_at=bot.clock())
    assert items(await briefing(bot, CHAT)) == ["Later report"]


async def test_stories_of_a_briefing_telegram_refused_are_not_counted_as_read(
    bot: RunningBot,
) -> None:
    await add_topics(bot.db, "World")
    await add_subscribers(bot.db, [CHAT], topic="world")
    await add_story(bot.db, "world", "Ceasefire talks", ["x."], fetched_at=bot.clock())
    bot.api.block_chat(CHAT)
    bot.clock.set(bot.clock().replace(hour=8, minute=0, second=10))
    await bot.tick_and_deliver()
    assert bot.api.messages(CHAT) == []
    bot.api.clear_faults()
    await bot.send(CHAT, "/start")  # the user comes back
    messages = await briefing(bot, CHAT)
    assert items(messages) == ["Ceasefire talks"]  # new to them, not an "Update"
    assert "Update" not in "\n".join(m.plain_text for m in messages)


async def test_only_an_independent_report_makes_an_update(bot: RunningBot) -> None:
    await add_topics(bot.db, "World")
    await add_subscribers(bot.db, [CHAT], topic="world")
    story = await add_story(
        bot.db,
        "world",
        "Harbour deal",
        ["x."],
        [("Gazette", "https://g.example/1")],
        fetched_at=bot.clock(),
    )
    assert items(await briefing(bot, CHAT)) == ["Harbour deal"]
    async with bot.db.session() as session:
        (first,) = (
            await session.scalars(select(Article.id).where(Article.story_id == story))
        ).all()
    # An edited copy from another outlet, and another feed linking the very same article: two
    # more sources, no news. One rule for both: neither shows the story again.
    bot.clock.advance(minutes=30)
    await add_source(
        bot.db,
        story,
        "world",
        "Herald",
        "https://h.example/1",
        fetched_at=bot.clock(),
        copy_of=first,
    )
    async with bot.db.session() as session:
        await session.execute(
            update(Story).where(Story.id == story).values(source_count=Story.source_count + 1)
        )
    nothing = await briefing(bot, CHAT)
    assert nothing[-1].plain_text.startswith("Nothing new")
    # An independent report of the same event is news: the story comes back as an update.
    bot.clock.advance(minutes=30)
    await add_source(bot.db, story, "world", "Wire", "https://w.example/1", fetched_at=bot.clock())
    again = await briefing(bot, CHAT)
    assert items(again) == ["Harbour deal"]
    text = "\n".join(m.plain_text for m in again)
    assert "🔄 Update: 1. Harbour deal" in text and "4 sources" in text
