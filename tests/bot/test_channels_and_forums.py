"""Channels and forum topics as subscribers, through the real bot and the fake Bot API: a
channel registered and managed from an admin's private chat, the bot's removal noticed, each
topic of a forum with its own subscription, and closed or deleted topics."""

from __future__ import annotations

import itertools

from sqlalchemy import select, update

from sandbox.fake_bot_api import BOT_USER_ID, FakeBotAPI, FakeChat, SentMessage
from storage.db import Database
from storage.models import Article, Subscriber
from tests.bot.conftest import (
    FakeClock,
    RunningBot,
    add_story,
    add_topics,
    items,
    make_settings,
)

CHANNEL = -1001234567
ADMIN = 7001  # administers the channel; writes to the bot from their private chat
READER = 7002  # a reader of the channel, not an admin
FORUM = -1005550001


async def _add_world_channel(bot: RunningBot, *commands: str) -> None:
    """Daily World, where the admin and the bot administer it, added from the admin's chat
    and following World; then the admin's further `commands`."""
    bot.api.add_channel(CHANNEL, username="dailyworld", title="Daily World")
    bot.api.set_member(CHANNEL, ADMIN, "administrator")
    bot.api.set_member(CHANNEL, BOT_USER_ID, "administrator")
    for text in ("/addchannel @dailyworld", "/subscribe @dailyworld world", *commands):
        await bot.send(ADMIN, text)


async def _channel_row(bot: RunningBot) -> Subscriber | None:
    async with bot.db.session() as session:
        return await session.scalar(select(Subscriber).where(Subscriber.chat_id == CHANNEL))


async def _slot(bot: RunningBot, hour: int, minute: int) -> None:
    bot.clock.set(bot.clock().replace(hour=hour, minute=minute, second=10))
    await bot.tick_and_deliver()


async def test_a_channel_is_added_managed_and_briefed_from_a_private_chat(
    bot: RunningBot,
) -> None:
    await add_topics(bot.db, "World", "Sport")
    bot.api.add_channel(CHANNEL, username="dailyworld", title="Daily World")
    bot.api.set_member(CHANNEL, ADMIN, "administrator")

    # The bot must be an administrator allowed to post: each missing right is named.
    answer = await bot.reply_text(ADMIN, "/addchannel @dailyworld")
    assert "I am not an administrator of Daily World" in answer
    bot.api.set_member(CHANNEL, BOT_USER_ID, "administrator", {"can_post_messages": False})
    assert "may not post there" in await bot.reply_text(ADMIN, "/addchannel @dailyworld")
    assert await _channel_row(bot) is None
    # Someone who does not administer the channel cannot add it.
    bot.api.set_member(CHANNEL, BOT_USER_ID, "administrator")
    assert "Only an administrator" in await bot.reply_text(READER, "/addchannel @dailyworld")

    (added,) = await bot.send(ADMIN, "/addchannel @dailyworld")
    assert "📢 Daily World is added" in added.plain_text
    assert "/time @dailyworld 07:30" in added.plain_text
    bot.api.press_button(ADMIN, "World")  # the topic buttons are the channel's
    await bot.api.wait_for_calls("editMessageText", 1)
    assert "✅ World" in [label for label, _ in bot.api.messages(ADMIN)[-1].buttons]

    assert "Only the channel's administrators" in await bot.reply_text(
        READER, "/time @dailyworld 06:30"
    )
    assert "06:30" in await bot.reply_text(ADMIN, "/time @dailyworld 06:30")
    settings = await bot.reply_text(ADMIN, "/settings @dailyworld")
    assert "Topics: World" in settings and "Delivery times: 06:30" in settings
    # The admin's own chat is untouched: it was never registered.
    assert "not subscribed" in await bot.reply_text(ADMIN, "/settings")

    story = await add_story(
        bot.db, "world", "Harbour strike ends", ["Dockers voted."], fetched_at=bot.clock()
    )
    await add_story(bot.db, "sport", "Cup final tonight", ["x."], fetched_at=bot.clock())
    await _slot(bot, 6, 30)
    posted = bot.api.messages(CHANNEL)
    assert items(posted) == ["Harbour strike ends"]
    # "More" in a channel opens the bot's private chat on that story: a reader's tap must not
    # post an answer into the channel for everyone.
    (label, url) = posted[0].buttons[0]
    assert label == "More #1"
    assert url == f"https://t.me/{bot.api.username}?start=more_{story}"
    details = await bot.reply_text(READER, f"/start more_{story}")
    assert "Harbour strike ends" in details and "Dockers voted." in details
    assert "not subscribed" in await bot.reply_text(READER, "/settings")  # not registered by it

    assert "Daily World" in await bot.reply_text(ADMIN, "/channels")


