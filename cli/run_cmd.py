"""`newsbrief run`: the bot, the scheduler and the collector in one process until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from contextlib import AsyncExitStack
from urllib.parse import urlsplit

from telegram.error import TelegramError
from telegram.ext import Updater

from bot.app import ALLOWED_UPDATES, build_application
from bot.settings import Settings, SettingsError
from cli.common import load_cli_settings, migrate, shown_url, telegram_startup_error
from collector.pool import WorkerPool
from collector.report import FeedResult
from collector.service import Collector
from storage.db import Database, redact_url

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `run` subcommand."""
    parser = subparsers.add_parser(
        "run",
        help="run the bot: long polling (default) or a webhook, with scheduler and collector",
        description=(
            "Run the Telegram bot with its delivery scheduler and feed collector until "
            "interrupted. Needs NEWSBRIEF_BOT_TOKEN; migrates the database first. By default "
            "it long-polls Telegram; with --webhook-url it serves a webhook instead (secret "
            "token from NEWSBRIEF_WEBHOOK_SECRET)."
        ),
    )
    parser.add_argument(
        "--webhook-url",
        metavar="URL",
        help="public https URL Telegram posts updates to (enables webhook mode)",
    )
    parser.add_argument(
        "--listen", metavar="HOST", default="0.0.0.0", help="webhook: address to listen on"
    )
    parser.add_argument("--port", type=int, default=8443, help="webhook: port to listen on")
    parser.add_argument(
        "--no-collector", action="store_true", help="do not collect feeds in this process"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Check settings, migrate, then serve until SIGINT/SIGTERM."""
    settings = load_cli_settings()
    settings.require_token()
    if args.webhook_url:
        _check_webhook_args(args, settings)
    migrate(settings.database_url)
    asyncio.run(serve(settings, args))
    return 0


def _check_webhook_args(args: argparse.Namespace, settings: Settings) -> None:
    settings.require_webhook_secret()
    parts = urlsplit(args.webhook_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"--webhook-url must be an http(s) URL, got {args.webhook_url!r}")
    if not 0 < args.port < 65536:
        raise SettingsError(f"--port must be between 1 and 65535, got {args.port}")


async def serve(
    settings: Settings, args: argparse.Namespace, stop: asyncio.Event | None = None
) -> None:
    """Run until `stop` is set (by default: until SIGINT or SIGTERM)."""
    stop = stop or _stop_on_signals()
    db = Database(settings.database_url)
    # One process pool for every CPU job of this process: the collector's extraction and
    # summaries, and the bot's answers and "More" views. Workers start on first use, and a
    # pool broken by a dead worker is replaced.
    workers = WorkerPool()
    try:
        async with AsyncExitStack() as stack:
            collector = None
            if not args.no_collector:
                collector = await stack.enter_async_context(
                    Collector(db, settings, workers=workers)
                )
            application = build_application(
                settings,
                db,
                collector=collector,
                feed_checker=collector or OneOffFeedChecker(db, settings, workers),
                cpu=workers,
            )
            try:
                # getMe: the first request, where a wrong token or URL shows.
                await stack.enter_async_context(application)
            except TelegramError as exc:
                await application.bot.shutdown()  # PTB leaves a failed start's sessions open
                raise telegram_startup_error(exc, settings) from exc
            await application.start()
            updater = application.updater
            assert updater is not None
            try:
                await _receive_updates(updater, settings, args)
            except TelegramError as exc:  # deleteWebhook / setWebhook refused
                await application.stop()
                raise telegram_startup_error(exc, settings) from exc
            await stop.wait()
            log.info("stopping")
            await updater.stop()
            await application.stop()
    finally:
        await workers.close()
        await db.dispose()


async def _receive_updates(updater: Updater, settings: Settings, args: argparse.Namespace) -> None:
    """Start the webhook or long polling."""
    database = redact_url(settings.database_url)
    if args.webhook_url:
        path = urlsplit(args.webhook_url).path.lstrip("/")
        await updater.start_webhook(
            listen=args.listen,
            port=args.port,
            url_path=path,
            webhook_url=args.webhook_url,
            secret_token=settings.require_webhook_secret(),
            allowed_updates=ALLOWED_UPDATES,
        )
        log.info("serving the webhook on %s:%d (database %s)", args.listen, args.port, database)
    else:
        await updater.start_polling(
            timeout=settings.polling_timeout_seconds, allowed_updates=ALLOWED_UPDATES
        )
        log.info("long polling %s (database %s)", shown_url(settings.telegram_api_url), database)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on every platform
            loop.add_signal_handler(sig, stop.set)
    return stop


class OneOffFeedChecker:
    """Checks an admin's new feed with a short-lived collector, in a process that does not
    collect (`--no-collector`)."""

    def __init__(self, db: Database, settings: Settings, workers: WorkerPool) -> None:
        self._db = db
        self._settings = settings
        self._workers = workers

    async def check_feed(self, url: str) -> FeedResult:
        """Fetch and store the feed once."""
        async with Collector(self._db, self._settings, workers=self._workers) as collector:
            return await collector.check_feed(url)
