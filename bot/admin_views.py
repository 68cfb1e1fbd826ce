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
    echo,
    escape_within,
    shorten,
    split_blocks,
    telegram_length,
)
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


def plural(count: int, word: str, words: str | None = None) -> str:
    """'1 article', '3 articles' ('1 entry', '2 entries' with `words`)."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


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
    lines = [
        f"{_state(feed)} <b>#{feed.id}</b> <b>{name}</b> [{escape_within(feed.topic, 130)}] · "
        f"weight {weight_text(feed.weight)}{' · paused' if feed.paused else ''}",
        # Whole whenever it fits a message with the rest of the block and the list's heading.
        f"   {escape_within(feed.url, MAX_MESSAGE - 1100)}",
        f"   last success {ago(feed.last_success_at, now)} · "
        f"{plural(feed.error_count, 'error')} · {feed.articles_recent} articles in 24 h",
    ]
    if feed.error_count and feed.last_error:
        lines.append(f"   last error: {escape_within(shorten(feed.last_error, 200), 400)}")
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
        return [("No feeds yet. Add one with /addfeed &lt;topic&gt; &lt;url&gt;.", None)]
    header = (
        f"<b>Feeds ({len(feeds)})</b> — tap a number for its buttons, or use it in "
        "/feedweight, /pausefeed, /resumefeed and /delfeed"
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
    state = (
        "paused: not checked until resumed"
        if feed.paused
        else (
            f"failing ({plural(feed.error_count, 'error')} in a row)"
            if feed.error_count
            else "working"
        )
    )
    lines = [note] if note else []
    lines += [
        f"<b>#{feed.id} {feed_name(feed.title, feed.url, 120)}</b>",
        f"Topic: {escape_within(feed.topic, 130)}",
        f"URL: {escape_within(feed.url, MAX_MESSAGE - 1500)}",
        f"State: {_state(feed)} {state}",
        f"Weight: {weight_text(feed.weight)} (0-10: how much its stories count in briefings)",
        f"Last success: {ago(feed.last_success_at, now)} · {feed.articles_recent} articles in 24 h",
    ]
    if feed.error_count and feed.last_error:
        lines.append(f"Last error: {escape_within(shorten(feed.last_error, 300), 600)}")
    return "\n".join(lines)


def feed_keyboard(feed: FeedHealth) -> InlineKeyboardMarkup:
    """A feed's buttons: weight down and up, pause or resume, remove."""
    lower, higher = _weight_steps(feed.weight)
    weights = []
    if lower is not None:
        weights.append(
            InlineKeyboardButton(
                f"➖ weight {weight_text(lower)}",
                callback_data=feed_callback(feed.id, "weight", lower),
            )
        )
    if higher is not None:
        weights.append(
            InlineKeyboardButton(
                f"➕ weight {weight_text(higher)}",
                callback_data=feed_callback(feed.id, "weight", higher),
            )
        )
    toggle = (
        InlineKeyboardButton("▶️ Resume", callback_data=feed_callback(feed.id, "resume"))
        if feed.paused
        else InlineKeyboardButton("⏸ Pause", callback_data=feed_callback(feed.id, "pause"))
    )
    remove = InlineKeyboardButton("🗑 Remove…", callback_data=feed_callback(feed.id, "del"))
    return InlineKeyboardMarkup([weights, [toggle, remove]] if weights else [[toggle, remove]])


def remove_feed_question(feed_id: int, title: str | None, url: str, topic: str) -> str:
    """The question before a feed is removed, naming it by number, title, topic and URL."""
    return (
        f"Remove the feed <b>#{feed_id} {feed_name(title, url, 120)}</b> "
        f"[{escape_within(topic, 130)}]?\n{escape_within(url, MAX_MESSAGE - 1500)}\n"
        "It is no longer checked; the articles it brought stay."
    )


