"""JobQueue callbacks: they only tick; the database holds the schedule and the queue."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import ContextTypes

from bot.context import services
from bot.formatting import escape
from storage.deliveries import prune

log = logging.getLogger(__name__)


async def delivery_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue the briefings due by now and wake the delivery worker."""
    app = services(context)
    report = await app.scheduler.tick()
    if report.queued:
        app.worker.wake()


async def collect_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Collect due feeds; tell the admins once about feeds that were just paused."""
    app = services(context)
    if app.collector is None:
        return
    report = await app.collector.collect_due()
    for url in report.newly_paused:
        failures = app.settings.feed_failures_before_pause
        text = (
            f"⏸ Feed paused after {failures} failed check{'s' if failures != 1 else ''} "
            f"in a row: {escape(url)}\nSee /feeds; /delfeed removes it."
        )
        for admin_id in sorted(app.settings.admin_ids):
            try:
                await context.bot.send_message(admin_id, text)
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
