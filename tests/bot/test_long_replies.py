"""Replies that echo what a user typed stay valid Telegram messages however long and full of
"&" and "<" the input was (Telegram allows 4,096 characters in; "&" is five in HTML)."""

from __future__ import annotations

import pytest

from tests.bot.conftest import ADMIN_ID, RunningBot, add_topics

SORRY = "Sorry, something went wrong"
HOSTILE = "&<" * 2000  # 4,000 characters typed, 18,000 of escaped HTML


@pytest.mark.parametrize(
    ("chat", "text", "expected"),
    [
        (1, f"/subscribe {HOSTILE}", "There is no topic “&<&<"),
        (1, "/subscribe " + " ".join(f"&{n}&" for n in range(600)), "and 590 more"),
        (1, f"/unsubscribe tech {HOSTILE}", "There is no topic"),
        (1, f"/timezone {HOSTILE}", "timezone"),
        (1, f"/time {HOSTILE}", "For example: /time 07:30 18:00"),
        (ADMIN_ID, f"/addtopic Space {HOSTILE}", "goes in double quotes"),
        (ADMIN_ID, f"/addfeed tech {HOSTILE}", "is not an http(s) URL"),
        (ADMIN_ID, f"/delfeed https://x.example/?{HOSTILE}", "Could not remove it"),
        (ADMIN_ID, f"/feedweight https://x.example/?{HOSTILE} 2", "Could not set it"),
    ],
    ids=[
        "subscribe",
        "subscribe many",
        "unsubscribe",
        "timezone",
        "time",
        "addtopic",
        "addfeed not a URL",
        "delfeed",
        "feedweight",
    ],
)
async def test_hostile_input_gets_a_readable_answer(
    bot: RunningBot, chat: int, text: str, expected: str
) -> None:
    await add_topics(bot.db, "Tech")
    assert len(text) <= 4096
    await bot.send(chat, "/start")  # registered: the commands below need it
    (answer,) = await bot.send(chat, text)
    assert SORRY not in answer.plain_text
    assert expected in answer.plain_text
    assert len(answer.text) <= 4096
