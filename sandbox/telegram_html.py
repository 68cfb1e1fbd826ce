"""Telegram's HTML parse mode, read the way Telegram reads it: checked, then split into styled runs.

One parser serves both stand-ins: the fake Bot API refuses what Telegram refuses ("can't parse
entities") and records the visible text, and the terminal renderer shows the same runs with
ANSI styles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Tags Telegram's HTML parse mode accepts (https://core.telegram.org/bots/api#html-style).
ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_BARE_LESS_THAN = re.compile(r"<(?![a-zA-Z/])")
_BARE_AMPERSAND = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


class TelegramHTMLError(ValueError):
    """A request Telegram would refuse with 400 Bad Request; the message is its description."""


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of visible text with the tags open around it (outermost first)."""

    text: str
    tags: tuple[str, ...]
    href: str | None = None  # the innermost open link's address


@dataclass(frozen=True, slots=True)
class LinkEnd:
    """Where a link closes, with its address (a renderer may show it there)."""

    href: str


class _Parser(HTMLParser):
    """Collects runs and link ends; refuses unknown tags, links without href, bad nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[Run | LinkEnd] = []
        self.open: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise TelegramHTMLError(f'can\'t parse entities: unsupported start tag "{tag}"')
        if tag == "a":
            href = dict(attrs).get("href")
            if not href:
                raise TelegramHTMLError("can't parse entities: a link without href")
            self.links.append(href)
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise TelegramHTMLError(f'can\'t parse entities: unexpected end tag "{tag}"')
        self.open.pop()
        if tag == "a":
            self.events.append(LinkEnd(self.links.pop()))

    def handle_data(self, data: str) -> None:
        href = self.links[-1] if self.links else None
        self.events.append(Run(data, tuple(self.open), href))


def parse_telegram_html(text: str) -> list[Run | LinkEnd]:
    """The text's runs and link ends in order; TelegramHTMLError where Telegram would refuse."""
    # A bare "<" or "&" that is not an entity is an error for Telegram, not for HTMLParser.
    if _BARE_LESS_THAN.search(text):
        raise TelegramHTMLError('can\'t parse entities: unescaped "<"')
    if _BARE_AMPERSAND.search(text):
        raise TelegramHTMLError('can\'t parse entities: unescaped "&"')
    parser = _Parser()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise TelegramHTMLError(f'can\'t parse entities: unclosed tag "{parser.open[-1]}"')
    return parser.events


def visible_text(text: str) -> str:
    """What the reader sees of Telegram HTML (character references decoded)."""
    return "".join(e.text for e in parse_telegram_html(text) if isinstance(e, Run))
