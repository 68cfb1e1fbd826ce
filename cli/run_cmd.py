"""`newsbrief run`: the bot, the scheduler and the collector until Ctrl-C, in one process or as
one role of several (updates, collector, delivery) sharing a PostgreSQL database."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from contextlib import AsyncExitStack
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from telegram.error import TelegramError
from telegram.ext import Updater

from bot.app import (
    ALLOWED_UPDATES,
    ROLES,
    NewsbriefApplication,
    build_application,
    runs_deliveries,
    takes_updates,
)
from bot.context import services
from bot.handlers.opml_files import OPML_FILES
from bot.settings import Settings, SettingsError
from cli.common import (
    check_database_url,
    load_cli_settings,
    migrate,
    require_schema,
    shown_url,
    startup_errors,
    telegram_startup_error,
)
from cli.feeds_cmd import OpmlFiles
from cli.ops import ops_server
from collector.pool import WorkerPool
from collector.report import FeedResult
from collector.service import Collector
from storage.db import Database, redact_url
from storage.process_lock import SqliteProcessLock
from telemetry.logs import set_role

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
        "--role",
        choices=ROLES,
        default="all",
        help=(
            "what this process does: all (the default: one process does everything), updates "
            "(answers Telegram), collector (collects feeds), delivery (sends briefings); "
            "several processes need PostgreSQL"
        ),
    )
    parser.add_argument(
        "--no-migrate",
        action="store_true",
        help="do not migrate the database; refuse to start if its schema is not current",
    )
    parser.add_argument(
        "--no-collector",
        action="store_true",
        help="role all without collecting feeds in this process",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Check settings, take the SQLite process lock, migrate (or check the schema), then serve
    until SIGINT/SIGTERM."""
    settings = load_cli_settings()
    set_role(args.role)  # in every log line (and the JSON logs' "role")
    settings.require_token()
    if args.webhook_url:
        _check_webhook_args(args, settings)
    check_database_url(settings.database_url)
    postgres = make_url(settings.database_url).get_backend_name() == "postgresql"
    if not postgres and args.role != "all":
        raise SettingsError(
            f"--role {args.role} needs PostgreSQL (NEWSBRIEF_DATABASE_URL=postgresql://…): "
            "SQLite serves one process, which runs every role (--role all)"
        )
    with startup_errors(), SqliteProcessLock(settings.database_url):
        if args.no_migrate:
            require_schema(settings.database_url)
        else:
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
            role = getattr(args, "role", "all")
            # /healthz answers from here on; /readyz once every component below runs.
            running: dict[str, Callable[[], bool]] = {"start-up": lambda: False}
            await stack.enter_async_context(ops_server(settings, db, role=role, running=running))
            collector = None
            if role == "collector" or (role == "all" and not args.no_collector):
                collector = await stack.enter_async_context(
                    Collector(db, settings, workers=workers)
                )
            application = build_application(
                settings,
                db,
                collector=collector,
                feed_checker=collector or OneOffFeedChecker(db, settings, workers),
                cpu=workers,
                role=role,
            )
            # OPML files admins send, and /export: read and written as `feeds import|export` do.
            application.bot_data[OPML_FILES] = OpmlFiles()
            try:
                # getMe: the first request, where a wrong token or URL shows.
                await stack.enter_async_context(application)
            except TelegramError as exc:
                await application.bot.shutdown()  # PTB leaves a failed start's sessions open
                raise telegram_startup_error(exc, settings) from exc
            await application.start()
            updater = application.updater
            assert updater is not None
            if takes_updates(role):
                try:
                    await _receive_updates(updater, settings, args)
                except TelegramError as exc:  # deleteWebhook / setWebhook refused
                    await application.stop()
                    raise telegram_startup_error(exc, settings) from exc
            else:
                log.info(
                    "running as the %s role (database %s)", role, redact_url(settings.database_url)
                )
            _report_running(running, application, role)
            await stop.wait()
            log.info("stopping")
            if updater.running:
                await updater.stop()
            await application.stop()
    finally:
        await workers.close()
        await db.dispose()


def _report_running(
    running: dict[str, Callable[[], bool]], application: NewsbriefApplication, role: str
) -> None:
    """What /readyz checks from now on: the bot and its ticks, and each part of the role."""
    del running["start-up"]
    running["bot"] = lambda: application.running
    job_queue = application.job_queue
    running["ticks"] = lambda: job_queue is not None and job_queue.scheduler.running
    if runs_deliveries(role):
        running["delivery worker"] = lambda: services(application).worker.running
    if takes_updates(role):
        updater = application.updater
        running["updates"] = lambda: updater is not None and updater.running


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
