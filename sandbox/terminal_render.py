"""Render a Telegram HTML message for a terminal, as the demo shows what a subscriber sees."""

from __future__ import annotations

from collections.abc import Sequence

from sandbox.telegram_html import LinkEnd, parse_telegram_html, visible_text

_STYLES = {
    "b": "\033[1m",
    "strong": "\033[1m",
    "i": "\033[3m",
    "em": "\033[3m",
    "u": "\033[4m",
    "ins": "\033[4m",
    "a": "\033[4m",  # links are underlined, their address shown after them
}
_RESET = "\033[0m"


def render_message(text: str, *, color: bool = False) -> str:
    """Telegram HTML as terminal text: tags become styles, links show their address."""
    pieces: list[str] = []
    styled = False
    for event in parse_telegram_html(text):
        if isinstance(event, LinkEnd):
            pieces.append(f"{_RESET if styled else ''} <{event.href}>")
            styled = False
            continue
        style = "".join(_STYLES.get(tag, "") for tag in event.tags) if color else ""
        if styled and not style:
            pieces.append(_RESET)
        pieces.append(f"{_RESET if styled else ''}{style}{event.text}" if style else event.text)
        styled = bool(style)
    if styled:
        pieces.append(_RESET)
    return "".join(pieces)


def render_buttons(rows: Sequence[Sequence[str]]) -> str:
    """Inline keyboard rows as one line of bracketed labels per row."""
    return "\n".join("  ".join(f"[ {label} ]" for label in row) for row in rows if row)


def plain_text(text: str) -> str:
    """The text a reader sees, without any markup (for tests and logs)."""
    return visible_text(text)
