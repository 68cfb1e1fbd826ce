"""NEWSBRIEF_LOG_FORMAT=json: one JSON object per line, with role and pid, never a secret."""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.redaction import forget_secrets, remember_secret
from cli import LOG_FORMAT, log_formatter
from sandbox.processes import cli_environment, run_cli
from telemetry.logs import RoleFilter, current_role, set_role

BOT_ID = "987654321"
SECRET = "AAFq3VtBrK9xYzL0mN4pQ7sT2uW8eH1jC5d"
TOKEN = f"{BOT_ID}:{SECRET}"


@pytest.fixture(autouse=True)
def clean_state() -> Iterator[None]:
    """No remembered secret and the role as it was, before and after each test."""
    role = current_role()
    forget_secrets()
    yield
    forget_secrets()
    set_role(role)


def capture(log_format: str) -> tuple[logging.Logger, io.StringIO]:
    """A logger writing through the handler set-up `newsbrief` uses, into a string."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RoleFilter())
    handler.setFormatter(log_formatter(log_format))
    logger = logging.Logger("newsbrief.test")
    logger.addHandler(handler)
    return logger, stream


def test_json_lines_carry_time_level_logger_role_pid_and_the_exception() -> None:
    logger, stream = capture("json")
    set_role("delivery")
    logger.info("sent %d parts\nto chat %s", 2, 42)
    try:
        raise ValueError("no answer from https://api.telegram.org/bot" + TOKEN + "/sendMessage")
    except ValueError:
        logger.exception("delivery %d failed", 7)

    lines = stream.getvalue().splitlines()
    assert len(lines) == 2  # a newline inside a message stays inside its line
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "sent 2 parts\nto chat 42"
    assert (first["level"], first["logger"], first["role"], first["pid"]) == (
        "INFO",
        "newsbrief.test",
        "delivery",
        os.getpid(),
    )
    assert first["time"].endswith("+00:00") and "T" in first["time"]
    assert "exception" not in first
    assert second["level"] == "ERROR" and second["message"] == "delivery 7 failed"
    assert second["exception"].startswith("Traceback (most recent call last)")
    assert f"/bot{BOT_ID}:***/sendMessage" in second["exception"]
    assert SECRET not in stream.getvalue()


def test_a_remembered_secret_is_masked_whatever_json_would_escape_in_it() -> None:
    odd = 'pa"ss\\word-ü'
    remember_secret(odd)
    logger, stream = capture("json")
    logger.warning("the proxy refused %s", odd)
    assert json.loads(stream.getvalue())["message"] == "the proxy refused ***"
    assert "word" not in stream.getvalue()


def test_text_stays_the_default_and_is_redacted_too() -> None:
    logger, stream = capture("text")
    logger.warning("calling /bot%s/getMe", TOKEN)
    line = stream.getvalue()
    assert f"/bot{BOT_ID}:***/getMe" in line and SECRET not in line
    assert LOG_FORMAT.startswith("%(asctime)s") and not line.startswith("{")


async def test_a_command_logs_json_from_the_environment_or_newsbrief_toml(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'news.db'}"
    env = cli_environment(
        tmp_path,
        NEWSBRIEF_DATABASE_URL=database,
        NEWSBRIEF_LOG_FORMAT="json",
        NEWSBRIEF_BOT_TOKEN=TOKEN,
    )
    done = await run_cli(["-v", "db", "upgrade"], env, tmp_path)
    assert done.process.returncode == 0, done.output
    records = [json.loads(line) for line in done.stderr]
    assert records, "alembic logs its steps with -v"
    assert {r["role"] for r in records} == {"db"}  # the command's name until `run` sets one
    assert len({r["pid"] for r in records}) == 1
    assert any(r["logger"].startswith("alembic") for r in records)

    (tmp_path / "newsbrief.toml").write_text('log_format = "json"\n')
    env.pop("NEWSBRIEF_LOG_FORMAT")
    other = f"sqlite:///{tmp_path / 'other.db'}"
    done = await run_cli(
        ["-v", "db", "upgrade"], {**env, "NEWSBRIEF_DATABASE_URL": other}, tmp_path
    )
    assert done.process.returncode == 0, done.output
    alembic = [line for line in done.stderr if "alembic" in line]
    assert alembic and all(json.loads(line)["role"] == "db" for line in alembic)
