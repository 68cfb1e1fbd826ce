"""Wiring: the PTB Application with handlers, rate limiter, JobQueue ticks and the worker.

A process runs in one role: "all" (everything, the single-process default), "updates" (takes
Telegram updates and answers them), "collector" (collects feeds), "delivery" (works the delivery
queue). Every role competes for the tick lock (`storage.leader`): the one process holding it
runs the slot tick and housekeeping.

Embedding without `run_polling` (tests, `newsbrief demo`):

    application = build_application(settings, db)
    async with application:                      # initialize / shutdown
        await application.start()                # JobQueue, delivery worker, command menu
        await application.updater.start_polling()
        ...
        await application.updater.stop()
        await application.stop()
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from telegram import (
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, Defaults, JobQueue

from bot import jobs
from bot.collecting import CollectorLike, FeedChecker
from bot.commands import ADMIN_COMMANDS, CHANNEL_COMMANDS, SUBSCRIBER_COMMANDS, bot_commands
from bot.context import BOT_DATA_KEY, BotServices, services
from bot.cpu import CpuRunner, ThreadRunner
from bot.delivery import DeliveryWorker
from bot.handlers import register_handlers
from bot.i18n import DEFAULT_LANGUAGE, available_languages, load_catalogues, use_language
from bot.ratelimit import TelegramRateLimiter
from bot.request import AiohttpRequest, telegram_proxy
from bot.scheduler import SlotScheduler
from bot.settings import Settings
from bot.updates import PerChatUpdateProcessor
from storage.clock import utcnow
from storage.db import Database
from storage.deliveries import release_claims
from storage.leader import LeaderLock
from storage.notify import DeliveryListener
from storage.send_budget import SendBudget

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
HOUSEKEEPING_INTERVAL = timedelta(hours=6)
ROLES = ("all", "updates", "collector", "delivery")


def takes_updates(role: str) -> bool:
    """Whether a process of this role answers Telegram updates."""
    return role in ("all", "updates")


def runs_deliveries(role: str) -> bool:
    """Whether a process of this role works the delivery queue."""
    return role in ("all", "delivery")


class NewsbriefApplication(Application):  # type: ignore[type-arg]
    """A PTB Application that also runs the delivery worker and publishes the command menu."""

    async def start(self) -> None:
        """Start PTB (JobQueue), then what the role runs: the command menu for a process that
        takes updates; interrupted deliveries resumed and the worker for one that delivers."""
        await super().start()
        app = services(self)
        if app.db.dialect == "sqlite" and app.role == "all":
            # SQLite means one process: rows still claimed were held by a process that died.
            async with app.db.session() as session:
                released = await release_claims(session)
            if released:
                log.info("resuming %d deliveries interrupted by the last stop", released)
        if takes_updates(app.role):
            await publish_commands(self, app.settings)
        if runs_deliveries(app.role):
            app.worker.start()
            app.listener.start()

    async def stop(self) -> None:
        """Stop the delivery worker at once (unsent parts resume on restart), then PTB; give
        the tick lock up for another process to take at its next tick."""
        app = services(self)
        await app.listener.stop()
        await app.worker.stop()
        await app.leader.release()
        await super().stop()


async def publish_commands(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """setMyCommands for each scope (bot/commands.py): subscribers' commands everywhere, the
    channel commands in private chats, admin commands in the admins' own chats; each once in
    English (no language_code: every client without a list of its own) and once per shipped
    language (its language_code), described in that language."""
    private = SUBSCRIBER_COMMANDS + CHANNEL_COMMANDS
    for language in available_languages():
        code = None if language == DEFAULT_LANGUAGE else language
        with use_language(language):
            try:
                for commands, scope in (
                    (SUBSCRIBER_COMMANDS, None),
                    (private, BotCommandScopeAllPrivateChats()),
                    (SUBSCRIBER_COMMANDS, BotCommandScopeAllGroupChats()),
                ):
                    await application.bot.set_my_commands(
                        bot_commands(commands), scope=scope, language_code=code
                    )
            except TelegramError as exc:
                log.warning("could not publish the command menu (%s): %s", language, exc)
                return
            for admin_id in sorted(settings.admin_ids):
                try:
                    await application.bot.set_my_commands(
                        bot_commands(private + ADMIN_COMMANDS),
                        scope=BotCommandScopeChat(admin_id),
                        language_code=code,
                    )
                except TelegramError as exc:  # e.g. the admin never opened a chat with the bot
                    log.warning("could not publish admin commands for %s: %s", admin_id, exc)


def build_application(
    settings: Settings,
    db: Database,
    *,
    collector: CollectorLike | None = None,
    feed_checker: FeedChecker | None = None,
    cpu: CpuRunner | None = None,
    clock: Callable[[], datetime] | None = None,
    schedule_jobs: bool = True,
    role: str = "all",
) -> NewsbriefApplication:
    """The bot, ready for `async with` + start() or run_polling()/run_webhook().

    `collector` (an entered collector.service.Collector) enables the collect tick and, unless
    `feed_checker` is given, checks /addfeed's feeds; `cpu` runs summaries and answers off the
    event loop (default: a thread); `clock` drives scheduling in tests; `schedule_jobs=False`
    leaves the ticks to the caller (tests call `services(app).scheduler.tick()` directly).
    """
    load_catalogues()  # compiled once here, never on a user's first message
    api = settings.telegram_api_url.rstrip("/")
    builder = (
        ApplicationBuilder()
        .application_class(NewsbriefApplication)
        .token(settings.require_token())
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
    )
    # Chats are answered side by side, each in its own order (bot/updates.py).
    builder = builder.concurrent_updates(PerChatUpdateProcessor(settings.concurrent_updates))
    pool_size = settings.delivery_concurrency + settings.concurrent_updates + 8
    # NEWSBRIEF_TELEGRAM_PROXY carries getUpdates and every other call; unset, the environment's.
    proxy = telegram_proxy(settings.telegram_proxy, settings.http_backend)
    if settings.http_backend == "aiohttp":
        builder = builder.request(AiohttpRequest(pool_size, proxy=proxy)).get_updates_request(
            AiohttpRequest(1, proxy=proxy)
        )
    else:
        builder = builder.connection_pool_size(pool_size)
        if proxy is not None:
            builder = builder.proxy(proxy).get_updates_proxy(proxy)
    if settings.rate_limit_per_second > 0:
        per_second = (
            settings.paid_broadcast_per_second
            if settings.allow_paid_broadcast
            else settings.rate_limit_per_second
        )
        # Several processes may send for this bot on PostgreSQL: one budget for all of them.
        budget = SendBudget(db, per_second) if db.dialect == "postgresql" else None
        builder = builder.rate_limiter(TelegramRateLimiter(per_second, budget))
    application: NewsbriefApplication = builder.build()  # type: ignore[assignment]
    clock = clock or utcnow
    worker = DeliveryWorker(application.bot, db, settings, clock)
    application.bot_data[BOT_DATA_KEY] = BotServices(
        db=db,
        settings=settings,
        clock=clock,
        scheduler=SlotScheduler(db, settings, clock),
        worker=worker,
        collector=collector,
        feed_checker=feed_checker or collector,
        cpu=cpu or ThreadRunner(),
        role=role,
        leader=LeaderLock(db),
        listener=DeliveryListener(db.url, worker.wake),
    )
    if takes_updates(role):
        register_handlers(application)
    if schedule_jobs:
        schedule_ticks(application.job_queue, settings, with_collector=collector is not None)
    return application


def schedule_ticks(
    job_queue: JobQueue[Any] | None, settings: Settings, *, with_collector: bool
) -> None:
    """The delivery tick (now, then just after every minute) and housekeeping, which only the
    tick lock's holder carries out, and the collect tick where a collector runs."""
    if job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    once = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
    job_queue.run_once(jobs.delivery_tick, when=0, name="delivery catch-up")
    interval = settings.delivery_tick_seconds
    now = utcnow()
    # Just after a minute boundary, so an 08:00 slot goes out at 08:00:01, not up to 08:00:59.
    first = interval - (now.timestamp() % interval) + 1 if interval == 60 else interval
    job_queue.run_repeating(
        jobs.delivery_tick, interval=interval, first=first, name="delivery tick", job_kwargs=once
    )
    if with_collector:
        job_queue.run_repeating(
            jobs.collect_tick,
            interval=settings.collect_interval_seconds,
            first=1,
            name="collect tick",
            job_kwargs=once,
        )
    job_queue.run_repeating(
        jobs.housekeeping,
        interval=HOUSEKEEPING_INTERVAL,
        first=timedelta(minutes=5),
        name="housekeeping",
        job_kwargs=once,
    )
