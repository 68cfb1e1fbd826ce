"""A broad conversation in German: not one English sentence of the catalogue reaches the user.

A subscriber and an admin whose Telegram apps speak German go through the commands, buttons,
errors and admin tools; every message, every edit, every button label and every alert they
get is searched for the English source texts (each run of three or more English words between
placeholders, markup and line breaks, unless the German translation keeps it, like a command's
example). A text that skipped the catalogue, or a msgid left untranslated, fails it.
"""

from __future__ import annotations

import re
from datetime import timedelta

from babel.messages.pofile import read_po

from bot.i18n import DOMAIN, LANGUAGE_NAMES, LOCALES_DIR
from tests.bot.conftest import ADMIN_ID, FakeClock, RunningBot, add_story, add_topics
from tests.i18n.conftest import ask, callback_answers, press

USER = 6001
PLACEHOLDER = re.compile(r"\{\w*\}|<[^>]+>|&\w+;|\n")
COMMANDISH = re.compile(r"/\w+|https?://\S+|@\w+")
ENGLISH_WORD = re.compile(r"[A-Za-z][a-z']+")


def english_sentences() -> set[str]:
    """Every run of 3+ English words in the source texts, unless every shipped translation
    keeps it as it is (a command's example such as `"World News" ukraine`)."""
    kept: dict[object, list[str]] = {}
    for language in (code for code in LANGUAGE_NAMES if code != "en"):
        with (LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
            for message in read_po(po, locale=language):
                if message.id:
                    strings = (
                        message.string if isinstance(message.string, tuple) else (message.string,)
                    )
                    kept.setdefault(message.id, []).append(" ".join(strings))
    found = set()
    for key, translations in kept.items():
        for source in key if isinstance(key, tuple) else (key,):
            for run in PLACEHOLDER.split(source):
                run = run.strip(" .,:;—·()…“”\"'")
                words = ENGLISH_WORD.findall(COMMANDISH.sub(" ", run))
                if len(words) >= 3 and not all(run in text for text in translations):
                    found.add(run)
    return found


async def _tap(bot: RunningBot, chat: int, label: str) -> None:
    """Press a button (as a German app) and wait until the bot has answered it."""
    before = len(bot.api.calls_to("answerCallbackQuery"))
    press(bot.api, chat, label, "de")
    await bot.api.wait_for_calls("answerCallbackQuery", before + 1, within=15)


async def test_a_german_conversation_gets_no_english(bot: RunningBot, clock: FakeClock) -> None:
    await add_topics(bot.db, "Tech")
    await add_story(
        bot.db,
        "Tech",
        "Neue Chipfabrik in Dresden eröffnet",
        ["Die Fabrik beschäftigt dreitausend Menschen.", "Sie soll 2027 voll laufen."],
        [
            ("Sächsische Zeitung", "https://sz.example/1"),
            ("Dresdner Blatt", "https://db.example/2"),
        ],
        fetched_at=clock() - timedelta(hours=1),
    )
    (welcome,) = await ask(bot, USER, "/start", "de")
    assert "Willkommen" in welcome.plain_text
    await _tap(bot, USER, "Tech")
    for command in (
        "/topics",
        "/subscribe tech",
        "/subscribe quantenschaum",
        "/unsubscribe",
        "/time 07:30 18:00",
        "/time",
        "/time 25:99",
        "/timezone Berlin",
        "/timezone",
        "/timezone IST",
        "/timezone Nirgendwo",
        "/follow getreide",
        "/follow",
        "/mute fußball",
        "/mute the",
        "/settings",
    ):
        await ask(bot, USER, command, "de")
    await _tap(bot, USER, "Meldungen +")
    await _tap(bot, USER, "Lautlos")
    await _tap(bot, USER, "✖")  # a phrase's remove button
    (briefing,) = await ask(bot, USER, "/briefing", "de")
    assert briefing.plain_text.startswith("📰 Dein Briefing · Montag, 2. März 2026")
    before = len(bot.api.messages(USER))
    await _tap(bot, USER, "Mehr #1")
    (more,) = (await bot.api.wait_for_messages(USER, before + 1, within=15))[before:]
    assert "Quellen (2)" in more.plain_text
    clock.advance(minutes=1)  # a second /briefing is a new manual slot
    for command in (
        "/briefing",  # nothing new now
        "/search chipfabrik",
        "/search",
        "/more tech",
        "/more",
        "Was gibt es Neues zur Chipfabrik?",
        "Was macht der Quantenschaum?",
        "hallo",
        "/gibtsnicht",
        "/pause",
        "/pause",
        "/resume",
        "/language",
        "/language klingonisch",
        "/help",
        "/channels",
        "/addchannel",
        "/removechannel",
        "/addfeed Tech https://example.org/rss",
        "/stop",
        "/settings",
        "/stop",
    ):
        await ask(bot, USER, command, "de")

    await ask(bot, ADMIN_ID, "/start", "de")
    for command in (
        "/help",
        '/addtopic "Welt Nachrichten" ukraine',
        "/addtopic",
        '/addtopic "Welt',
        "/addtopic Wissenschaft & Gesundheit",
        "/feeds",
        "/stats",
        "/delfeed",
        "/pausefeed",
        "/feedweight x",
        "/addfeed",
        "/addfeed Tech kein-link",
        "/addfeed Tech https://example.org/rss",
        "/export",
        "/deltopic",
        "/deltopic Unbekannt",
        "/broadcast",
        "/broadcast Hallo zusammen, <b>gute</b> Nachrichten!",
    ):
        await ask(bot, ADMIN_ID, command, "de")
    before = len(bot.api.messages(ADMIN_ID))
    await _tap(bot, ADMIN_ID, "📣")
    await bot.api.wait_for_messages(ADMIN_ID, before + 1, within=15)  # the admin subscribes too
    await ask(bot, ADMIN_ID, "/deltopic Welt Nachrichten", "de")
    await _tap(bot, ADMIN_ID, "Behalten")
    await ask(bot, ADMIN_ID, "/deltopic Welt Nachrichten", "de")
    await _tap(bot, ADMIN_ID, "🗑")

    said = [
        text
        for chat in (USER, ADMIN_ID)
        for message in bot.api.messages(chat)
        for text in (message.plain_text, *(label for label, _ in message.buttons))
    ] + callback_answers(bot.api)
    assert len(said) > 80  # the conversation really took place
    english = english_sentences()
    assert len(english) > 200
    leaks = sorted({f"{run!r} in {text!r}" for text in said for run in english if run in text})
    assert leaks == []
