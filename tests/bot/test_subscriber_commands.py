"""Subscriber commands through the fake Bot API server and the real PTB client."""

from __future__ import annotations

from bot.handlers import ADMIN_HANDLERS, SUBSCRIBER_HANDLERS
from storage.subscribers import get_subscriber, subscriber_view
from tests.bot.conftest import RunningBot, add_topics

CHAT = 1001


async def test_start_registers_the_chat_and_shows_topic_buttons(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech", "World News")
    (welcome,) = await bot.send(CHAT, "/start")
    assert "Welcome to newsbrief" in welcome.plain_text
    # Nothing comes before a topic is followed, and the welcome says so.
    assert "Next briefing: none until you follow a topic (/topics)" in welcome.plain_text
    labels = [label for label, _ in welcome.buttons]
    assert labels == ["➕ Tech", "➕ World News", "📰 Get my first briefing now"]
    assert all(data.startswith("topic:#") for _, data in welcome.buttons[:2])  # ids, not names
    async with bot.db.session() as session:
        subscriber = await get_subscriber(session, CHAT)
    assert subscriber is not None and subscriber.status == "active"
    assert "Welcome back" in await bot.reply_text(CHAT, "/start")


async def test_topic_buttons_toggle_and_redraw(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech")
    await bot.send(CHAT, "/start")
    bot.api.press_button(CHAT, "Tech")
    await bot.api.wait_for_calls("editMessageText")
    message = bot.api.messages(CHAT)[-1]
    assert [label for label, _ in message.buttons] == ["✅ Tech", "📰 Get my first briefing now"]
    assert "✅ Tech" in message.plain_text
    bot.api.press_button(CHAT, "Tech")
    await bot.api.wait_for_calls("editMessageText", 2)
    labels = [label for label, _ in bot.api.messages(CHAT)[-1].buttons]
    assert labels == ["➕ Tech", "📰 Get my first briefing now"]
    answers = [c.params.get("text") for c in bot.api.calls_to("answerCallbackQuery")]
    assert answers == ["Following Tech", "Stopped following Tech"]


async def test_topics_lists_what_the_chat_follows(bot: RunningBot) -> None:
    assert "not subscribed. Send /start" in await bot.reply_text(CHAT, "/topics")
    await bot.send(CHAT, "/start")
    assert "no topics yet" in await bot.reply_text(CHAT, "/topics")
    await add_topics(bot.db, "Tech", "Science")
    await bot.send(CHAT, "/subscribe science")
    (listing,) = await bot.send(CHAT, "/topics")
    assert "✅ Science (science)" in listing.plain_text
    assert "▫️ Tech (tech)" in listing.plain_text


async def test_subscribe_and_unsubscribe(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech", "Science")
    await bot.send(CHAT, "/start")
    assert await bot.reply_text(CHAT, "/subscribe tech Science") == (
        "✅ Following Tech.\n✅ Following Science."
    )
    assert await bot.reply_text(CHAT, "/subscribe TECH") == "You already follow Tech."
    assert await bot.reply_text(CHAT, "/unsubscribe tech") == "Stopped following Tech."
    assert await bot.reply_text(CHAT, "/unsubscribe tech") == "You don't follow Tech."
    async with bot.db.session() as session:
        view = await subscriber_view(session, CHAT)
    assert view is not None and [t.name for t in view.topics] == ["science"]


async def test_subscribe_bad_input_says_what_to_type(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech")
    await bot.send(CHAT, "/start")
    missing = await bot.reply_text(CHAT, "/subscribe")
    assert "Which topic? For example: /subscribe tech" in missing
    assert "Topics: tech." in missing
    unknown = await bot.reply_text(CHAT, "/subscribe astrology")
    assert "There is no topic “astrology”." in unknown
    assert "Example: /subscribe tech" in unknown
    assert "Which topic? For example: /unsubscribe tech" in await bot.reply_text(
        CHAT, "/unsubscribe"
    )
    assert "There is no topic “sport”." in await bot.reply_text(CHAT, "/unsubscribe sport")


async def test_time_sets_one_or_more_delivery_times(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech")
    await bot.send(CHAT, "/start")
    await bot.send(CHAT, "/subscribe tech")
    answer = await bot.reply_text(CHAT, "/time 18:00 07:30")
    assert answer == "Briefings at 07:30 and 18:00 (UTC). Next: Mon 07:30 (UTC)."
    shown = await bot.reply_text(CHAT, "/time")
    assert "Your delivery times: 07:30 and 18:00 (UTC)" in shown
    assert "No more scheduled briefings" in await bot.reply_text(CHAT, "/time off")
    async with bot.db.session() as session:
        view = await subscriber_view(session, CHAT)
    assert view is not None and view.minutes == []


async def test_time_bad_input(bot: RunningBot) -> None:
    await bot.send(CHAT, "/start")
    answer = await bot.reply_text(CHAT, "/time 25:00")
    assert "“25:00” is not a time of day; write it as HH:MM" in answer
    assert "For example: /time 07:30 18:00" in answer
    assert "at most 6" in await bot.reply_text(CHAT, "/time 1:00 2:00 3:00 4:00 5:00 6:00 7:00")


async def test_timezone_changes_when_briefings_come(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech")
    await bot.send(CHAT, "/start")
    await bot.send(CHAT, "/subscribe tech")
    await bot.send(CHAT, "/time 08:00")
    answer = await bot.reply_text(CHAT, "/timezone asia/tokyo")
    # 06:00 UTC on Monday is 15:00 in Tokyo: the next 08:00 there is on Tuesday.
    assert answer == (
        "Timezone set to Asia/Tokyo: it is 15:00 there. Next briefing: Tue 08:00 (Asia/Tokyo)."
    )
    assert "Your timezone is Asia/Tokyo" in await bot.reply_text(CHAT, "/timezone")


async def test_wrong_timezone_gets_close_matches(bot: RunningBot) -> None:
    await bot.send(CHAT, "/start")
    (answer,) = await bot.send(CHAT, "/timezone Europe/Pariss")
    assert answer.plain_text.startswith("I don't know the timezone “Europe/Pariss”. Did you mean")
    assert answer.buttons[0][0] == "Europe/Paris"
    nothing = await bot.reply_text(CHAT, "/timezone Mars/Olympus")
    assert "/timezone Berlin" in nothing and "/timezone UTC+2" in nothing


async def test_settings_shows_everything(bot: RunningBot) -> None:
    assert "not subscribed. Send /start" in await bot.reply_text(CHAT, "/settings")
    await add_topics(bot.db, "Tech")
    await bot.send(CHAT, "/start")
    await bot.send(CHAT, "/subscribe tech")
    await bot.send(CHAT, "/timezone Europe/Berlin")
    await bot.send(CHAT, "/time 07:30 19:00")
    text = await bot.reply_text(CHAT, "/settings")
    assert text.splitlines() == [
        "Your settings",
        "Status: active",
        "Topics: Tech",
        "Delivery times: 07:30 and 19:00",
        "Timezone: Europe/Berlin (now 07:00 there)",
        "Language: English (change it with /language)",
        "Last briefing: never",
        "Next briefing: Mon 07:30 (Europe/Berlin)",
        "",
        "Options (tap below to change)",
        "Items per briefing: 8",
        "Sentences per item: 3",
        "Silent delivery: off",
        "Link preview: off",
        "Lead image: off",
        "Breaking news: off",
        "Following: none (try /follow ukraine grain)",
        "Muted: none (try /mute football)",
    ]


async def test_pause_and_resume(bot: RunningBot) -> None:
    assert "not subscribed" in await bot.reply_text(CHAT, "/pause")
    await bot.send(CHAT, "/start")
    assert (await bot.reply_text(CHAT, "/pause")).startswith("Paused.")
    assert (await bot.reply_text(CHAT, "/pause")).startswith("You were already paused.")
    assert "Status: paused" in await bot.reply_text(CHAT, "/settings")
    assert (await bot.reply_text(CHAT, "/resume")) == (
        "Resumed. Next: none until you follow a topic (/topics)."
    )
    assert (await bot.reply_text(CHAT, "/resume")).startswith("Briefings are on.")


async def test_stop_forgets_the_chat(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech")
    await bot.send(CHAT, "/start")
    await bot.send(CHAT, "/subscribe tech")
    assert "forgotten this chat" in await bot.reply_text(CHAT, "/stop")
    async with bot.db.session() as session:
        assert await get_subscriber(session, CHAT) is None
    assert "nothing to forget" in await bot.reply_text(CHAT, "/stop")


async def test_help_lists_commands_and_admin_ones_only_for_admins(bot: RunningBot) -> None:
    text = await bot.reply_text(CHAT, "/help")
    assert "/timezone — Your timezone" in text
    assert "/addfeed" not in text
    assert "/addfeed — Add a feed" in await bot.reply_text(42, "/help")


async def test_unknown_commands_and_plain_text_point_at_help(bot: RunningBot) -> None:
    assert await bot.reply_text(CHAT, "/frobnicate") == (
        "Sorry, I don't know /frobnicate. Send /help to see what I can do."
    )
    assert "Send /help" in await bot.reply_text(CHAT, "hello there")


async def test_group_chats_use_commands_addressed_to_the_bot(bot: RunningBot) -> None:
    group = -5005
    await add_topics(bot.db, "Tech")
    name = bot.api.username
    bot.api.set_member(group, 77, "administrator")
    await bot.send(group, f"/start@{name}", user_id=77)
    answer = await bot.reply_text(group, f"/subscribe@{name} tech", user_id=77)
    assert answer == "✅ Following Tech."
    async with bot.db.session() as session:
        subscriber = await get_subscriber(session, group)
    assert subscriber is not None and subscriber.chat_type == "group"
    # A command for another bot in the same group is not ours to answer.
    bot.api.inject_message(group, "/subscribe@some_other_bot tech", user_id=77)
    bot.api.inject_message(group, "/frobnicate", user_id=77)
    assert await bot.reply_text(group, f"/frobnicate@{name}", user_id=77) == (
        "Sorry, I don't know /frobnicate. Send /help to see what I can do."
    )
    assert len(bot.api.messages(group)) == 3


async def test_command_menu_is_published(bot: RunningBot) -> None:
    default = bot.api.commands['{"type": "default"}']
    names = [c["command"] for c in default]
    assert names[:3] == ["start", "help", "topics"]
    assert "addfeed" not in names
    admin = bot.api.commands['{"chat_id": 42, "type": "chat"}']
    assert "broadcast" in [c["command"] for c in admin]


async def test_each_kind_of_chat_gets_the_commands_it_can_use(bot: RunningBot) -> None:
    private = bot.api.commands_for("all_private_chats")
    groups = bot.api.commands_for("all_group_chats")
    admin = bot.api.commands_for("chat", chat_id=42)
    # A channel is managed from a private chat: its commands are offered only there.
    assert {"addchannel", "channels", "removechannel"} <= set(private)
    assert "addchannel" not in groups and "addchannel" not in bot.api.commands_for("default")
    assert {"follow", "mute", "settings", "briefing"} <= set(groups)
    assert "broadcast" not in private and "broadcast" not in groups
    assert {"broadcast", "addfeed", "addchannel", "follow"} <= set(admin)
    # Every command the bot answers is in some menu, and every menu entry is answered.
    assert set(private) | set(admin) == set(SUBSCRIBER_HANDLERS) | set(ADMIN_HANDLERS)
