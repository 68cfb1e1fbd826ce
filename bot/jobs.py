"""JobQueue callbacks: they only tick; the database holds the schedule and the queue."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import ContextTypes

from bot.admin_views import pause_notice
from bot.context import BotServices, services
from bot.i18n import use_language
from storage.deliveries import prune
from storage.feeds import get_feed
from storage.retention import prune_old_data
from storage.send_budget import prune_send_slots
from storage.stats import feed_health
from storage.subscribers import languages_of_chats

log = logging.getLogger(__name__)


async def delivery_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue the briefings due by now and wake the delivery worker (tick lock holder only)."""
    app = services(context)
    if not await app.leader.holding():
        return
    report = await app.scheduler.tick()
    if report.queued or report.breaking:
        app.worker.wake()


async def collect_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Collect due feeds; tell the admins once about feeds that were just paused, with buttons
    to resume or remove each."""
    app = services(context)
    if app.collector is None:
        return
    report = await app.collector.collect_due()
    failures = app.settings.feed_failures_before_pause
    for url in report.newly_paused:
        now = app.clock()
        async with app.db.session() as session:
            feed = await get_feed(session, url)
            found = (
                await feed_health(session, since=now - timedelta(hours=24), feed_id=feed.id)
                if feed is not None
                else []
            )
            languages = await languages_of_chats(session, app.settings.admin_ids)
        for admin_id in sorted(app.settings.admin_ids):
            # Each admin reads it in their own chat's language.
            with use_language(languages.get(admin_id)):
                text, markup = pause_notice(found[0] if found else None, url, failures)
            try:
                await context.bot.send_message(admin_id, text, reply_markup=markup)
            except Exception:  # one unreachable admin must not hide it from the others
                log.warning("could not tell admin %s that %s was paused", admin_id, url)


async def housekeeping(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete what has outlived its retention (see tidy_up); tick lock holder only."""
    app = services(context)
    if not await app.leader.holding():
        return
    await tidy_up(app)


async def tidy_up(app: BotServices) -> None:
    """Housekeeping's work: delete closed delivery rows, then old articles, emptied stories,
    old feed failures and old feed entries whose article is gone (storage.retention, in small
    transactions), each past its retention setting, and the send budget's slots of chats
    quiet for an hour (PostgreSQL)."""
    now = app.clock()
    settings = app.settings
    before = now - timedelta(days=settings.delivery_retention_days)
    async with app.db.session() as session:
        removed = await prune(session, before=before)
    if removed:
        log.info("housekeeping: removed %d old delivery rows", removed)
    if app.db.dialect == "postgresql":
        await prune_send_slots(app.db, now)
    report = await prune_old_data(
        app.db,
        articles_before=now - timedelta(days=settings.article_retention_days),
        feed_entries_before=now - timedelta(days=settings.feed_entry_retention_days),
        feed_failures_before=now - timedelta(days=settings.feed_failure_retention_days),
    )
    if report.total:
        log.info(
            "housekeeping: removed %d articles, %d stories, %d feed entries, %d feed failures "
            "(search index merged in %d steps)",
            report.articles,
            report.stories,
            report.feed_entries,
            report.feed_failures,
            report.search_merge_steps,
        )
