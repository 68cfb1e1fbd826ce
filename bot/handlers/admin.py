"""Admin handlers: topics, feeds, stats and broadcasts (all behind `admin_only`)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import ContextTypes

from bot.collecting import FeedCheck
from bot.context import BotServices, services
from bot.formatting import (
    MAX_MESSAGE,
    MessagePart,
    dump_parts,
    echo,
    escape,
    telegram_length,
)
from bot.handlers.common import admin_only, args_of, reply, rest_of_message
from bot.views import feeds_messages, stats_text
from storage import deliveries as queue
from storage.delivery_stats import queue_stats
from storage.feeds import FeedError, add_feed, remove_feed, set_feed_weight
from storage.stats import articles_since, feed_health
from storage.subscribers import count_by_status
from storage.topics import TopicError, add_topic, remove_topic

log = logging.getLogger(__name__)

BROADCAST_PREFIX = "📣 "
MAX_BROADCAST = MAX_MESSAGE - 200  # room for the prefix and escaping


@admin_only
async def add_topic_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/addtopic <name> [keywords…]"""
    args = args_of(context)
    if not args:
        await reply(
            update, "Usage: /addtopic &lt;name&gt; [keywords…], e.g. /addtopic Tech ai chips"
        )
        return
    name, keywords = args[0], args[1:]
    try:
        async with services(context).db.session() as session:
            topic = await add_topic(session, name, keywords)
    except TopicError as exc:
        await reply(update, f"Could not add the topic: {echo(str(exc), 500)}.")
        return
    words = f" with keywords: {echo(' '.join(keywords), 500)}" if keywords else ""
    await reply(
        update,
        f"Added topic <b>{echo(topic.title, 200)}</b> (<code>{escape(topic.name)}</code>){words}.\n"
        f"Add feeds with /addfeed {escape(topic.name)} &lt;url&gt;.",
    )


@admin_only
async def delete_topic_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/deltopic <name>"""
    args = args_of(context)
    if len(args) != 1:
        await reply(update, "Usage: /deltopic &lt;name&gt;, e.g. /deltopic tech")
        return
    try:
        async with services(context).db.session() as session:
            topic = await remove_topic(session, args[0])
    except TopicError as exc:
        await reply(update, f"Could not remove it: {echo(str(exc), 500)}.")
        return
    await reply(update, f"Removed topic <b>{echo(topic.title, 200)}</b> with its feeds.")


@admin_only
async def add_feed_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/addfeed <topic> <url>: add the feed, fetch it once, report what came of it."""
    args = args_of(context)
    if len(args) != 2:
        await reply(
            update,
            "Usage: /addfeed &lt;topic&gt; &lt;url&gt;, e.g. /addfeed tech https://example.org/rss",
        )
        return
    topic, url = args
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        await reply(
            update, f"“{echo(url)}” is not an http(s) URL. Example: https://example.org/rss"
        )
        return
    app = services(context)
    try:
        async with app.db.session() as session:
            await add_feed(session, topic, url)
    except FeedError as exc:
        await reply(update, f"Could not add the feed: {echo(str(exc), 500)}.")
        return
    await reply(update, f"Checking {echo(url)} …")
    try:
        result = await _check_feed(app, url)
    except Exception as exc:  # the feed must not stay half-added because of a bug
        log.exception("checking %s failed", url)
        result, failure = None, f"internal error ({type(exc).__name__})"
    else:
        failure = "the collector is not available"
    if result is None or result.status == "error":
        error = failure if result is None else result.error
        async with app.db.session() as session:  # a feed that never worked is not kept
            await remove_feed(session, url)
        await reply(
            update,
            f"❌ Could not use {echo(url)}: {echo(error or 'unknown error', 500)}.\n"
            "Nothing was added; check the URL and try again.",
        )
        return
    title = echo(result.title or url, 200)
    await reply(
        update,
        f"✅ Added <b>{title}</b> to {echo(topic, 100)}: {result.new} new articles "
        f"({result.seconds:.1f} s).",
    )


async def _check_feed(app: BotServices, url: str) -> FeedCheck | None:
    """Fetch the feed once with the feed checker `cli` handed over (None: there is none)."""
    if app.feed_checker is None:
        return None
    return await app.feed_checker.check_feed(url)


@admin_only
async def delete_feed_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/delfeed <url>"""
    args = args_of(context)
    if len(args) != 1:
        await reply(update, "Usage: /delfeed &lt;url&gt; (see the URLs with /feeds)")
        return
    try:
        async with services(context).db.session() as session:
            await remove_feed(session, args[0])
    except FeedError as exc:
        await reply(update, f"Could not remove it: {echo(str(exc), 500)}. See /feeds for the URLs.")
        return
    await reply(update, f"Removed the feed {echo(args[0])}; its articles stay.")


@admin_only
async def feed_weight_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/feedweight <url> <weight>: how much the feed's stories weigh in briefings (default 1)."""
    args = args_of(context)
    weight = _number(args[1]) if len(args) == 2 else None
    if weight is None:
        await reply(
            update,
            "Usage: /feedweight &lt;url&gt; &lt;weight&gt;, e.g. /feedweight https://… 2 "
            "(0 to 10; 1 is the default, 0 keeps its stories out of the top)",
        )
        return
    try:
        async with services(context).db.session() as session:
            feed = await set_feed_weight(session, args[0], weight)
    except FeedError as exc:
        await reply(update, f"Could not set it: {echo(str(exc), 500)}. See /feeds for the URLs.")
        return
    await reply(update, f"The feed {echo(feed.url)} now weighs {weight:g}.")


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if value == value else None  # NaN is not a weight


@admin_only
async def list_feeds_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/feeds: every feed with last success, error count and articles in the last 24 h."""
    app = services(context)
    now = app.clock()
    async with app.db.session() as session:
        feeds = await feed_health(session, since=now - timedelta(hours=24))
    for text in feeds_messages(feeds, now):
        await reply(update, text)


@admin_only
async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: subscribers, briefings sent today, articles today, queue lag."""
    app = services(context)
    now = app.clock()
    day_start = datetime(now.year, now.month, now.day, tzinfo=UTC)
    async with app.db.session() as session:
        counts = await count_by_status(session)
        stats = await queue_stats(session, now=now, day_start=day_start)
        articles = await articles_since(session, day_start)
    await reply(update, stats_text(counts, stats, articles, now))


@admin_only
async def broadcast_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/broadcast <text>: queue the text for every active subscriber (rate-limited queue)."""
    text = rest_of_message(update)
    if not text:
        await reply(update, "Usage: /broadcast &lt;text&gt; — sent to every active subscriber.")
        return
    body = BROADCAST_PREFIX + escape(text)
    if telegram_length(body) > MAX_BROADCAST:
        await reply(update, f"That is too long: at most {MAX_BROADCAST} characters, please.")
        return
    app = services(context)
    async with app.db.session() as session:
        count = await queue.enqueue_broadcast(session, dump_parts([MessagePart(body)]), app.clock())
    app.worker.wake()
    await reply(update, f"Broadcast queued for {count} active subscribers.")
