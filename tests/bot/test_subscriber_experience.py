"""What a subscriber meets: timezones as typed, topics and small talk, buttons, coming back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.models import Subscriber
from storage.subscribers import get_subscriber, set_status
from tests.bot.conftest import RunningBot, add_story, add_subscribers, add_topics

CHAT = 5151


async def _start(bot: RunningBot, chat: int = CHAT) -> None:
    await bot.send(chat, "/start")


async def test_timezones_as_people_type_them(bot: RunningBot) -> None:
    await _start(bot)
    answer = await bot.reply_text(CHAT, "/timezone GMT+3")
    assert answer.startswith("Timezone set to UTC+03:00")
    assert "it is 09:00 there" in answer  # 06:00 UTC, three hours ahead: the sign people mean
    assert (await bot.reply_text(CHAT, "/timezone Berlin")).startswith(
        "Timezone set to Europe/Berlin"
    )
    assert (await bot.reply_text(CHAT, "/timezone new york")).startswith(
        "Timezone set to America/New_York"
    )
    assert (await bot.reply_text(CHAT, "/timezone CET")).startswith("Timezone set to CET")
    (choice,) = await bot.send(CHAT, "/timezone IST")
    assert "several timezones" in choice.plain_text
    labels = [label for label, _ in choice.buttons]
    assert "Asia/Kolkata" in labels and "Europe/Dublin" in labels
    before = len(bot.api.messages(CHAT))
    bot.api.press_button(CHAT, "Asia/Kolkata")
    (done,) = (await bot.api.wait_for_messages(CHAT, before + 1))[before:]
    assert done.plain_text.startswith("Timezone set to Asia/Kolkata")
    async with bot.db.session() as session:
        subscriber = await get_subscriber(session, CHAT)
    assert subscriber is not None and subscriber.timezone == "Asia/Kolkata"
    (typo,) = await bot.send(CHAT, "/timezone Berln")
    assert "Did you mean" in typo.plain_text
    assert [label for label, _ in typo.buttons] == ["Europe/Berlin"]


async def test_times_in_every_usual_form(bot: RunningBot) -> None:
    await _start(bot)
    answer = await bot.reply_text(CHAT, "/time 7pm, 07:30")
    assert answer.startswith("Briefings at 07:30 and 19:00 (UTC)")
    answer = await bot.reply_text(CHAT, "/time 7.30")
    assert answer.startswith("Briefings at 07:30 (UTC)")


async def test_no_briefing_is_promised_to_a_chat_that_follows_nothing(bot: RunningBot) -> None:
    await add_topics(bot.db, "World")
    (welcome,) = await bot.send(CHAT, "/start")
    assert "Next briefing: none until you follow a topic (/topics)" in welcome.plain_text
    assert "none until you follow a topic" in await bot.reply_text(CHAT, "/time 08:00")
    await bot.send(CHAT, "/subscribe world")
    assert "Next: Mon 08:00 (UTC)" in await bot.reply_text(CHAT, "/time 08:00")


async def test_tapping_a_topic_keeps_the_welcome_and_a_first_briefing_is_one_tap(
    bot: RunningBot,
) -> None:
    await add_topics(bot.db, "World", "Tech")
    await add_story(bot.db, "world", "Harbour reopens", ["It reopened."], fetched_at=bot.clock())
    (welcome,) = await bot.send(CHAT, "/start")
    assert "📰 Get my first briefing now" in [label for label, _ in welcome.buttons]
    bot.api.press_button(CHAT, "World")
    await bot.api.wait_for_calls("editMessageText")
    (edited,) = bot.api.messages(CHAT)
    assert edited.plain_text.startswith("👋 Welcome to newsbrief!")  # the welcome stays
    assert "✅ World" in edited.plain_text
    assert "Next briefing: Mon 08:00 (UTC)" in edited.plain_text  # brought up to date
    bot.api.press_button(CHAT, "Get my first briefing now")
    (briefing,) = (await bot.api.wait_for_messages(CHAT, 2, within=15))[1:]
    assert "1. Harbour reopens" in briefing.plain_text


async def test_more_with_a_topic_name_gives_that_topics_latest_stories(bot: RunningBot) -> None:
    await add_topics(bot.db, "World")
    await _start(bot)
    await add_story(bot.db, "world", "Ceasefire holds", ["x."], fetched_at=bot.clock())
    later = bot.clock() + timedelta(hours=1)
    await add_story(bot.db, "world", "Talks resume", ["y."], fetched_at=later)
    (answer,) = await bot.send(CHAT, "/more world")
    lines = answer.plain_text.splitlines()
    assert lines[0] == "📰 Latest in World"
    assert lines[2].startswith("1. Talks resume") and lines[3].startswith("2. Ceasefire holds")
    assert [label for label, _ in answer.buttons] == ["#1", "#2"]


async def test_small_talk_gets_help_not_news(bot: RunningBot) -> None:
    await add_topics(bot.db, "World")
    await add_story(
        bot.db, "world", "Hi-tech harbour opens", ["The hi-tech harbour opened."],
        fetched_at=bot.clock(),
    )  # fmt: skip
    await _start(bot)
    for text in ("hi", "thanks!", "ok", "👍"):
        answer = await bot.reply_text(CHAT, text)
        assert answer.startswith("🙂 Ask me about the news"), (text, answer)
        assert "harbour" not in answer.lower()


async def test_every_button_press_is_answered(bot: RunningBot) -> None:
    await _start(bot)
    (welcome,) = bot.api.messages(CHAT)
    bot.api.inject_callback(CHAT, welcome.message_id, "forged:123")
    await bot.api.wait_for_calls("answerCallbackQuery")
    (answered,) = bot.api.calls_to("answerCallbackQuery")
    assert "out of date" in answered.params["text"]


async def test_a_chat_that_blocked_the_bot_is_active_again_on_any_message(
    bot: RunningBot,
) -> None:
    await add_topics(bot.db, "World")
    await add_subscribers(bot.db, [CHAT], topic="world")
    async with bot.db.session() as session:
        subscriber = await get_subscriber(session, CHAT)
        assert subscriber is not None
        await set_status(session, subscriber.id, "blocked")
    await bot.send(CHAT, "what is new?")
    async with bot.db.session() as session:
        subscriber = await get_subscriber(session, CHAT)
    assert subscriber is not None and subscriber.status == "active"


async def test_after_stop_only_start_brings_a_chat_back(bot: RunningBot) -> None:
    await add_topics(bot.db, "World")
    await _start(bot)
    await bot.send(CHAT, "/subscribe world")
    assert "Nothing more comes until you send /start" in await bot.reply_text(CHAT, "/stop")
    for command in ("/briefing", "/time 07:00", "/timezone Berlin", "/subscribe world"):
        answer = await bot.reply_text(CHAT, command)
        assert answer == "This chat is not subscribed. Send /start to begin.", command
    async with bot.db.session() as session:
        found = await session.scalar(select(Subscriber).where(Subscriber.chat_id == CHAT))
    assert found is None  # nothing was registered behind the user's back
    (welcome,) = await bot.send(CHAT, "/start")
    assert welcome.plain_text.startswith("👋 Welcome to newsbrief!")


GROUP = -100_500
ADMIN_USER, MEMBER_USER = 601, 602


async def test_only_a_groups_admins_change_its_briefings(bot: RunningBot) -> None:
    await add_topics(bot.db, "World")
    bot.api.set_member(GROUP, ADMIN_USER, "administrator")
    bot.api.set_member(GROUP, MEMBER_USER, "member")
    refused = await bot.reply_text(GROUP, "/start", user_id=MEMBER_USER)
    assert refused == "Only this group's admins can change its briefings."
    (welcome,) = await bot.send(GROUP, "/start", user_id=ADMIN_USER)
    assert welcome.plain_text.startswith("👋 Welcome to newsbrief!")
    for command in ("/subscribe world", "/time 09:00", "/timezone Berlin", "/pause", "/stop"):
        answer = await bot.reply_text(GROUP, command, user_id=MEMBER_USER)
        assert answer == "Only this group's admins can change its briefings.", command
    # An anonymous admin writes as the group itself.
    answer = await bot.reply_text(GROUP, "/subscribe world", user_id=None, sender_chat=GROUP)
    assert answer == "✅ Following World."
    # Members may still look and ask.
    assert (await bot.reply_text(GROUP, "/settings", user_id=MEMBER_USER)).startswith(
        "Your settings"
    )


async def test_a_reply_to_the_bots_briefing_in_a_group_is_answered(bot: RunningBot) -> None:
    await add_topics(bot.db, "World")
    await add_subscribers(bot.db, [GROUP], topic="world")
    bot.api.set_member(GROUP, ADMIN_USER, "administrator")
    await add_story(
        bot.db, "world", "Harbour strike ends", ["Dock workers returned on Monday."],
        fetched_at=bot.clock(),
    )  # fmt: skip
    await add_story(
        bot.db, "world", "Bridge repairs begin", ["Crews closed the north lane."],
        fetched_at=bot.clock(),
    )  # fmt: skip
    (briefing,) = await bot.send(GROUP, "/briefing", user_id=ADMIN_USER)
    # "tell me more" about a briefing of two stories: which one?
    answer = await bot.send(
        GROUP, "tell me more", user_id=MEMBER_USER, reply_to_message_id=briefing.message_id
    )
    assert answer[0].plain_text.startswith("Which story")
    assert [label for label, _ in answer[0].buttons] == ["More #1", "More #2"]
    # Quoting the second story's line answers about that one.
    (more,) = await bot.send(
        GROUP,
        "tell me more",
        user_id=MEMBER_USER,
        reply_to_message_id=briefing.message_id,
        quote="Bridge repairs begin",
    )
    assert more.plain_text.startswith("Bridge repairs begin")
    # Chatter that is not a reply to the bot gets nothing.
    before = len(bot.api.messages(GROUP))
    bot.api.inject_message(GROUP, "what a day", user_id=MEMBER_USER)
    await bot.reply_text(GROUP, "/help", user_id=MEMBER_USER)
    assert len(bot.api.messages(GROUP)) == before + 1
