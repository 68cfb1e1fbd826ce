"""Texts and keyboards of the bot's answers (HTML, every dynamic string escaped). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.commands import ADMIN_COMMANDS, CHANNEL_COMMANDS, SUBSCRIBER_COMMANDS
from bot.formatting import (
    MAX_MESSAGE,
    age_text,
    bold,
    escape,
    escape_within,
    first_message,
    fit_line,
    link,
    shorten,
    telegram_length,
)
from bot.i18n import (
    _,
    clock,
    isolate,
    language_name,
    ngettext,
    num,
    resolve,
    short_date,
    weekday_and_time,
)
from bot.preference_views import filters_lines, options_lines
from bot.slots import local_now, next_instant
from bot.timeparse import format_minute
from storage.briefings import SourceLink, StoryCard
from storage.models import Topic
from storage.preferences import ChatOptions
from storage.search import StoryHit
from storage.subscribers import SubscriberView

# Button data is at most 64 bytes (Telegram answers BUTTON_DATA_INVALID past it), so buttons
# carry ids, never names: "topic:#<id>", "more:<story id>". Keyboards sent before ids were used
# carry "topic:<slug>"; slugs never contain "#", and those presses still work.
TOPIC_CALLBACK = "topic:"
TOPIC_ID_CALLBACK = "topic:#"
MORE_CALLBACK = "more:"
# A channel's "More" opens the bot's private chat: t.me/<bot>?start=more_<story id>.
DEEP_LINK_MORE = "more_"
TIMEZONE_CALLBACK = "tz:"
BRIEFING_NOW_CALLBACK = "briefing:now"
MAX_TOPIC_TITLE = 100
MAX_SOURCE_LINE = MAX_MESSAGE // 2  # past this a source line loses its link (its text stays)


def topic_callback(topic_id: int) -> str:
    """The data of a topic's toggle button."""
    return f"{TOPIC_ID_CALLBACK}{topic_id}"


def parse_topic_callback(data: str) -> int | str | None:
    """A pressed topic button's topic: its id, an old keyboard's slug, or None if malformed."""
    if data.startswith(TOPIC_ID_CALLBACK):
        number = data.removeprefix(TOPIC_ID_CALLBACK)
        return int(number) if number.isdigit() else None
    slug = data.removeprefix(TOPIC_CALLBACK)
    return slug or None


def ago(moment: datetime | None, now: datetime) -> str:
    """'never', 'just now', '5 min ago', '3 h ago', '2 days ago'."""
    return _("never") if moment is None else age_text((now - moment).total_seconds())


def times_phrase(minutes: Sequence[int]) -> str:
    """'07:30 and 18:00'."""
    labels = [f"<b>{isolate(format_minute(m))}</b>" for m in minutes]
    if len(labels) <= 1:
        return "".join(labels)
    return _("{first} and {last}", first=", ".join(labels[:-1]), last=labels[-1])


def next_briefing_phrase(
    timezone: str, minutes: Sequence[int], now: datetime, *, follows_topics: bool = True
) -> str:
    """'Tue 07:30 (Europe/Berlin)', or what to do when none will come (no topic, no time)."""
    if not follows_topics:
        return _("none until you follow a topic (/topics)")
    upcoming = next_instant(timezone, list(minutes), now)
    if upcoming is None:
        return _("none scheduled (set a time with /time 07:30)")
    local = local_now(upcoming, timezone)
    return _("{when} ({timezone})", when=weekday_and_time(local), timezone=escape(timezone))


def help_text(is_admin: bool) -> str:
    """Every command with a line about it; admin commands only for admins."""
    lines = [_("<b>newsbrief</b> sends you short news briefings at the times you choose."), ""]
    lines += [f"/{name} — {escape(_(about))}" for name, about in SUBSCRIBER_COMMANDS]
    lines += ["", _("<b>Channels</b> (from a private chat)")]
    lines += [f"/{name} — {escape(_(about))}" for name, about in CHANNEL_COMMANDS]
    if is_admin:
        lines += ["", _("<b>Admin</b>")]
        lines += [f"/{name} — {escape(_(about))}" for name, about in ADMIN_COMMANDS]
    return "\n".join(lines)


def topics_text(topics: Sequence[Topic], followed: set[int]) -> str:
    """The topic list with what the chat follows ticked (one message: the buttons edit it)."""
    if not topics:
        return _("There are no topics yet. An admin adds them with /addtopic.")
    lines = [_("<b>Topics</b> — tap to follow or unfollow:")]
    for topic in topics:
        mark = "✅" if topic.id in followed else "▫️"
        title = escape_within(topic.title, MAX_TOPIC_TITLE * 2)
        lines.append(f"{mark} {isolate(title)} (<code>{escape(topic.name)}</code>)")
    text = "\n".join(lines)
    if telegram_length(text) <= MAX_MESSAGE:
        return text
    more = _("… and more: see the buttons, or /subscribe &lt;name&gt;")
    return first_message(lines, MAX_MESSAGE - telegram_length(more) - 1) + "\n" + more


