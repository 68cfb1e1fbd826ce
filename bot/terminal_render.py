"""Render a Telegram HTML message for a terminal, as the demo shows what a subscriber sees."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from html.parser import HTMLParser

_BOLD, _ITALIC, _UNDERLINE, _RESET = "\033[1m", "\033[3m", "\033[4m", "\033[0m"


class _TelegramHTML(HTMLParser):
    """Walks the small HTML subset Telegram accepts and emits plain or ANSI-styled text."""

    def __init__(self, color: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.color = color
        self.parts: list[str] = []
        self.links: list[str | None] = []
        self.styles: list[str] = []

    def _style(self, code: str) -> None:
        if self.color:
            self.styles.append(code)
            self.parts.append(code)

    def _unstyle(self) -> None:
        if self.color and self.styles:
            self.styles.pop()
            self.parts.append(_RESET + "".join(self.styles))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("b", "strong"):
            self._style(_BOLD)
        elif tag in ("i", "em"):
            self._style(_ITALIC)
        elif tag in ("u", "ins"):
            self._style(_UNDERLINE)
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))
            self._style(_UNDERLINE)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("b", "strong", "i", "em", "u", "ins"):
            self._unstyle()
        elif tag == "a":
            self._unstyle()
            href = self.links.pop() if self.links else None
            if href:
                self.parts.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def render_message(text: str, *, color: bool = False) -> str:
    """Telegram HTML as terminal text: tags become styles, links show their address."""
    parser = _TelegramHTML(color)
    parser.feed(text)
    parser.close()
    rendered = "".join(parser.parts)
    return rendered + (_RESET if color and parser.styles else "")


def render_buttons(rows: Sequence[Sequence[str]]) -> str:
    """Inline keyboard rows as one line of bracketed labels per row."""
    return "\n".join("  ".join(f"[ {label} ]" for label in row) for row in rows if row)


def plain_text(text: str) -> str:
    """The text a reader sees, without any markup (for tests and logs)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
