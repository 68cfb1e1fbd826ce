"""Briefing messages in Telegram HTML: every dynamic string escaped, split on item boundaries.

Pure functions: no Telegram, no database. A rendered briefing is a list of `MessagePart`s, each
at most `MAX_MESSAGE` characters of HTML (stricter than Telegram, which counts only the visible
text), stored as JSON on the delivery row so a resend is byte-for-byte the same.

The HTML rule for every message the bot builds: markup is never cut. Each line is balanced HTML
on its own; messages are split between lines (`split_blocks`), and a line too long for its room
first loses its links (their text stays) and then becomes its visible text, shortened before it
is escaped (`fit_line`, `escape_within`). A cut inside `<a href="…` or `&amp;` is what makes
Telegram answer 400 "can't parse entities".
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.i18n import _, clock, current_language, isolate, long_date, ngettext

MAX_MESSAGE = 4096
MAX_CAPTION = 1024  # a photo's caption, as Telegram counts it: after its HTML is parsed
MAX_TITLE = 300
MAX_SENTENCE = 600
MAX_SOURCE_NAME = 60
MAX_LINKED_SOURCES = 3
BUTTONS_PER_ROW = 4
MIN_FITTED_LINE = 40  # less room than this at a message's end: the line is left out, not cut
_ELLIPSIS = "…"


def escape(text: str) -> str:
    """Text made safe for Telegram's HTML parse mode (<, > and & escaped)."""
    return html.escape(text, quote=False)