def remove_feed_keyboard(feed_id: int) -> InlineKeyboardMarkup:
    """Remove for sure, or keep it (back to the feed's buttons)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"🗑 Yes, remove #{feed_id}", callback_data=feed_callback(feed_id, "delok")
                ),
                InlineKeyboardButton("Keep it", callback_data=feed_callback(feed_id, "view")),
            ]
        ]
    )


def feed_removed_text(feed_id: int, title: str | None, url: str) -> str:
    """The answer once a feed is removed."""
    return f"🗑 Removed the feed <b>#{feed_id} {feed_name(title, url, 120)}</b>; its articles stay."


def pause_notice(
    feed: FeedHealth | None, url: str, failures: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """What admins hear when the collector paused a feed after failing checks, with buttons to
    resume or remove it (none if the feed is gone meanwhile)."""
    text = (
        f"⏸ Feed paused after {plural(failures, 'failed check')} in a row: "
        f"{escape_within(url, MAX_MESSAGE - 1500)}"
    )
    if feed is None:
        return text, None
    lines = [
        text,
        f"<b>#{feed.id} {feed_name(feed.title, feed.url)}</b> [{escape_within(feed.topic, 130)}]",
    ]
    if feed.last_error:
        lines.append(f"Last error: {escape_within(shorten(feed.last_error, 300), 600)}")
    lines.append("Resume it once it is fixed, or remove it; /feeds lists every feed.")
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("▶️ Resume", callback_data=feed_callback(feed.id, "resume")),
                InlineKeyboardButton("🗑 Remove…", callback_data=feed_callback(feed.id, "del")),
            ]
        ]
    )
    return "\n".join(lines), markup


# --- /addfeed ---------------------------------------------------------------------------------


def checking_text(url: str) -> str:
    """The message shown while a new feed is checked (edited into the result)."""
    return f"Checking {echo(url)} …"


def feed_check_failed_text(url: str, error: str) -> str:
    """/addfeed's answer when the feed could not be used (nothing was kept)."""
    return (
        f"❌ Could not use {echo(url)}: {echo(error, 500)}.\n"
        "Nothing was added; check the URL and try again."
    )


def _articles_phrase(result: FeedCheck) -> str:
    """'2 new articles', 'no new articles: its 5 items are already in the news from other
    feeds'..."""
    new, known, left = result.new, result.unchanged, result.left
    if new == 0 and known == 0 and left == 0:
        return "no articles yet (the feed is empty)"
    if new == 0 and known:
        its = "its only item is" if known == 1 else f"its {known} items are"
        phrase = f"no new articles: {its} already in the news from other feeds"
    else:
        phrase = "no new articles yet" if new == 0 else f"{plural(new, 'new article')}"
        if known:
            more = "1 more item was" if known == 1 else f"{known} more items were"
            phrase += f"; {more} already in the news from other feeds"
    if left:
        phrase += f"; {plural(left, 'more item')} will be fetched in the next pass"
    return phrase


def feed_added_text(result: FeedCheck, feed_id: int, topic: str, asked_url: str) -> str:
    """/addfeed's answer when the feed works: what was added, where it was found, what it
    brought."""
    title = feed_name(result.title, result.url, 200)
    lines = [
        f"✅ Added <b>{title}</b> as <b>#{feed_id}</b> to <b>{escape_within(topic, 130)}</b>: "
        f"{_articles_phrase(result)} ({result.seconds:.1f} s)."
    ]
    if result.discovered_from:
        lines.append(
            f"🔎 {echo(asked_url, 600)} is a web page; the feed it names is the one added: "
            f"{echo(result.url, 1200)}"
        )
    return "\n".join(lines)


# --- /deltopic --------------------------------------------------------------------------------


def delete_topic_question(title: str, feeds: int, subscribers: int) -> str:
    """The question before a topic is removed, saying what goes with it."""
    name = escape_within(title, 130)
    feeds_part = (
        f"its {plural(feeds, 'feed')} go{'es' if feeds == 1 else ''} with it "
        f"({'its' if feeds == 1 else 'their'} articles stay)"
        if feeds
        else "it has no feeds"
    )
    if subscribers:
        who = (
            f"{plural(subscribers, 'subscriber')} follow{'s' if subscribers == 1 else ''} it: "
            f"{'it stops' if subscribers == 1 else 'they stop'} getting its news and "
            f"{'is' if subscribers == 1 else 'each is'} told, with a pointer to /topics"
        )
    else:
        who = "nobody follows it"
    return f"Remove the topic <b>{name}</b>?\n{feeds_part[0].upper()}{feeds_part[1:]}; {who}."


