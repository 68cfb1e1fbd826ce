"""Texts and keyboards of the admins' answers (HTML, every dynamic string escaped). Pure.

Button data is at most 64 bytes and carries ids, never names or URLs:

- `feed:<id>` shows a feed with its buttons in a new message (`feed:<id>:view` in place of
  the pressed one); `feed:<id>:w:<weight>` sets its weight,
  `feed:<id>:pause` / `feed:<id>:resume`, `feed:<id>:del` asks to remove it and
  `feed:<id>:delok` removes it;
- `deltopic:<id>:yes` / `deltopic:<id>:no` answer "Remove the topic?";
- `broadcast:<n>:send` / `broadcast:<n>:cancel` answer a broadcast's preview (`n` is the id of
  the admin's /broadcast message).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.collecting import FeedCheck
from bot.formatting import (
    BUTTONS_PER_ROW,
    MAX_MESSAGE,
    bold,
    echo,
    escape_within,
    shorten,
    split_blocks,
    telegram_length,
)
from bot.i18n import _, isolate, ngettext, num
from bot.views import ago
from storage.delivery_stats import QueueStats
from storage.stats import FeedHealth

FEED_CALLBACK = "feed:"
DELETE_TOPIC_CALLBACK = "deltopic:"
BROADCAST_CALLBACK = "broadcast:"
# Weights the ± buttons step through (any 0-10 value can still be typed with /feedweight).
WEIGHT_STEPS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
FEEDS_PER_MESSAGE = 20  # one "#n" button each; Telegram allows 100 buttons in a message
MAX_FEED_NAME = 60
BROADCAST_PREFIX = "📣 "


def weight_text(weight: float) -> str:
    """A weight as people write it: 1, 1.5, 0.25."""
    return f"{weight:g}"


def feed_name(title: str | None, url: str, limit: int = MAX_FEED_NAME) -> str:
    """A feed's title (else its URL), shortened and escaped."""
    return escape_within(shorten(title or url, limit), limit * 2)


# --- /feeds and a feed's own view -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedAction:
    """A pressed feed button: the feed's id, what to do, and the weight to set (for "weight")."""

    feed_id: int
    verb: str  # "show", "view", "weight", "pause", "resume", "del", "delok"
    weight: float | None = None


_VERBS = {"view", "pause", "resume", "del", "delok"}


def feed_callback(feed_id: int, verb: str = "show", weight: float | None = None) -> str:
    """The data of a feed button."""
    if verb == "show":
        return f"{FEED_CALLBACK}{feed_id}"
    if verb == "weight":
        return f"{FEED_CALLBACK}{feed_id}:w:{weight_text(weight or 0.0)}"
    return f"{FEED_CALLBACK}{feed_id}:{verb}"


def parse_feed_callback(data: str) -> FeedAction | None:
    """A pressed feed button's action, or None if the data is malformed."""
    fields = data.removeprefix(FEED_CALLBACK).split(":")
    if not fields[0].isdigit():
        return None
    feed_id = int(fields[0])
    if len(fields) == 1:
        return FeedAction(feed_id, "show")
    if len(fields) == 2 and fields[1] in _VERBS:
        return FeedAction(feed_id, fields[1])
    if len(fields) == 3 and fields[1] == "w":
        try:
            weight = float(fields[2])
        except ValueError:
            return None
        if 0.0 <= weight <= WEIGHT_STEPS[-1]:
            return FeedAction(feed_id, "weight", weight)
    return None


def _state(feed: FeedHealth) -> str:
    if feed.paused:
        return "⏸"
    return "⚠️" if feed.error_count else "✅"