def escape_attribute(text: str) -> str:
    """A value made safe inside a double-quoted HTML attribute."""
    return html.escape(text, quote=True)


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if limit < 2:
        return _ELLIPSIS[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + _ELLIPSIS


# Our own HTML only: every "<", ">" and '"' inside text and addresses is escaped, so a tag is
# "<" up to the next ">", and a link's address is everything up to the next '"'.
_TAG = re.compile(r"<[^>]*>")
_LINK = re.compile(r'<a href="[^"]*">|</a>')


def escape_within(text: str, limit: int) -> str:
    """`text` on one line and escaped, shortened before escaping so the HTML has at most
    `limit` characters ("&" becomes five)."""
    budget = limit
    while budget > 0:
        shown = escape(shorten(text, budget))
        length = telegram_length(shown)
        if length <= limit:
            return shown
        budget = min(budget - 1, budget * limit // length)
    return ""


def echo(text: str, limit: int = 300) -> str:
    """Text echoed in a reply (a user's input, an error, a feed's title): one line of at most
    `limit` visible characters, escaped."""
    return escape(shorten(text, limit))


def bold(text: str) -> str:
    """`text` (already HTML) in bold."""
    return f"<b>{text}</b>"


def link(url: str, label: str) -> str:
    """`label` (already HTML) linked to `url`."""
    return f'<a href="{escape_attribute(url)}">{label}</a>'


def unlinked(line: str) -> str:
    """A line of our HTML with its links removed and their text kept."""
    return _LINK.sub("", line)


def visible(line: str) -> str:
    """What the reader sees of a line of our HTML."""
    return html.unescape(_TAG.sub("", line))


def fit_line(line: str, limit: int = MAX_MESSAGE) -> str:
    """A line of our HTML within `limit`: as it is, else without its links, else its visible
    text shortened and escaped (formatting lost, markup never cut)."""
    if telegram_length(line) <= limit:
        return line
    without_links = unlinked(line)
    if telegram_length(without_links) <= limit:
        return without_links
    return escape_within(visible(line), limit)


def split_blocks(blocks: Iterable[str], limit: int = MAX_MESSAGE) -> list[str]:
    """Join blocks with newlines into as few messages as fit `limit` each.

    A block too long for one message is split between its lines, and a line too long on its
    own goes through `fit_line`: no message ever ends inside a tag or an entity.
    """
    lines: list[str] = []
    for block in blocks:
        if telegram_length(block) <= limit:
            lines.append(block)
        else:
            lines.extend(fit_line(line, limit) for line in block.split("\n"))
    messages: list[str] = []
    current: str | None = None
    for line in lines:
        if current is None:
            current = line
        elif telegram_length(current) + 1 + telegram_length(line) <= limit:
            current = f"{current}\n{line}"
        else:
            messages.append(current)
            current = line
    if current is not None:
        messages.append(current)
    return [message for message in messages if visible(message).strip()]


def first_message(lines: Iterable[str], limit: int = MAX_MESSAGE) -> str:
    """As many whole lines as fit one message; the line that does not fit is shown without its
    links if that fits, else shortened to the room left, and the lines after it are left out."""
    shown: list[str] = []
    used = -1  # no newline before the first line
    for line in lines:
        room = limit - used - 1
        if telegram_length(line) > room:
            if room >= min(MIN_FITTED_LINE, limit):
                fitted = fit_line(line, room)
                if visible(fitted).strip():
                    shown.append(fitted)
            break
        shown.append(line)
        used += 1 + telegram_length(line)
    return "\n".join(shown)


@dataclass(frozen=True)
class Source:
    """An outlet that reported a story, linked to its article."""

    name: str
    url: str


@dataclass(frozen=True)
class BriefingItem:
    """One story in a briefing."""

    story_id: int
    topic: str
    title: str
    sentences: tuple[str, ...]
    sources: tuple[Source, ...]
    source_count: int
    is_update: bool = False
    age: str = ""  # how old the news is when the briefing is built: "3 h ago"


@dataclass(frozen=True)
class MessagePart:
    """One Telegram message: HTML text, inline buttons as (label, callback data) rows, and the
    stories it shows as (story id, source count): they count as seen once it is delivered."""

    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...] = field(default=())
    stories: tuple[tuple[int, int], ...] = ()
    photo: str | None = None  # an image URL: sent as a photo with the text as its caption
    preview_url: str | None = None  # a link preview of this URL above the text (else none)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        data: dict[str, object] = {
            "text": self.text,
            "buttons": [[list(b) for b in row] for row in self.buttons],
        }
        if self.stories:
            data["stories"] = [list(pair) for pair in self.stories]
        if self.photo:
            data["photo"] = self.photo
        if self.preview_url:
            data["preview_url"] = self.preview_url
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> MessagePart:
        """The inverse of to_dict."""
        rows = data.get("buttons") or []
        buttons = tuple(tuple((str(b[0]), str(b[1])) for b in row) for row in rows)  # type: ignore[union-attr]
        stories = tuple((int(p[0]), int(p[1])) for p in data.get("stories") or [])  # type: ignore[union-attr]
        photo = data.get("photo")
        preview = data.get("preview_url")
        return cls(
            str(data["text"]),
            buttons,
            stories,
            str(photo) if photo else None,
            str(preview) if preview else None,
        )


def dump_parts(parts: Sequence[MessagePart]) -> str:
    """Parts as the JSON stored in a delivery's payload."""
    return json.dumps([part.to_dict() for part in parts], ensure_ascii=False)


def load_parts(payload: str) -> list[MessagePart]:
    """Parts from a delivery's payload."""
    return [MessagePart.from_dict(item) for item in json.loads(payload)]


def briefing_header(
    local_time: datetime, timezone: str, item_count: int, *, channel: bool = False
) -> str:
    """The first lines: date and time in the subscriber's timezone, and how many stories, in
    the current language. A channel's readers are not addressed as "your": it says "News
    briefing"."""
    return _briefing_header(local_time, timezone, item_count, channel, current_language())


