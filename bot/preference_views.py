"""Texts and buttons of a chat's own choices: its briefing options and /follow, /mute phrases.

The buttons sit under /settings, so every option is one tap away and the message redraws with
the new value. Their data names the option ("opt:items:+"), or the filter's id ("unfilter:12"):
never the phrase, which could pass Telegram's 64-byte limit. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.formatting import echo, shorten
from storage.preferences import ChatOptions, Filter

OPTION_CALLBACK = "opt:"
UNFILTER_CALLBACK = "unfilter:"
FLAG_LABELS = {
    "silent": "🔕 Silent",
    "link_preview": "🔗 Link preview",
    "lead_image": "🖼 Lead image",
    "breaking": "⚡ Breaking news",
}
MAX_FILTER_BUTTON = 40


def on_off(value: bool) -> str:
    """'on' or 'off'."""
    return "on" if value else "off"


def quoted(keywords: str, limit: int = 100) -> str:
    """A phrase as the chat sees it: in quotes, escaped, shortened."""
    return f"“{echo(keywords, limit)}”"


def options_lines(options: ChatOptions, items_default: int, sentences_default: int) -> list[str]:
    """The options part of /settings."""
    items = options.items or items_default
    sentences = options.sentences if options.sentences is not None else sentences_default
    return [
        f"Items per briefing: {items}",
        "Sentences per item: " + (str(sentences) if sentences else "0 (headlines only)"),
        f"Silent delivery: {on_off(options.silent)}",
        "Link preview: " + ("the top story's, above the text" if options.link_preview else "off"),
        f"Lead image: {on_off(options.lead_image)}",
        "Breaking news: " + ("on (big stories at once)" if options.breaking else "off"),
    ]


def filters_lines(follows: Sequence[Filter], mutes: Sequence[Filter]) -> list[str]:
    """The /follow and /mute part of /settings."""
    following = ", ".join(quoted(f.keywords) for f in follows) or "none (try /follow ukraine grain)"
    muted = ", ".join(quoted(f.keywords) for f in mutes) or "none (try /mute football)"
    return [f"Following: {following}", f"Muted: {muted}"]


def settings_keyboard(
    options: ChatOptions,
    filters: Sequence[Filter],
    items_default: int,
    sentences_default: int,
    prefix: str = "",
) -> InlineKeyboardMarkup:
    """Buttons under /settings: each option's change, and a remove button per phrase;
    `prefix` names the channel they are for."""
    items = options.items or items_default
    sentences = options.sentences if options.sentences is not None else sentences_default
    rows = [
        [
            InlineKeyboardButton(
                f"Items − ({items})", callback_data=f"{prefix}{OPTION_CALLBACK}items:-"
            ),
            InlineKeyboardButton("Items +", callback_data=f"{prefix}{OPTION_CALLBACK}items:+"),
        ],
        [
            InlineKeyboardButton(
                f"Sentences − ({sentences})", callback_data=f"{prefix}{OPTION_CALLBACK}sentences:-"
            ),
            InlineKeyboardButton(
                "Sentences +", callback_data=f"{prefix}{OPTION_CALLBACK}sentences:+"
            ),
        ],
    ]
    flags = [
        InlineKeyboardButton(
            f"{label}: {on_off(getattr(options, name))}",
            callback_data=f"{prefix}{OPTION_CALLBACK}{name}",
        )
        for name, label in FLAG_LABELS.items()
    ]
    rows += [flags[i : i + 2] for i in range(0, len(flags), 2)]
    for entry in filters:
        verb = "Unfollow" if entry.kind == "follow" else "Unmute"
        label = f"✖ {verb} “{shorten(entry.keywords, MAX_FILTER_BUTTON)}”"
        rows.append(
            [InlineKeyboardButton(label, callback_data=f"{prefix}{UNFILTER_CALLBACK}{entry.id}")]
        )
    return InlineKeyboardMarkup(rows)


def stepped(value: int, step: str, allowed: range) -> int:
    """`value` one step up ("+") or down ("-"), kept within `allowed`."""
    moved = value + (1 if step == "+" else -1)
    return min(max(moved, allowed.start), allowed.stop - 1)
