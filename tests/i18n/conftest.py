"""The bot's fixtures (tests/bot/conftest.py), and users whose Telegram app speaks a language."""

from __future__ import annotations

from typing import Any

from sandbox.fake_bot_api import FakeBotAPI, SentMessage
from tests.bot.conftest import RunningBot, api, bot, clock, sqlite_db

__all__ = ["api", "bot", "clock", "sqlite_db"]


def say(api: FakeBotAPI, chat: int, text: str, language: str, **message: Any) -> None:
    """A user whose Telegram app is set to `language` sends `text` (its language_code, as
    Telegram sends it: "de", "pt-BR"). Set before the bot can poll it: the fake server hands
    the update out on the event loop this runs on, after this returns."""
    update = api.inject_message(chat, text, **message)
    update["message"]["from"]["language_code"] = language


def press(api: FakeBotAPI, chat: int, label: str, language: str) -> None:
    """The user presses the newest button whose label contains `label`."""
    update = api.press_button(chat, label)
    update["callback_query"]["from"]["language_code"] = language


async def ask(
    bot: RunningBot, chat: int, text: str, language: str, *, replies: int = 1, **message: Any
) -> list[SentMessage]:
    """`say`, then the bot's next `replies` messages to that chat."""
    before = len(bot.api.messages(chat))
    say(bot.api, chat, text, language, **message)
    received = await bot.api.wait_for_messages(chat, before + replies, within=15)
    return received[before:]


def callback_answers(api: FakeBotAPI) -> list[str]:
    """Every text the bot showed at the top of a chat for a pressed button."""
    return [str(c.params.get("text") or "") for c in api.calls_to("answerCallbackQuery")]