async def test_a_channel_that_removes_the_bot_stops_until_it_is_back(bot: RunningBot) -> None:
    await add_topics(bot.db, "World")
    await _add_world_channel(bot, "/time @dailyworld 06:30")
    before = len(bot.api.messages(ADMIN))

    bot.api.inject_my_chat_member(CHANNEL, "kicked", old_status="administrator", by_user=ADMIN)
    (notice,) = (await bot.api.wait_for_messages(ADMIN, before + 1))[before:]
    assert "I was removed from Daily World" in notice.plain_text
    row = await _channel_row(bot)
    assert row is not None and row.status == "blocked"
    await add_story(bot.db, "world", "Harbour strike ends", ["x."], fetched_at=bot.clock())
    await _slot(bot, 6, 30)
    assert bot.api.messages(CHANNEL) == []  # nothing tried into a channel that removed it

    bot.api.inject_my_chat_member(CHANNEL, "administrator", old_status="kicked", by_user=ADMIN)
    await bot.api.wait_for_messages(ADMIN, before + 2)
    assert "I can post in Daily World again" in bot.api.messages(ADMIN)[-1].plain_text
    bot.clock.advance(days=1)
    await add_story(bot.db, "world", "New harbour deal", ["y."], fetched_at=bot.clock())
    await _slot(bot, 6, 30)
    assert "New harbour deal" in items(bot.api.messages(CHANNEL))


async def test_a_channel_that_takes_the_posting_right_away_is_marked_not_retried(
    bot: RunningBot,
) -> None:
    await add_topics(bot.db, "World")
    await _add_world_channel(bot, "/time @dailyworld 06:30")
    # The right goes without an update reaching the bot (it was offline): the send says so.
    bot.api.set_member(CHANNEL, BOT_USER_ID, "administrator", {"can_post_messages": False})
    await add_story(bot.db, "world", "Harbour strike ends", ["x."], fetched_at=bot.clock())
    await _slot(bot, 6, 30)
    row = await _channel_row(bot)
    assert row is not None and row.status == "blocked"
    sends = [c for c in bot.api.calls_to("sendMessage") if c.params.get("chat_id") == CHANNEL]
    assert [c.status for c in sends] == [400]  # once, not retried


async def test_start_posted_in_a_channel_registers_it(bot: RunningBot) -> None:
    bot.api.add_channel(CHANNEL, username="dailyworld", title="Daily World")
    bot.api.set_member(CHANNEL, BOT_USER_ID, "administrator")
    bot.api.inject_channel_post(CHANNEL, "/start")
    (said,) = await bot.api.wait_for_messages(CHANNEL, 1)
    assert "Briefings will be posted here" in said.plain_text
    row = await _channel_row(bot)
    assert row is not None and row.chat_type == "channel"


async def test_each_forum_topic_has_its_own_subscription(bot: RunningBot) -> None:
    await add_topics(bot.db, "World", "Sport")
    bot.api.add_chat(FakeChat(FORUM, "supergroup", is_forum=True, title="Newsroom"))
    world_desk = bot.api.create_topic(FORUM, "World desk")
    sport_desk = bot.api.create_topic(FORUM, "Sport desk")

    async def say(text: str, thread: int) -> SentMessage:
        before = len(bot.api.messages(FORUM))
        bot.api.inject_message(FORUM, text, thread_id=thread)
        return (await bot.api.wait_for_messages(FORUM, before + 1))[-1]

    welcome = await say("/start", world_desk)
    assert welcome.thread_id == world_desk  # answered in the topic it was asked in
    await say("/subscribe world", world_desk)
    await say("/time 06:30", world_desk)
    await say("/start", sport_desk)
    await say("/subscribe sport", sport_desk)
    await say("/time 06:30", sport_desk)
    async with bot.db.session() as session:
        threads = sorted(
            await session.scalars(
                select(Subscriber.thread_id).where(Subscriber.chat_id == FORUM)
            )
        )
    assert threads == sorted([world_desk, sport_desk])

    await add_story(bot.db, "world", "Summit opens", ["x."], fetched_at=bot.clock())
    await add_story(bot.db, "sport", "Cup final tonight", ["y."], fetched_at=bot.clock())
    await _slot(bot, 6, 30)
    assert items(bot.api.messages(FORUM, thread_id=world_desk)) == ["Summit opens"]
    assert items(bot.api.messages(FORUM, thread_id=sport_desk)) == ["Cup final tonight"]


async def test_a_closed_topic_misses_a_briefing_and_a_deleted_one_stops(bot: RunningBot) -> None:
    await add_topics(bot.db, "World")
    bot.api.add_chat(FakeChat(FORUM, "supergroup", is_forum=True, title="Newsroom"))
    desk = bot.api.create_topic(FORUM, "World desk")
    other = bot.api.create_topic(FORUM, "Second desk")
    for thread in (desk, other):
        for text in ("/start", "/subscribe world", "/time 06:30"):
            before = len(bot.api.messages(FORUM))
            bot.api.inject_message(FORUM, text, thread_id=thread)
            await bot.api.wait_for_messages(FORUM, before + 1)
    bot.api.close_topic(FORUM, desk)
    bot.api.delete_topic(FORUM, other)
    await add_story(bot.db, "world", "Summit opens", ["x."], fetched_at=bot.clock())
    await _slot(bot, 6, 30)
    async with bot.db.session() as session:
        rows = await session.execute(
            select(Subscriber.thread_id, Subscriber.status).where(Subscriber.chat_id == FORUM)
        )
        status = {thread: state for thread, state in rows.all()}
    assert status == {desk: "active", other: "blocked"}  # closed may reopen; deleted is gone
    bot.api.reopen_topic(FORUM, desk)
    bot.clock.advance(days=1)
    await add_story(bot.db, "world", "Summit closes", ["z."], fetched_at=bot.clock())
    await _slot(bot, 6, 30)
    # The story the closed topic missed is still fresh and comes with the next one.
    assert sorted(items(bot.api.messages(FORUM, thread_id=desk))) == [
        "Summit closes",
        "Summit opens",
    ]