@functools.lru_cache(maxsize=1024)
def _briefing_header(
    local_time: datetime, timezone: str, item_count: int, channel: bool, language: str
) -> str:
    # `language` is part of the cache key: the same slot is rendered for chats of every one.
    day = escape(long_date(local_time))
    title = (
        _("News briefing · {date}", date=day) if channel else _("Your briefing · {date}", date=day)
    )
    stories = ngettext("{count} story", "{count} stories", item_count)
    when = _("{time} {timezone}", time=clock(local_time), timezone=escape(timezone))
    return f"📰 <b>{title}</b>\n<i>{when} · {stories}</i>"


def render_item(
    number: int, item: BriefingItem, *, linked_sources: int = MAX_LINKED_SOURCES
) -> str:
    """One item: bold numbered title, 1-3 sentences, source links (current language)."""
    return _render_item(number, item, linked_sources, current_language())


# Fan-out renders the same stories for thousands of subscribers: pure, so cached, per language.
@functools.lru_cache(maxsize=8192)
def _render_item(number: int, item: BriefingItem, linked_sources: int, language: str) -> str:
    badge = "🔄 <i>" + _("Update:") + "</i> " if item.is_update else ""
    # "3. Title" is one run in the title's own direction (a reply quoting it finds the "3.").
    lines = [f"{badge}<b>{isolate(f'{number}. {escape(shorten(item.title, MAX_TITLE))}')}</b>"]
    sentences = [escape(shorten(s, MAX_SENTENCE)) for s in item.sentences if s.strip()]
    if sentences:
        lines.append(" ".join(sentences))
    lines.append(_sources_line(item, linked_sources))
    return "\n".join(lines)


def _sources_line(item: BriefingItem, linked: int) -> str:
    shown = item.sources[:linked]
    # Each outlet's name is a run of its own direction: a Latin name in an Arabic line keeps
    # the separators between the names where they belong.
    names = [
        isolate(
            f'<a href="{escape_attribute(s.url)}">{escape(shorten(s.name, MAX_SOURCE_NAME))}</a>'
        )
        for s in shown
    ]
    names += [isolate(escape(shorten(s.name, MAX_SOURCE_NAME))) for s in item.sources[linked:][:2]]
    line = " · ".join(names) if names else _("source unknown")
    count = max(item.source_count, len(item.sources))
    details = [ngettext("{count} source", "{count} sources", count)] if count > 1 else []
    if item.age:
        details.append(isolate(escape(item.age)))
    if details:
        line += " — " + " · ".join(details)
    return f"🔗 {line}"


def _topic_heading(topic: str, continued: bool = False) -> str:
    return _cached_heading(topic, continued, current_language())


@functools.lru_cache(maxsize=1024)
def _cached_heading(topic: str, continued: bool, language: str) -> str:
    heading = f"<b>▍{isolate(escape(shorten(topic, 80).upper()))}</b>"
    return _("{heading} (continued)", heading=heading) if continued else heading


def _fit_item(number: int, item: BriefingItem, room: int) -> str:
    """The item rendered to fit `room`, dropping links and then sentences if it must."""
    return _cached_fit_item(number, item, room, current_language())


