"""A German and an Arabic subscriber, end to end through the real bot and the fake Bot API."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from bot.i18n import FSI, PDI
from sandbox.fake_bot_api import BOT_USER_ID
from storage.models import Subscriber
from tests.bot.conftest import FakeClock, RunningBot, add_story, add_topics
from tests.i18n.conftest import ask, callback_answers, press

CHAT = 5101
LANGUAGE_BUTTONS = [
    "English",
    "Deutsch",
    "Français",
    "Español",
    "Português",
    "Русский",
    "Українська",
    "العربية",
    "فارسی",
]


async def _language_of(bot: RunningBot, chat: int) -> str | None:
    async with bot.db.session() as session:
        return await session.scalar(select(Subscriber.language).where(Subscriber.chat_id == chat))


async def test_a_german_subscriber_switches_to_arabic(bot: RunningBot, clock: FakeClock) -> None:
    await add_topics(bot.db, "Tech")
    (welcome,) = await ask(bot, CHAT, "/start", "de")
    assert welcome.plain_text.startswith("👋 Willkommen bei newsbrief! Ich schicke dir")
    assert "Nächstes Briefing: keins, bis du einem Thema folgst (/topics)" in welcome.plain_text
    assert "📰 Mein erstes Briefing jetzt" in [label for label, _ in welcome.buttons]
    assert await _language_of(bot, CHAT) == "de"

    (menu,) = await ask(bot, CHAT, "/language", "de")
    assert menu.plain_text.startswith("🌐 Ich spreche in diesem Chat Deutsch.")
    labels = [label.removeprefix("✅ ") for label, _ in menu.buttons]
    assert labels == LANGUAGE_BUTTONS  # each language in its own name
    assert ("✅ Deutsch", "lang:de") in menu.buttons

    # The Telegram app still says "de": the chat's own choice wins from now on.
    press(bot.api, CHAT, "العربية", "de")
    await bot.api.wait_for_calls("editMessageText", 1, within=15)
    (chooser,) = bot.api.messages(CHAT)[-1:]
    assert "أتحدث في هذه المحادثة باللغة" in chooser.plain_text
    assert ("✅ العربية", "lang:ar") in chooser.buttons
    assert callback_answers(bot.api)[-1].startswith("✅ من الآن أتحدث هنا باللغة")
    assert await _language_of(bot, CHAT) == "ar"

    await ask(bot, CHAT, "/subscribe tech", "de")
    (settings,) = await ask(bot, CHAT, "/settings", "de")
    lines = settings.plain_text.splitlines()
    assert lines[0] == "إعداداتك"
    assert f"اللغة: {FSI}العربية{PDI} (غيّرها بالأمر /language)" in lines
    assert f"الحالة: {FSI}نشط{PDI}" in lines
    assert any(label.startswith("الأخبار − (") for label, _ in settings.buttons)

    sources = [
        ("Daily Example", "https://daily.example/chips"),
        ("Tech Wire", "https://wire.example/chips"),
        ("Metro Courier", "https://metro.example/chips"),
    ]
    await add_story(
        bot.db,
        "Tech",
        "Chip plant opens in Dresden",
        ["The plant employs 3,000 people."],
        sources,
        fetched_at=clock() - timedelta(minutes=25),
    )
    (briefing,) = await ask(bot, CHAT, "/briefing", "de")
    text = briefing.plain_text
    header, when = text.splitlines()[:2]
    # Arabic words, the Arabic date format (weekday, Arabic comma), the number and the clock
    # each isolated from the right-to-left sentence around them.
    assert header == f"📰 نشرتك · {FSI}الاثنين، 2 مارس 2026{PDI}"
    assert when == f"{FSI}6:00 ص{PDI} {FSI}UTC{PDI} · خبر واحد"
    assert f"{FSI}1. Chip plant opens in Dresden{PDI}" in text
    source_line = next(line for line in text.splitlines() if line.startswith("🔗"))
    assert source_line == (
        f"🔗 {FSI}Daily Example{PDI} · {FSI}Tech Wire{PDI} · {FSI}Metro Courier{PDI} — "
        f"{FSI}3{PDI} مصادر · {FSI}منذ {FSI}25{PDI} دقيقة{PDI}"
    )
    # The links keep their markup whole inside the isolates.
    assert f'{FSI}<a href="https://daily.example/chips">Daily Example</a>{PDI}' in briefing.text
    assert briefing.buttons == [("المزيد #1", briefing.buttons[0][1])]
    assert "<b>▍" in briefing.text and "TECH" in text


async def test_menus_are_published_in_every_language(bot: RunningBot) -> None:
    await bot.api.wait_for_calls("setMyCommands", 4, within=15)

    def menu(scope: dict[str, object], language: str | None) -> dict[str, str]:
        key = json.dumps(scope, sort_keys=True)
        found = (
            bot.api.localized_commands.get((key, language), [])
            if language
            else bot.api.commands.get(key, [])
        )
        return {c["command"]: c["description"] for c in found}

    german = menu({"type": "default"}, "de")
    assert german["start"] == "Anmelden und Themen wählen"
    assert german["language"] == "Die Sprache, die ich hier spreche: /language"
    assert menu({"type": "default"}, None)["start"] == "Register and pick topics"
    assert menu({"type": "all_private_chats"}, "ar")["addchannel"].startswith("انشر النشرات")
    assert menu({"type": "all_group_chats"}, "uk")["help"] == "Що я вмію"
    admin = menu({"type": "chat", "chat_id": 42}, "ru")
    assert admin["addfeed"].startswith("Добавить ленту")
    for language in ("de", "fr", "es", "pt", "ru", "uk", "ar", "fa"):
        names = bot.api.commands_for("all_private_chats", language_code=language)
        assert names == bot.api.commands_for("all_private_chats")  # command names stay English


async def test_a_language_without_a_catalogue_gets_english(bot: RunningBot) -> None:
    (welcome,) = await ask(bot, 5102, "/start", "it")
    assert welcome.plain_text.startswith("👋 Welcome to newsbrief!")
    assert await _language_of(bot, 5102) is None  # not chosen: English, and /language offers
    (welcome,) = await ask(bot, 5103, "/start", "pt-BR")
    assert welcome.plain_text.startswith("👋 Boas-vindas ao newsbrief!")
    assert await _language_of(bot, 5103) == "pt"
    (answer,) = await ask(bot, 5103, "/language deutsch", "pt-BR")
    assert answer.plain_text == "✅ Ab jetzt spreche ich hier Deutsch."
    (answer,) = await ask(bot, 5103, "/language klingon", "pt-BR")
    assert answer.plain_text.startswith("„klingon“ spreche ich noch nicht.")


async def test_a_channel_has_its_own_language(bot: RunningBot, clock: FakeClock) -> None:
    """A German admin manages a channel whose briefings are in Ukrainian: the admin reads
    German, the channel's readers Ukrainian, and the channel starts in its admin's language."""
    channel, admin = -1007770001, 7101
    await add_topics(bot.db, "World")
    bot.api.add_channel(channel, username="kyivnews", title="Kyiv News")
    bot.api.set_member(channel, admin, "administrator")
    bot.api.set_member(channel, BOT_USER_ID, "administrator")
    (added,) = await ask(bot, admin, "/addchannel @kyivnews", "de")
    assert "📢 Kyiv News ist hinzugefügt." in added.plain_text
    assert "/language @kyivnews" in added.plain_text
    assert await _language_of(bot, channel) == "de"

    (menu,) = await ask(bot, admin, "/language @kyivnews", "de")
    assert menu.plain_text.startswith("🌐 Die Briefings von Kyiv News kommen auf Deutsch.")
    assert all(data.startswith("@") for _label, data in menu.buttons)  # the channel's buttons
    press(bot.api, admin, "Українська", "de")
    await bot.api.wait_for_calls("editMessageText", 1, within=15)
    assert callback_answers(bot.api)[-1] == (
        "✅ Die Briefings von Kyiv News kommen jetzt auf Українська."
    )
    assert await _language_of(bot, channel) == "uk"
    await ask(bot, admin, "/subscribe @kyivnews world", "de")

    await add_story(bot.db, "World", "Bridge reopens", ["Traffic flows."], fetched_at=clock())
    (queued,) = await ask(bot, admin, "/briefing @kyivnews", "de")
    assert queued.plain_text == "📰 Ein Briefing ist unterwegs zu Kyiv News."
    (posted,) = await bot.api.wait_for_messages(channel, 1, within=15)
    assert posted.plain_text.startswith("📰 Зведення новин · понеділок, 2 березня 2026\u202fр.")
    assert "1 новина" in posted.plain_text
    assert posted.buttons[0][0] == "Докладніше #1"
