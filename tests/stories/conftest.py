"""Fixtures of the story tests: the bot's fixtures (fake Bot API, clock, SQLite bot)."""

from tests.bot.conftest import api, bot, clock, sqlite_db  # noqa: F401
