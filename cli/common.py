"""Helpers shared by the CLI subcommands: settings, a migrated database, start-up errors, tables."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.exc import ArgumentError, DBAPIError
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.redaction import redact, remember_secret
from bot.settings import Settings, SettingsError, load_settings
from cli import use_log_format
from cli.errors import StartupError
from collector.transport import parse_proxy
from storage.db import Database, redact_url, sync_url
from storage.migrate import (
    SchemaMismatchError,
    current_revision,
    require_current_schema,
    upgrade,
)
from storage.process_lock import DatabaseInUseError

T = TypeVar("T")

log = logging.getLogger(__name__)


def load_cli_settings() -> Settings:
    """Settings for a command; its secrets (also from newsbrief.toml) are masked in all output."""
    settings = load_settings()
    use_log_format(settings.log_format)  # newsbrief.toml may set it too
    if settings.feed_proxy:
        try:  # at start, in one line, not as a traceback at the first feed
            parse_proxy(settings.feed_proxy)
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
    if settings.bot_token is not None:
        remember_secret(settings.bot_token.get_secret_value())
    if settings.webhook_secret is not None:
        remember_secret(settings.webhook_secret.get_secret_value())
    return settings


def check_database_url(url: str) -> None:
    """Raise SettingsError naming NEWSBRIEF_DATABASE_URL if it is not a URL newsbrief can use."""
    try:
        sync_url(url)
    except (ArgumentError, ValueError) as exc:
        raise SettingsError(
            f"NEWSBRIEF_DATABASE_URL is invalid: {_first_line(exc)} "
            "(e.g. sqlite:///newsbrief.db or postgresql://user:password@host/db)"
        ) from None


@contextlib.contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Turn a database that cannot be opened into a one-line StartupError naming the setting."""
    try:
        yield
    except DBAPIError as exc:
        # DBAPIError also covers a failed query; only the first connection of a command runs
        # inside this block, so here it means the database could not be reached or opened.
        reason = _first_line(exc.orig if exc.orig is not None else exc)
        if url.startswith("sqlite"):
            hint = "check that its directory exists and is writable"
        else:
            hint = "check that the server runs and the URL's host, port, user and password"
        raise StartupError(
            f"cannot open the database NEWSBRIEF_DATABASE_URL={_shown_database_url(url)}: "
            f"{reason}; {hint}"
        ) from exc


# A connection dropped mid-statement at start-up (a failover, an administrator's
# pg_terminate_backend) is tried again this many times before the process gives up.
_START_RETRIES = 3


def retry_dropped_connection(action: Callable[[], T]) -> T:
    """`action()`, again after a second or two if the server dropped the connection under it;
    any other error (refused connection, wrong password) goes up at once."""
    for attempt in range(_START_RETRIES):
        try:
            return action()
        except DBAPIError as exc:
            if not exc.connection_invalidated or attempt == _START_RETRIES - 1:
                raise
            log.warning("the database dropped the connection at start-up; trying again")
            time.sleep(1.0 + attempt)
    raise AssertionError("unreachable")


def migrate(url: str) -> None:
    """Check the database URL, then bring the schema up to date (StartupError if unreachable)."""
    check_database_url(url)
    with database_errors(url):
        retry_dropped_connection(lambda: upgrade(url))


def require_schema(url: str) -> None:
    """StartupError, naming what to run, unless the database's schema is the current one
    (`run --no-migrate`)."""
    check_database_url(url)
    with database_errors(url):
        try:
            retry_dropped_connection(lambda: require_current_schema(url))
        except SchemaMismatchError as exc:
            raise StartupError(str(exc)) from exc


@contextlib.contextmanager
def startup_errors() -> Iterator[None]:
    """A second process on one SQLite file, or a schema of the wrong version: one line."""
    try:
        yield
    except DatabaseInUseError as exc:
        raise StartupError(str(exc)) from exc


def schema_revision(url: str) -> str | None:
    """The database's schema revision (None: empty), or StartupError if it cannot be opened."""
    check_database_url(url)
    with database_errors(url):
        return current_revision(url)


def telegram_startup_error(exc: TelegramError, settings: Settings) -> StartupError:
    """A one-line StartupError for a Bot API that refused or could not be reached at start."""
    url = shown_url(settings.telegram_api_url)
    if isinstance(exc, InvalidToken):
        # PTB's own message quotes the token; Telegram's answer (Unauthorized, Not Found) is
        # the cause.
        cause = exc.__cause__
        answer = cause.message if isinstance(cause, TelegramError) else exc.message
        return StartupError(
            f"the Bot API at {url} rejected NEWSBRIEF_BOT_TOKEN ({redact(answer)}): check the "
            "token @BotFather gave you, and NEWSBRIEF_TELEGRAM_API_URL if you run your own"
        )
    reason = redact(_first_line(exc))
    if isinstance(exc, NetworkError):  # also TimedOut
        return StartupError(
            f"cannot use the Telegram Bot API at NEWSBRIEF_TELEGRAM_API_URL={url}: {reason}; "
            "check the URL, the network and any proxy (HTTPS_PROXY)"
        )
    return StartupError(
        f"the Telegram Bot API at NEWSBRIEF_TELEGRAM_API_URL={url} refused to start the bot: "
        f"{reason}"
    )


def shown_url(url: str) -> str:
    """An http(s) URL with any password in it masked, safe to print."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return redact(url)
        host = parts.hostname or ""
        netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
        return redact(urlunsplit(parts._replace(netloc=netloc)))
    except ValueError:  # a malformed port: show nothing of it rather than a secret
        return "(unparsable URL)"


def _shown_database_url(url: str) -> str:
    try:
        return redact(redact_url(url))
    except ArgumentError:
        return "(unparsable URL)"


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def run_with_database(work: Callable[[Database, Settings], Awaitable[T]]) -> T:
    """Load settings, migrate the database, run `work(db, settings)` on a fresh event loop."""
    settings = load_cli_settings()
    migrate(settings.database_url)

    async def _main() -> T:
        db = Database(settings.database_url)
        try:
            return await work(db, settings)
        finally:
            await db.dispose()

    return asyncio.run(_main())


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table with columns padded to their widest cell."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