def _feed_block(feed: FeedHealth, now: datetime) -> str:
    name = feed_name(feed.title, feed.url)
    weight = _("weight {weight}", weight=weight_text(feed.weight))
    paused = " · " + _("paused") if feed.paused else ""
    topic = isolate(escape_within(feed.topic, 130))
    lines = [
        f"{_state(feed)} <b>#{feed.id}</b> <b>{isolate(name)}</b> [{topic}] · {weight}{paused}",
        # Whole whenever it fits a message with the rest of the block and the list's heading.
        f"   {escape_within(feed.url, MAX_MESSAGE - 1100)}",
        "   "
        + " · ".join(
            [
                _("last success {when}", when=ago(feed.last_success_at, now)),
                ngettext("{count} error", "{count} errors", feed.error_count),
                ngettext(
                    "{count} article in 24 h", "{count} articles in 24 h", feed.articles_recent
                ),
            ]
        ),
    ]
    if feed.error_count and feed.last_error:
        error = escape_within(shorten(feed.last_error, 200), 400)
        lines.append("   " + _("last error: {error}", error=error))
    return "\n".join(lines)


def _number_buttons(ids: Sequence[int]) -> InlineKeyboardMarkup | None:
    buttons = [InlineKeyboardButton(f"#{n}", callback_data=feed_callback(n)) for n in ids]
    rows = [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    return InlineKeyboardMarkup(rows) if rows else None


def feeds_messages(
    feeds: Sequence[FeedHealth], now: datetime
) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """Every feed by number with its health and weight, as messages (several if the list is
    long), each with a "#n" button per feed that opens the feed's own buttons."""
    if not feeds:
        return [(_("No feeds yet. Add one with /addfeed &lt;topic&gt; &lt;url&gt;."), None)]
    header = _(
        "<b>Feeds ({count})</b> — tap a number for its buttons, or use it in "
        "/feedweight, /pausefeed, /resumefeed and /delfeed",
        count=num(len(feeds)),
    )
    messages: list[tuple[str, InlineKeyboardMarkup | None]] = []
    text, ids = header, []
    for feed in feeds:
        block = _feed_block(feed, now)
        if telegram_length(f"{text}\n{block}") <= MAX_MESSAGE and len(ids) < FEEDS_PER_MESSAGE:
            text = f"{text}\n{block}"
        else:
            messages.append((text, _number_buttons(ids)))
            text, ids = block, []
            if telegram_length(block) > MAX_MESSAGE:  # cannot happen with the limits above
                *whole, text = split_blocks(block.split("\n"))
                messages += [(part, None) for part in whole]
        ids.append(feed.id)
    messages.append((text, _number_buttons(ids)))
    return messages


def _weight_steps(weight: float) -> tuple[float | None, float | None]:
    """The step below and the step above a weight (None at the ends)."""
    lower = [step for step in WEIGHT_STEPS if step < weight - 1e-9]
    higher = [step for step in WEIGHT_STEPS if step > weight + 1e-9]
    return (lower[-1] if lower else None), (higher[0] if higher else None)


def feed_text(feed: FeedHealth, now: datetime, note: str = "") -> str:
    """One feed with everything about it (and a line saying what was just done)."""
    if feed.paused:
        state = _("paused: not checked until resumed")
    elif feed.error_count:
        state = ngettext(
            "failing ({count} error in a row)",
            "failing ({count} errors in a row)",
            feed.error_count,
        )
    else:
        state = _("working")
    lines = [note] if note else []
    lines += [
        f"<b>#{feed.id} {isolate(feed_name(feed.title, feed.url, 120))}</b>",
        _("Topic: {topic}", topic=escape_within(feed.topic, 130)),
        _("URL: {url}", url=escape_within(feed.url, MAX_MESSAGE - 1500)),
        _("State: {state}", state=_state(feed) + " " + state),
        _(
            "Weight: {weight} (0-10: how much its stories count in briefings)",
            weight=weight_text(feed.weight),
        ),
        _("Last success: {when}", when=ago(feed.last_success_at, now))
        + " · "
        + ngettext("{count} article in 24 h", "{count} articles in 24 h", feed.articles_recent),
    ]
    if feed.error_count and feed.last_error:
        error = escape_within(shorten(feed.last_error, 300), 600)
        lines.append(_("Last error: {error}", error=error))
    return "\n".join(lines)


def feed_keyboard(feed: FeedHealth) -> InlineKeyboardMarkup:
    """A feed's buttons: weight down and up, pause or resume, remove."""
    lower, higher = _weight_steps(feed.weight)
    weights = []
    if lower is not None:
        weights.append(
            InlineKeyboardButton(
                _("➖ weight {weight}", weight=weight_text(lower)),
                callback_data=feed_callback(feed.id, "weight", lower),
            )
        )
    if higher is not None:
        weights.append(
            InlineKeyboardButton(
                _("➕ weight {weight}", weight=weight_text(higher)),
                callback_data=feed_callback(feed.id, "weight", higher),
            )
        )
    toggle = (
        InlineKeyboardButton(_("▶️ Resume"), callback_data=feed_callback(feed.id, "resume"))
        if feed.paused
        else InlineKeyboardButton(_("⏸ Pause"), callback_data=feed_callback(feed.id, "pause"))
    )
    remove = InlineKeyboardButton(_("🗑 Remove…"), callback_data=feed_callback(feed.id, "del"))
    return InlineKeyboardMarkup([weights, [toggle, remove]] if weights else [[toggle, remove]])


def remove_feed_question(feed_id: int, title: str | None, url: str, topic: str) -> str:
    """The question before a feed is removed, naming it by number, title, topic and URL."""
    question = _(
        "Remove the feed {feed} [{topic}]?",
        feed=bold(f"#{feed_id} {feed_name(title, url, 120)}"),
        topic=escape_within(topic, 130),
    )
    after = _("It is no longer checked; the articles it brought stay.")
    return f"{question}\n{escape_within(url, MAX_MESSAGE - 1500)}\n{after}"


def remove_feed_keyboard(feed_id: int) -> InlineKeyboardMarkup:
    """Remove for sure, or keep it (back to the feed's buttons)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("🗑 Yes, remove #{number}", number=feed_id),
                    callback_data=feed_callback(feed_id, "delok"),
                ),
                InlineKeyboardButton(_("Keep it"), callback_data=feed_callback(feed_id, "view")),
            ]
        ]
    )


def feed_removed_text(feed_id: int, title: str | None, url: str) -> str:
    """The answer once a feed is removed."""
    return _(
        "🗑 Removed the feed {feed}; its articles stay.",
        feed=bold(f"#{feed_id} {feed_name(title, url, 120)}"),
    )


def pause_notice(
    feed: FeedHealth | None, url: str, failures: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """What admins hear when the collector paused a feed after failing checks, with buttons to
    resume or remove it (none if the feed is gone meanwhile)."""
    text = ngettext(
        "⏸ Feed paused after {count} failed check in a row: {url}",
        "⏸ Feed paused after {count} failed checks in a row: {url}",
        failures,
        url=escape_within(url, MAX_MESSAGE - 1500),
    )
    if feed is None:
        return text, None
    topic = isolate(escape_within(feed.topic, 130))
    lines = [text, f"<b>#{feed.id} {isolate(feed_name(feed.title, feed.url))}</b> [{topic}]"]
    if feed.last_error:
        error = escape_within(shorten(feed.last_error, 300), 600)
        lines.append(_("Last error: {error}", error=error))
    lines.append(_("Resume it once it is fixed, or remove it; /feeds lists every feed."))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("▶️ Resume"), callback_data=feed_callback(feed.id, "resume")),
                InlineKeyboardButton(_("🗑 Remove…"), callback_data=feed_callback(feed.id, "del")),
            ]
        ]
    )
    return "\n".join(lines), markup


# --- /addfeed ---------------------------------------------------------------------------------


def checking_text(url: str) -> str:
    """The message shown while a new feed is checked (edited into the result)."""
    return _("Checking {what} …", what=echo(url))


def feed_check_failed_text(url: str, error: str) -> str:
    """/addfeed's answer when the feed could not be used (nothing was kept)."""
    problem = _("❌ Could not use {url}: {error}.", url=echo(url), error=echo(error, 500))
    return f"{problem}\n" + _("Nothing was added; check the URL and try again.")


def _articles_phrase(result: FeedCheck) -> str:
    """'2 new articles', 'no new articles: its 5 items are already in the news from other
    feeds'..."""
    new, known, left = result.new, result.unchanged, result.left
    if new == 0 and known == 0 and left == 0:
        return _("no articles yet (the feed is empty)")
    if new == 0 and known:
        phrase = ngettext(
            "no new articles: its only item is already in the news from other feeds",
            "no new articles: its {count} items are already in the news from other feeds",
            known,
        )
    else:
        phrase = (
            _("no new articles yet")
            if new == 0
            else ngettext("{count} new article", "{count} new articles", new)
        )
        if known:
            phrase += "; " + ngettext(
                "{count} more item was already in the news from other feeds",
                "{count} more items were already in the news from other feeds",
                known,
            )
    if left:
        phrase += "; " + ngettext(
            "{count} more item will be fetched in the next pass",
            "{count} more items will be fetched in the next pass",
            left,
        )
    return phrase


def feed_added_text(result: FeedCheck, feed_id: int, topic: str, asked_url: str) -> str:
    """/addfeed's answer when the feed works: what was added, where it was found, what it
    brought."""
    title = feed_name(result.title, result.url, 200)
    lines = [
        _(
            "✅ Added {title} as {number} to {topic}: {outcome} ({seconds} s).",
            title=bold(title),
            number=bold(f"#{feed_id}"),
            topic=bold(escape_within(topic, 130)),
            outcome=_articles_phrase(result),
            seconds=num(result.seconds, "0.0"),
        )
    ]
    if result.discovered_from:
        lines.append(
            _(
                "🔎 {page} is a web page; the feed it names is the one added: {feed}",
                page=echo(asked_url, 600),
                feed=echo(result.url, 1200),
            )
        )
    return "\n".join(lines)


# --- /deltopic --------------------------------------------------------------------------------


def delete_topic_question(title: str, feeds: int, subscribers: int) -> str:
    """The question before a topic is removed, saying what goes with it."""
    name = escape_within(title, 130)
    feeds_part = (
        ngettext(
            "Its {count} feed goes with it (its articles stay)",
            "Its {count} feeds go with it (their articles stay)",
            feeds,
        )
        if feeds
        else _("It has no feeds")
    )
    if subscribers:
        who = ngettext(
            "{count} subscriber follows it: it stops getting its news and is told, with a "
            "pointer to /topics",
            "{count} subscribers follow it: they stop getting its news and each is told, with "
            "a pointer to /topics",
            subscribers,
        )
    else:
        who = _("nobody follows it")
    question = _("Remove the topic {name}?", name=bold(name))
    return f"{question}\n" + _("{feeds}; {followers}.", feeds=feeds_part, followers=who)


def delete_topic_keyboard(topic_id: int, title: str) -> InlineKeyboardMarkup:
    """Remove the topic for sure, or keep it."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("🗑 Remove {title}", title=shorten(title, 30)),
                    callback_data=f"{DELETE_TOPIC_CALLBACK}{topic_id}:yes",
                ),
                InlineKeyboardButton(
                    _("Keep it"), callback_data=f"{DELETE_TOPIC_CALLBACK}{topic_id}:no"
                ),
            ]
        ]
    )


def parse_delete_topic_callback(data: str) -> tuple[int, bool] | None:
    """(topic id, confirmed) of a pressed "Remove the topic?" button, or None if malformed."""
    number, _sep, answer = data.removeprefix(DELETE_TOPIC_CALLBACK).partition(":")
    if not number.isdigit() or answer not in ("yes", "no"):
        return None
    return int(number), answer == "yes"


def topic_removed_text(title: str, feeds: int, told: int) -> str:
    """The answer once a topic is removed."""
    told_part = (
        ngettext("{count} subscriber will be told", "{count} subscribers will be told", told)
        if told
        else _("nobody followed it")
    )
    return ngettext(
        "🗑 Removed the topic {title} with {count} feed; {told}.",
        "🗑 Removed the topic {title} with {count} feeds; {told}.",
        feeds,
        title=bold(escape_within(title, 130)),
        told=told_part,
    )


def topic_gone_notice(title: str, *, follows_others: bool) -> str:
    """What a subscriber of a removed topic is told."""
    after = (
        _("Your other topics stay; /topics shows them and others to pick.")
        if follows_others
        else _("You follow no topics now: pick some with /topics to keep getting briefings.")
    )
    gone = _(
        "ℹ️ The topic {title} was removed, so your briefings no longer include it.",
        title=bold(escape_within(title, 130)),
    )
    return f"{gone} {after}"


# --- /broadcast -------------------------------------------------------------------------------


def broadcast_preview(body: str, recipients: int) -> str:
    """The preview an admin checks before sending: a line about it, then the message exactly
    as subscribers will see it."""
    preview = ngettext(
        "Preview: Send queues this for {count} active subscriber.",
        "Preview: Send queues this for {count} active subscribers.",
        recipients,
    )
    return f"<i>{preview}</i>\n\n{body}"


def broadcast_keyboard(token: int, recipients: int) -> InlineKeyboardMarkup:
    """Send or cancel a previewed broadcast."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("📣 Send to {count}", count=num(recipients)),
                    callback_data=f"{BROADCAST_CALLBACK}{token}:send",
                ),
                InlineKeyboardButton(
                    _("Cancel"), callback_data=f"{BROADCAST_CALLBACK}{token}:cancel"
                ),
            ]
        ]
    )


