"""The bot token never reaches a terminal, a log or the database, whatever Telegram answers."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from bot.redaction import forget_secrets, redact, remember_secret
from sandbox.fake_bot_api import FakeBotAPI
from sandbox.processes import CliProcess, cli_environment, run_cli
from storage.clock import utcnow
from storage.db import Database
from tests.bot.conftest import (
    FakeClock,
    RunningBot,
    add_story,
    add_subscribers,
    add_topics,
    deliveries_of,
    make_settings,
)

BOT_ID = "987654321"
SECRET = "AAFq3VtBrK9xYzL0mN4pQ7sT2uW8eH1jC5d"  # shaped like a real one: 35 characters
TOKEN = f"{BOT_ID}:{SECRET}"
REDACTED_URL = f"/bot{BOT_ID}:***/"
CHAT = 4242


@pytest.fixture(autouse=True)
def no_remembered_secrets() -> None:
    """Each test starts with no secret remembered in this process."""
    forget_secrets()


def _url_in(api: FakeBotAPI, method: str) -> str:
    return f"{api.base_url}/bot{TOKEN}/{method}"


def test_redact_masks_tokens_in_urls_encoded_and_configured_secrets() -> None:
    assert redact(f"POST http://api.local/bot{TOKEN}/sendMessage failed") == (
        f"POST http://api.local/bot{BOT_ID}:***/sendMessage failed"
    )
    assert SECRET not in redact(f"url='http://h/bot{BOT_ID}%3A{SECRET}/getMe'")
    odd = "1:short-test-token"  # not token-shaped: only masked once configured
    assert redact(f"token `{odd}` rejected") == f"token `{odd}` rejected"
    remember_secret(odd)
    assert redact(f"token `{odd}` rejected") == "token `***` rejected"


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
async def test_a_rejected_token_is_never_printed(tmp_path: Path, verbose: bool) -> None:
    async with FakeBotAPI(token=f"{BOT_ID}:{'B' * 35}") as api:  # Telegram knows another token
        env = cli_environment(
            tmp_path,
            NEWSBRIEF_BOT_TOKEN=TOKEN,
            NEWSBRIEF_TELEGRAM_API_URL=api.base_url,
            NEWSBRIEF_DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        )
        args = ["-v"] if verbose else []
        done = await run_cli([*args, "run", "--no-collector"], env, tmp_path)
    assert done.process.returncode == 2
    assert SECRET not in done.output
    last = done.stderr[-1]
    assert last.startswith("newsbrief: the Bot API at") and "rejected NEWSBRIEF_BOT_TOKEN" in last
    if verbose:  # PTB's debug lines name the URL with the token; the traceback quotes it
        assert f"Set Bot API URL: {api.base_url}/bot{BOT_ID}:***\n" in done.output
        assert "Traceback" in done.output
    else:
        assert len(done.stderr) == 1


async def test_a_redirecting_or_failing_bot_api_never_shows_the_token(
    tmp_path: Path, sqlite_db: Database
) -> None:
    """Every way an error names the Bot API URL, in a running `newsbrief -v run`: a redirect
    loop (aiohttp names the URL) and a 5xx whose description holds it, for replies to commands
    and for a briefing; debug, warning and error lines, tracebacks and the database searched."""
    await add_topics(sqlite_db, "Tech")
    await add_subscribers(sqlite_db, [CHAT], topic="tech", created_at=utcnow())
    await add_story(sqlite_db, "tech", "Token test", ["A sentence."], fetched_at=utcnow())
    async with FakeBotAPI(token=TOKEN) as api:
        env = cli_environment(
            tmp_path,
            NEWSBRIEF_BOT_TOKEN=TOKEN,
            NEWSBRIEF_TELEGRAM_API_URL=api.base_url,
            NEWSBRIEF_DATABASE_URL=sqlite_db.url,
            NEWSBRIEF_POLLING_TIMEOUT_SECONDS="1",
            NEWSBRIEF_DELIVERY_MAX_ATTEMPTS="1",
            NEWSBRIEF_DELIVERY_POLL_SECONDS="0.2",
        )
        bot = await CliProcess.start(["-v", "run", "--no-collector"], env, tmp_path)
        try:
            await api.wait_for_calls("getUpdates", within=30)
            api.redirect("sendMessage")  # every hop back to the same URL: aiohttp gives up
            api.inject_message(CHAT, "/help")
            await bot.wait_for_stderr("error while handling an update", 1)
            api.clear_redirects()
            description = f"Internal Server Error: upstream {_url_in(api, 'sendMessage')} timed out"
            api.fail(500, method="sendMessage", description=description, times=None)
            api.inject_message(CHAT, "/help")
            await bot.wait_for_stderr("error while handling an update", 2)
            api.inject_message(CHAT, "/briefing")  # the delivery worker meets the same 500
            await _wait_for_delivery_error(sqlite_db)
        finally:
            code = await bot.stop()
    assert code == 0
    output = bot.output
    assert SECRET not in output
    # The failures were logged, with the URL masked: the test saw what it meant to.
    errors = [line for line in bot.stderr if " ERROR " in line]
    assert errors and f"{REDACTED_URL}sendMessage" in output
    assert "TooManyRedirects" in output and "upstream http://" in output
    (row,) = await deliveries_of(sqlite_db, CHAT)
    assert row.error and f"{REDACTED_URL}sendMessage" in row.error
    assert SECRET.encode() not in _database_bytes(tmp_path)


async def _wait_for_delivery_error(db: Database) -> None:
    for _ in range(200):  # the child process writes it; nothing here to wait on but the file
        if any(row.error for row in await deliveries_of(db, CHAT)):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the delivery worker recorded no error")


def _database_bytes(directory: Path) -> bytes:
    """The SQLite database file with its write-ahead log, as stored on disk."""
    return b"".join(p.read_bytes() for p in sorted(directory.glob("newsbrief.db*")))


@pytest.mark.parametrize("fault", ["redirect", "500 naming the URL"])
async def test_delivery_errors_are_stored_without_the_token(
    sqlite_db: Database, tmp_path: Path, fault: str
) -> None:
    async with FakeBotAPI(token=TOKEN) as api:
        clock = FakeClock()
        settings = make_settings(api, sqlite_db.url, delivery_max_attempts=1)
        async with RunningBot(api, settings, sqlite_db, clock) as bot:
            await add_topics(sqlite_db, "Tech")
            await add_subscribers(sqlite_db, [CHAT], topic="tech")
            await add_story(sqlite_db, "tech", "Token test", ["x."], fetched_at=clock())
            if fault == "redirect":
                api.redirect("sendMessage")
            else:
                description = f"Bad Gateway from {_url_in(api, 'sendMessage')}"
                api.fail(500, method="sendMessage", description=description, times=None)
            clock.advance(hours=2, seconds=10)  # 08:00:10, the subscriber's slot
            await bot.tick_and_deliver()
    (row,) = await deliveries_of(sqlite_db, CHAT)
    assert row.status == "failed" and row.error
    assert SECRET not in row.error and f"{BOT_ID}:***" in row.error
    assert SECRET.encode() not in _database_bytes(tmp_path)


async def test_warnings_and_logged_tracebacks_are_redacted_too(tmp_path: Path) -> None:
    """Python warnings and exceptions logged with their traceback go through the same handler."""
    script = (
        "import logging, warnings\n"
        "from cli import configure_logging\n"
        "configure_logging(verbose=False)\n"
        f"warnings.warn('retrying https://api.example/bot{TOKEN}/getMe')\n"
        "try:\n"
        f"    raise ConnectionError('https://api.example/bot{TOKEN}/sendMessage')\n"
        "except ConnectionError:\n"
        "    logging.getLogger('bot.delivery').exception('sending failed')\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        env=cli_environment(tmp_path),
        cwd=tmp_path,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    text = err.decode()
    assert "WARNING py.warnings" in text and "ERROR bot.delivery: sending failed" in text
    assert "Traceback" in text and f"{REDACTED_URL}sendMessage" in text
    assert SECRET not in text
