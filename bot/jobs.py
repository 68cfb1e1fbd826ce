"""JobQueue callbacks: they only tick; the database holds the schedule and the queue."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import ContextTypes

from bot.admin_views import pause_notice
from bot.context import services
from storage.deliveries import prune
from storage.feeds import get_feed
from storage.stats import feed_health

log = logging.getLogger(__name__)


async def delivery_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue the briefings due by now and wake the delivery worker."""
    app = services(context)
    report = await app.scheduler.tick()
    if report.queued:
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
        text, markup = pause_notice(found[0] if found else None, url, failures)
        for admin_id in sorted(app.settings.admin_ids):
            try:
                await context.bot.send_message(admin_id, text, reply_markup=markup)
            except Exception:  # one unreachable admin must not hide it from the others
                log.warning("could not tell admin %s that %s was paused", admin_id, url)


async def housekeeping(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete closed delivery rows older than the retention period."""
    app = services(context)
    before = app.clock() - timedelta(days=app.settings.delivery_retention_days)
    async with app.db.session() as session:
        removed = await prune(session, before=before)
    if removed:
        log.info("housekeeping: removed %d old delivery rows", removed)
