"""A database or Telegram that cannot be reached at start: one line naming the setting to check,
exit code 2, no traceback (unless -v) and no secret, for `run` and every database command."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.redaction import forget_secrets
from cli import main
from cli.common import retry_dropped_connection
from sandbox.fake_bot_api import FakeBotAPI
from sandbox.processes import cli_environment, run_cli
from storage.db import sync_url

TOKEN = "555000111:AAE" + "k" * 32
PASSWORD = "hunter2-secret"


def _closed_port() -> int:
    """A local port nothing listens on (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _unreachable_databases(tmp_path: Path) -> dict[str, str]:
    return {
        "postgresql": f"postgresql://newsbrief:{PASSWORD}@127.0.0.1:{_closed_port()}/newsbrief",
        "sqlite": f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'newsbrief.db'}",
    }


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No NEWSBRIEF_* from outside, no newsbrief.toml, no secret remembered from other tests."""
    for name in list(os.environ):
        if name.startswith("NEWSBRIEF_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield
    forget_secrets()


def _assert_one_line(stderr: str, *expected: str) -> str:
    assert stderr.count("\n") == 1 and stderr.startswith("newsbrief: "), stderr
    assert "Traceback" not in stderr and TOKEN.split(":")[1] not in stderr
    assert PASSWORD not in stderr
    for wanted in expected:
        assert wanted in stderr
    return stderr


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
async def test_run_with_an_unreachable_database_says_so_in_one_line(
    tmp_path: Path, backend: str
) -> None:
    url = _unreachable_databases(tmp_path)[backend]
    env = cli_environment(tmp_path, NEWSBRIEF_BOT_TOKEN=TOKEN, NEWSBRIEF_DATABASE_URL=url)
    done = await run_cli(["run"], env, tmp_path)
    assert done.process.returncode == 2
    assert done.stdout == []
    line = _assert_one_line(
        "".join(done.stderr), "cannot open the database NEWSBRIEF_DATABASE_URL="
    )
    hint = "directory exists" if backend == "sqlite" else "server runs"
    assert hint in line
    if backend == "postgresql":
        assert "newsbrief:***@127.0.0.1" in line  # the URL, with its password masked


async def test_run_with_an_unreachable_telegram_says_so_in_one_line(tmp_path: Path) -> None:
    api_url = f"http://127.0.0.1:{_closed_port()}"
    env = cli_environment(
        tmp_path,
        NEWSBRIEF_BOT_TOKEN=TOKEN,
        NEWSBRIEF_TELEGRAM_API_URL=api_url,
        NEWSBRIEF_DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
    )
    done = await run_cli(["run"], env, tmp_path)
    assert done.process.returncode == 2
    _assert_one_line(
        "".join(done.stderr),
        f"cannot use the Telegram Bot API at NEWSBRIEF_TELEGRAM_API_URL={api_url}",
        "Cannot connect",
    )
    # With -v the whole story is there for whoever debugs it, still without the token.
    verbose = await run_cli(["-v", "run"], env, tmp_path)
    assert verbose.process.returncode == 2
    assert "Traceback" in verbose.output and TOKEN.split(":")[1] not in verbose.output
    assert verbose.stderr[-1].startswith("newsbrief: cannot use the Telegram Bot API")


async def test_run_with_a_rejected_token_says_so_in_one_line(tmp_path: Path) -> None:
    async with FakeBotAPI() as api:  # knows another token
        env = cli_environment(
            tmp_path,
            NEWSBRIEF_BOT_TOKEN=TOKEN,
            NEWSBRIEF_TELEGRAM_API_URL=api.base_url,
            NEWSBRIEF_DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        )
        done = await run_cli(["run"], env, tmp_path)
    assert done.process.returncode == 2
    _assert_one_line("".join(done.stderr), "rejected NEWSBRIEF_BOT_TOKEN", "@BotFather")


COMMANDS = [
    ["run"],
    ["collect"],
    ["topics", "list"],
    ["topics", "add", "Tech"],
    ["feeds", "list"],
    ["db", "upgrade"],
    ["db", "status"],
]


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_database_command_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    command: list[str],
    backend: str,
) -> None:
    monkeypatch.setenv("NEWSBRIEF_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", _unreachable_databases(tmp_path)[backend])
    assert main(command) == 2
    out, err = capsys.readouterr()
    assert out == ""
    _assert_one_line(err, "cannot open the database NEWSBRIEF_DATABASE_URL=")


def test_a_database_url_of_an_unknown_kind_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", "mysql://u:pw@localhost/news")
    assert main(["db", "status"]) == 2
    _assert_one_line(capsys.readouterr().err, "NEWSBRIEF_DATABASE_URL is invalid")


@pytest.mark.postgres
def test_a_connection_dropped_at_start_up_is_tried_again_not_fatal(pg_url: str) -> None:
    # A failover or pg_terminate_backend while a process checks its schema must not make it
    # exit (its supervisor would restart it, but a deployment should not flap on a blip).
    attempts: list[int] = []

    def check() -> int:
        attempts.append(1)
        engine = create_engine(sync_url(pg_url))
        try:
            with engine.connect() as connection:
                if len(attempts) == 1:  # the server drops us mid-statement, once
                    connection.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
                return int(connection.scalar(text("SELECT 1")) or 0)
        finally:
            engine.dispose()

    assert retry_dropped_connection(check) == 1
    assert len(attempts) == 2
