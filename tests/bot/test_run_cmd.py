"""`newsbrief run`: clear one-line errors, long polling, and a webhook that checks its secret."""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
from pathlib import Path

import httpx
import pytest

from bot.settings import load_settings
from cli import main
from cli.run_cmd import serve
from sandbox.fake_bot_api import FakeBotAPI
from storage.migrate import upgrade


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No NEWSBRIEF_* from the outside and no newsbrief.toml in the working directory."""
    import os

    for name in list(os.environ):
        if name.startswith("NEWSBRIEF_") and name != "NEWSBRIEF_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    return err


def test_missing_token_is_one_line_naming_the_variable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    assert one_line_error(capsys).startswith("newsbrief: NEWSBRIEF_BOT_TOKEN is not set")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NEWSBRIEF_DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("NEWSBRIEF_DELIVERY_TICK_SECONDS", "soon"),
        ("NEWSBRIEF_DEFAULT_DELIVERY_TIME", "25:00"),
        ("NEWSBRIEF_RATE_LIMIT_PER_SECOND", "-1"),
    ],
)
def test_malformed_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str
) -> None:
    monkeypatch.setenv("NEWSBRIEF_BOT_TOKEN", "123:abc")
    monkeypatch.setenv(variable, value)
    assert main(["run"]) == 2
    assert one_line_error(capsys).startswith(f"newsbrief: {variable} is invalid")


def test_webhook_mode_needs_a_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSBRIEF_BOT_TOKEN", "123:abc")
    assert main(["run", "--webhook-url", "https://bot.example/hook"]) == 2
    assert "NEWSBRIEF_WEBHOOK_SECRET is not set" in one_line_error(capsys)
    monkeypatch.setenv("NEWSBRIEF_WEBHOOK_SECRET", "has spaces!")
    assert main(["run", "--webhook-url", "https://bot.example/hook"]) == 2
    error = one_line_error(capsys)
    assert "NEWSBRIEF_WEBHOOK_SECRET is invalid" in error and "has spaces" not in error


def _args(**values: object) -> argparse.Namespace:
    defaults: dict[str, object] = {
        "webhook_url": None,
        "listen": "127.0.0.1",
        "port": 0,
        "no_collector": True,
    }
    defaults.update(values)
    return argparse.Namespace(**defaults)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _wait_for_port(port: int) -> None:
    async with asyncio.timeout(10):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            return


async def test_long_polling_serves_until_stopped(api: FakeBotAPI, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    settings = load_settings(
        bot_token=api.token,
        telegram_api_url=api.base_url,
        database_url=url,
        polling_timeout_seconds=2,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(serve(settings, _args(), stop))
    api.inject_message(55, "/start")
    (welcome,) = await api.wait_for_messages(55, 1, within=10)
    assert "Welcome to newsbrief" in welcome.plain_text
    stop.set()
    await asyncio.wait_for(running, 10)


async def test_webhook_checks_the_secret_token(api: FakeBotAPI, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    settings = load_settings(
        bot_token=api.token,
        telegram_api_url=api.base_url,
        database_url=url,
        webhook_secret="s3cret-token",
    )
    port = _free_port()
    hook = f"http://127.0.0.1:{port}/telegram/hook"
    stop = asyncio.Event()
    running = asyncio.create_task(serve(settings, _args(webhook_url=hook, port=port), stop))
    await api.wait_for_calls("setWebhook", within=10)
    await _wait_for_port(port)  # PTB serves right after setWebhook
    assert api.webhook["url"] == hook and api.webhook["secret_token"] == "s3cret-token"
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "text": "/help",
            "chat": {"id": 66, "type": "private", "first_name": "A"},
            "from": {"id": 66, "is_bot": False, "first_name": "A"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    async with httpx.AsyncClient() as http:
        wrong = await http.post(
            hook,
            content=json.dumps(update),
            headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": "guess",
            },
        )
        assert wrong.status_code == 403
        right = await http.post(
            hook,
            content=json.dumps({**update, "update_id": 2}),
            headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": "s3cret-token",
            },
        )
        assert right.status_code == 200
    (answer,) = await api.wait_for_messages(66, 1, within=10)
    assert "/briefing" in answer.plain_text
    stop.set()
    await asyncio.wait_for(running, 10)
    assert len(api.messages(66)) == 1  # the forged update was never handled