def timezone_keyboard(zones: Sequence[str], *, prefix: str = "") -> InlineKeyboardMarkup:
    """One button per timezone (tz database names fit callback data: at most 32 bytes);
    `prefix` names the channel they are for."""
    buttons = [
        InlineKeyboardButton(
            name.replace("_", " "), callback_data=f"{prefix}{TIMEZONE_CALLBACK}{name}"
        )
        for name in zones
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def welcome_text(created: bool, next_briefing: str) -> str:
    """The greeting of /start, with when the next briefing comes."""
    greeting = new_welcome() if created else "👋 " + _("Welcome back!")
    about = _("I send a short briefing of the news you follow, at the times you choose.")
    when = _(
        "Next briefing: {when}. Change it with /time and /timezone; /help lists everything.",
        when=next_briefing,
    )
    return f"{greeting} {about}\n{when}"


def new_welcome() -> str:
    """The greeting of a chat's first /start (a redrawn welcome checks for it to stay so)."""
    return "👋 " + _("Welcome to <b>newsbrief</b>!")


def topics_keyboard(
    topics: Sequence[Topic],
    followed: set[int],
    *,
    briefing_button: bool = False,
    prefix: str = "",
) -> InlineKeyboardMarkup | None:
    """One toggle button per topic, two per row; on the welcome, a "first briefing" button.
    `prefix` names the channel the buttons are for."""
    buttons = [
        InlineKeyboardButton(
            f"{'✅' if t.id in followed else '➕'} {shorten(t.title, 30)}",
            callback_data=prefix + topic_callback(t.id),
        )
        for t in topics
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if briefing_button and topics:
        rows.append(
            [
                InlineKeyboardButton(
                    _("📰 Get my first briefing now"), callback_data=BRIEFING_NOW_CALLBACK
                )
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


def has_briefing_button(markup: InlineKeyboardMarkup | None) -> bool:
    """Whether a keyboard is the welcome's (it carries the "first briefing" button)."""
    rows = markup.inline_keyboard if markup is not None else ()
    return any(b.callback_data == BRIEFING_NOW_CALLBACK for row in rows for b in row)


def settings_text(
    view: SubscriberView, now: datetime, *, items_default: int = 8, sentences_default: int = 3
) -> str:
    """Everything about the chat's subscription, its options and its own phrases."""
    subscriber = view.subscriber
    status = {
        "active": _("active"),
        "paused": _("paused (send /resume to get briefings again)"),
        "blocked": _("blocked"),
    }.get(subscriber.status, subscriber.status)
    titles = ", ".join(shorten(t.title, MAX_TOPIC_TITLE) for t in view.topics)
    topics = escape_within(titles, MAX_MESSAGE // 2) or _("none yet (see /topics)")
    times = times_phrase(view.minutes) or _("none (set one with /time 07:30)")
    language = language_name(resolve(subscriber.language))
    lines = [
        _("<b>Your settings</b>"),
        _("Status: {status}", status=status),
        _("Topics: {topics}", topics=topics),
        _("Delivery times: {times}", times=times),
        _(
            "Timezone: {timezone} (now {time} there)",
            timezone=escape(subscriber.timezone),
            time=clock(local_now(now, subscriber.timezone)),
        ),
        _("Language: {language} (change it with /language)", language=language),
        _("Last briefing: {when}", when=ago(subscriber.last_briefing_at, now)),
    ]
    if subscriber.status == "active":
        when = next_briefing_phrase(
            subscriber.timezone, view.minutes, now, follows_topics=view.has_interests
        )
        lines.append(_("Next briefing: {when}", when=when))
    lines += ["", _("<b>Options</b> (tap below to change)")]
    lines += options_lines(ChatOptions.of(subscriber), items_default, sentences_default)
    lines += filters_lines(view.follows, view.mutes)
    return first_message(lines)


def story_text(
    card: StoryCard, sentences: Sequence[str] | None = None, related: Sequence[StoryHit] = ()
) -> str:
    """A "More" answer: title, the longer summary (`sentences`, else the story's stored
    summary), every source, then related stories numbered like their buttons (one message)."""
    lines = sentences if sentences is not None else card.summary.splitlines()
    summary = " ".join(s.strip() for s in lines if s.strip())
    sources = [_source_line(source) for source in card.sources[:20]]
    text_lines = [f"<b>{escape_within(shorten(card.title, 300), 600)}</b>", ""]
    if summary:
        text_lines += [escape_within(summary, 2500), ""]
    count = num(max(card.source_count, len(card.sources)))
    text_lines.append(bold(_("Sources ({count})", count=count)))
    text_lines += sources
    if related:
        text_lines += ["", bold(_("Related"))]
        text_lines += [
            f"{n}. {isolate(escape_within(shorten(r.title, 150), 300))} — "
            f"{isolate(short_date(r.first_seen_at, year=False))} · "
            + ngettext("{count} source", "{count} sources", r.source_count)
            for n, r in enumerate(related, start=1)
        ]
    return first_message(text_lines)


def _source_line(source: SourceLink) -> str:
    """'• Outlet — its headline', the outlet linked unless the address alone is too long."""
    name = escape(shorten(source.name, 60))
    title = escape_within(shorten(source.title, 120), 240)
    line = f"• {isolate(link(source.url, name))} — {isolate(title)}"
    return fit_line(line, MAX_SOURCE_LINE)