async def test_a_channels_parts_keep_telegrams_group_limit(
    sqlite_db: Database, clock: FakeClock
) -> None:
    """A channel counts as a group chat: 20 messages a minute, so a briefing's parts (here a
    photo, then the other items) go at least 3 s apart, and Telegram never answers 429."""
    async with FakeBotAPI(enforce_limits=True) as api:
        settings = make_settings(api, sqlite_db.url, rate_limit_per_second=28)
        async with RunningBot(api, settings, sqlite_db, clock) as bot:
            await add_topics(bot.db, "World")
            await _add_world_channel(bot)
            await bot.send(ADMIN, "/settings @dailyworld")
            api.press_button(ADMIN, "Lead image: off")
            await api.wait_for_calls("editMessageText", 1)
            long = ["A long sentence about the harbour strike and what it means. " * 8]
            story = await add_story(bot.db, "world", "Harbour strike", long, fetched_at=clock())
            async with bot.db.session() as session:
                await session.execute(
                    update(Article)
                    .where(Article.story_id == story)
                    .values(image_url="https://img.example/strike.jpg")
                )
            for n in range(8):
                await add_story(bot.db, "world", f"Story {n}", long, fetched_at=clock())
            await bot.send(ADMIN, "/briefing @dailyworld")
            await bot.services.worker.run_until_idle()
            posted = api.messages(CHANNEL)
            assert [m.kind for m in posted] == ["photo", "text"]
            gaps = [b.at - a.at for a, b in itertools.pairwise(posted)]
            assert min(gaps) >= 2.9, gaps
            assert api.rejected_by_limits == 0


async def test_a_channels_and_a_topics_briefings_resume_after_a_restart_without_repeats(
    api: FakeBotAPI, sqlite_db: Database, clock: FakeClock
) -> None:
    """The bot stops while the second part of each briefing is on its way (never delivered);
    restarted, it sends the rest: every part once, in its channel or topic."""
    settings = make_settings(api, sqlite_db.url)
    async with RunningBot(api, settings, sqlite_db, clock) as bot:
        await add_topics(bot.db, "World")
        await _add_world_channel(bot)
        api.add_chat(FakeChat(FORUM, "supergroup", is_forum=True, title="Newsroom"))
        desk = api.create_topic(FORUM, "World desk")
        for text in ("/start", "/subscribe world"):
            before = len(api.messages(FORUM))
            api.inject_message(FORUM, text, thread_id=desk)
            await api.wait_for_messages(FORUM, before + 1)
        long = ["A long sentence about the harbour strike and what it means. " * 12]
        for n in range(8):
            await add_story(bot.db, "world", f"Story {n}", long, fetched_at=clock())
        in_topic = len(api.messages(FORUM, thread_id=desk))
        api.hold("sendMessage", after=2)  # two sends go through, the rest are held
        await bot.send(ADMIN, "/briefing @dailyworld")  # its answer is the first of the two
        api.inject_message(FORUM, "/briefing", thread_id=desk)
        await api.wait_for_held(2)
    api.release()  # the bot is gone: what was held was never delivered
    assert len(api.messages(CHANNEL)) + len(api.messages(FORUM, thread_id=desk)) - in_topic == 1
    async with RunningBot(api, settings, sqlite_db, clock) as bot:
        await bot.services.worker.run_until_idle()
    for posted in (api.messages(CHANNEL), api.messages(FORUM, thread_id=desk)[in_topic:]):
        texts = [m.text for m in posted]
        assert len(texts) == 2 and len(set(texts)) == 2  # both parts, each once
        assert sorted(items(posted)) == sorted(f"Story {n}" for n in range(8))


async def test_a_channel_is_added_by_forwarding_one_of_its_posts(bot: RunningBot) -> None:
    bot.api.add_channel(CHANNEL, title="Private Wire")  # no @username: a private channel
    bot.api.set_member(CHANNEL, ADMIN, "administrator")
    bot.api.set_member(CHANNEL, BOT_USER_ID, "administrator")
    before = len(bot.api.messages(ADMIN))
    bot.api.inject_forwarded_from_channel(ADMIN, CHANNEL, "Our morning post", user_id=ADMIN)
    (answer,) = (await bot.api.wait_for_messages(ADMIN, before + 1))[before:]
    assert "📢 Private Wire is added" in answer.plain_text
    assert f"/time {CHANNEL} 07:30" in answer.plain_text  # named by its id
    row = await _channel_row(bot)
    assert row is not None and row.managed_by == ADMIN