@functools.lru_cache(maxsize=8192)
def _cached_fit_item(number: int, item: BriefingItem, room: int, language: str) -> str:
    for linked in (MAX_LINKED_SOURCES, 1, 0):
        text = render_item(number, item, linked_sources=linked)
        if telegram_length(text) <= room:
            return text
    bare = BriefingItem(
        item.story_id, item.topic, item.title, (), (), item.source_count, age=item.age
    )
    text = render_item(number, bare, linked_sources=0)
    return text if telegram_length(text) <= room else escape(shorten(item.title, room // 6))


def caption_length(text: str) -> int:
    """How long Telegram counts our HTML as a caption: its visible text, in UTF-16 units."""
    return telegram_length(visible(text))


def render_with_lead_image(
    header: str, items: Sequence[BriefingItem], image_url: str, *, footer: str | None = None
) -> list[MessagePart]:
    """The briefing with the top story's image: as a photo whose caption is the header and the
    first item when they fit Telegram's caption limit (the other items follow as messages),
    else as a large link preview above the first message."""
    first = render_briefing(header, items[:1], footer=footer if len(items) == 1 else None)
    if len(first) == 1 and caption_length(first[0].text) <= MAX_CAPTION:
        rest = (
            render_briefing(None, items[1:], footer=footer, start=2, continues=items[0].topic)
            if len(items) > 1
            else []
        )
        return [replace(first[0], photo=image_url), *rest]
    parts = render_briefing(header, items, footer=footer)
    return [replace(parts[0], preview_url=image_url), *parts[1:]]


def render_briefing(
    header: str | None,
    items: Sequence[BriefingItem],
    *,
    footer: str | None = None,
    limit: int = MAX_MESSAGE,
    start: int = 1,
    continues: str | None = None,
) -> list[MessagePart]:
    """The briefing as messages: items grouped by topic (in the given order), split between
    items so that no message exceeds `limit`; each message carries its items' "More" buttons
    and names its stories; `footer` (e.g. "12 more stories") closes the last message. Items
    are numbered from `start`; without a header the first message opens with its first item,
    and `continues` names the topic the message before ended with."""
    parts: list[MessagePart] = []
    blocks: list[str] = [header] if header is not None else []
    numbers: list[tuple[int, int]] = []
    shown: list[tuple[int, int]] = []
    current_topic = continues

    def flush() -> None:
        nonlocal blocks, numbers, shown
        if blocks:
            parts.append(
                MessagePart("\n\n".join(blocks), _more_buttons(numbers), tuple(shown))
            )
        blocks, numbers, shown = [], [], []

    for number, item in enumerate(items, start=start):
        starts_topic = item.topic != current_topic
        heading = _topic_heading(item.topic) if starts_topic else ""
        body = _fit_item(
            number, item, limit - telegram_length(_topic_heading(item.topic, True)) - 2
        )
        block = f"{heading}\n{body}" if heading else body
        if blocks and telegram_length("\n\n".join([*blocks, block])) > limit:
            flush()
        if not blocks and not starts_topic:  # the topic goes on in a new message: say which
            block = f"{_topic_heading(item.topic, continued=True)}\n{body}"
        blocks.append(block)
        numbers.append((number, item.story_id))
        shown.append((item.story_id, item.source_count))
        current_topic = item.topic
    if footer:
        footer = fit_line(footer, limit)
        if blocks and telegram_length("\n\n".join([*blocks, footer])) > limit:
            flush()
        blocks.append(footer)
    flush()
    return parts


def _more_buttons(numbers: Sequence[tuple[int, int]]) -> tuple[tuple[tuple[str, str], ...], ...]:
    # The label ends with "#<n>" in every language (an int: no isolate, "#3" is one number
    # in any direction): a reply to a briefing finds the item by it.
    buttons = [(_("More #{number}", number=n), f"more:{story_id}") for n, story_id in numbers]
    return tuple(
        tuple(buttons[i : i + BUTTONS_PER_ROW]) for i in range(0, len(buttons), BUTTONS_PER_ROW)
    )


def nothing_new_text() -> str:
    """The answer to /briefing when there is nothing new."""
    return _(
        "Nothing new since your last briefing. "
        "Check back later, or follow more topics with /topics."
    )


def more_stories_text(count: int) -> str:
    """The line closing a briefing that had to leave stories out."""
    return ngettext("➕ {count} more story: /briefing", "➕ {count} more stories: /briefing", count)


def age_text(seconds: float) -> str:
    """How old a piece of news is, as a briefing shows it: "just now", "25 min ago", "3 h ago",
    "2 days ago"."""
    seconds = max(seconds, 0.0)
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        return ngettext("{count} min ago", "{count} min ago", int(seconds // 60))
    if seconds < 2 * 86400:
        return ngettext("{count} h ago", "{count} h ago", int(seconds // 3600))
    days = int(seconds // 86400)
    return ngettext("{count} day ago", "{count} days ago", days)