def parse_broadcast_callback(data: str) -> tuple[int, bool] | None:
    """(preview token, send) of a pressed broadcast button, or None if malformed."""
    number, _sep, answer = data.removeprefix(BROADCAST_CALLBACK).partition(":")
    if not number.isdigit() or answer not in ("send", "cancel"):
        return None
    return int(number), answer == "send"


def broadcast_sent_text(body: str, queued: int) -> str:
    """The preview once sent: how many it was queued for, and the message."""
    queued_line = ngettext(
        "✅ Queued for {count} active subscriber.",
        "✅ Queued for {count} active subscribers.",
        queued,
    )
    return f"<i>{queued_line}</i>\n\n{body}"


def broadcast_cancelled_text(body: str) -> str:
    """The preview once cancelled."""
    cancelled = _("✖️ Cancelled: nothing was sent.")
    return f"<i>{cancelled}</i>\n\n{body}"


# --- /stats -----------------------------------------------------------------------------------


def stats_text(
    counts: dict[str, int], queue: QueueStats, articles_today: int, now: datetime
) -> str:
    """Subscribers by status, today's briefings and articles, and how far behind the queue is."""
    lag = _("none")
    if queue.oldest_due_at is not None:
        seconds = round(max((now - queue.oldest_due_at).total_seconds(), 0))
        lag = _("{count} s", count=num(seconds))
    return "\n".join(
        [
            _("<b>Stats</b>"),
            _(
                "Subscribers: {active} active, {paused} paused, {blocked} blocked",
                active=num(counts.get("active", 0)),
                paused=num(counts.get("paused", 0)),
                blocked=num(counts.get("blocked", 0)),
            ),
            _("Briefings sent today (UTC): {count}", count=num(queue.sent_today)),
            _("Articles collected today (UTC): {count}", count=num(articles_today)),
            _(
                "Queue: {pending} pending, {due} due now, lag {lag}",
                pending=num(queue.pending),
                due=num(queue.due),
                lag=lag,
            ),
        ]
    )