def delete_topic_keyboard(topic_id: int, title: str) -> InlineKeyboardMarkup:
    """Remove the topic for sure, or keep it."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"🗑 Remove {shorten(title, 30)}",
                    callback_data=f"{DELETE_TOPIC_CALLBACK}{topic_id}:yes",
                ),
                InlineKeyboardButton(
                    "Keep it", callback_data=f"{DELETE_TOPIC_CALLBACK}{topic_id}:no"
                ),
            ]
        ]
    )


def parse_delete_topic_callback(data: str) -> tuple[int, bool] | None:
    """(topic id, confirmed) of a pressed "Remove the topic?" button, or None if malformed."""
    number, _, answer = data.removeprefix(DELETE_TOPIC_CALLBACK).partition(":")
    if not number.isdigit() or answer not in ("yes", "no"):
        return None
    return int(number), answer == "yes"


def topic_removed_text(title: str, feeds: int, told: int) -> str:
    """The answer once a topic is removed."""
    told_part = f"{plural(told, 'subscriber')} will be told" if told else "nobody followed it"
    return (
        f"🗑 Removed the topic <b>{escape_within(title, 130)}</b> with "
        f"{plural(feeds, 'feed')}; {told_part}."
    )


def topic_gone_notice(title: str, *, follows_others: bool) -> str:
    """What a subscriber of a removed topic is told."""
    after = (
        "Your other topics stay; /topics shows them and others to pick."
        if follows_others
        else "You follow no topics now: pick some with /topics to keep getting briefings."
    )
    return (
        f"ℹ️ The topic <b>{escape_within(title, 130)}</b> was removed, so your briefings no "
        f"longer include it. {after}"
    )


# --- /broadcast -------------------------------------------------------------------------------


def broadcast_preview(body: str, recipients: int) -> str:
    """The preview an admin checks before sending: a line about it, then the message exactly
    as subscribers will see it."""
    return (
        f"<i>Preview: Send queues this for {plural(recipients, 'active subscriber')}.</i>\n\n{body}"
    )


def broadcast_keyboard(token: int, recipients: int) -> InlineKeyboardMarkup:
    """Send or cancel a previewed broadcast."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"📣 Send to {recipients}", callback_data=f"{BROADCAST_CALLBACK}{token}:send"
                ),
                InlineKeyboardButton("Cancel", callback_data=f"{BROADCAST_CALLBACK}{token}:cancel"),
            ]
        ]
    )


def parse_broadcast_callback(data: str) -> tuple[int, bool] | None:
    """(preview token, send) of a pressed broadcast button, or None if malformed."""
    number, _, answer = data.removeprefix(BROADCAST_CALLBACK).partition(":")
    if not number.isdigit() or answer not in ("send", "cancel"):
        return None
    return int(number), answer == "send"


def broadcast_sent_text(body: str, queued: int) -> str:
    """The preview once sent: how many it was queued for, and the message."""
    return f"<i>✅ Queued for {plural(queued, 'active subscriber')}.</i>\n\n{body}"


def broadcast_cancelled_text(body: str) -> str:
    """The preview once cancelled."""
    return f"<i>✖️ Cancelled: nothing was sent.</i>\n\n{body}"


# --- /stats -----------------------------------------------------------------------------------


def stats_text(
    counts: dict[str, int], queue: QueueStats, articles_today: int, now: datetime
) -> str:
    """Subscribers by status, today's briefings and articles, and how far behind the queue is."""
    lag = "none"
    if queue.oldest_due_at is not None:
        lag = f"{max((now - queue.oldest_due_at).total_seconds(), 0):.0f} s"
    return "\n".join(
        [
            "<b>Stats</b>",
            f"Subscribers: {counts.get('active', 0)} active, {counts.get('paused', 0)} paused, "
            f"{counts.get('blocked', 0)} blocked",
            f"Briefings sent today (UTC): {queue.sent_today}",
            f"Articles collected today (UTC): {articles_today}",
            f"Queue: {queue.pending} pending, {queue.due} due now, lag {lag}",
        ]
    )
