"""Texts and buttons of a chat's own choices: its briefing options and /follow, /mute phrases.

The buttons sit under /settings, so every option is one tap away and the message redraws with
the new value. Their data names the option ("opt:items:+"), or the filter's id ("unfilter:12"):
never the phrase, which could pass Telegram's 64-byte limit. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.formatting import echo, shorten
from bot.i18n import N_, _, num
from storage.preferences import ChatOptions, Filter

OPTION_CALLBACK = "opt:"
UNFILTER_CALLBACK = "unfilter:"
# Translated where shown: `_(FLAG_LABELS[name])`.
FLAG_LABELS = {
    "silent": N_("🔕 Silent"),
    "link_preview": N_("🔗 Link preview"),
    "lead_image": N_("🖼 Lead image"),
    "breaking": N_("⚡ Breaking news"),
}
MAX_FILTER_BUTTON = 40


def on_off(value: bool) -> str:
    """'on' or 'off'."""
    return _("on") if value else _("off")


def quoted(keywords: str, limit: int = 100) -> str:
    """A phrase as the chat sees it: in quotes, escaped, shortened."""
    return f"“{echo(keywords, limit)}”"


def options_lines(options: ChatOptions, items_default: int, sentences_default: int) -> list[str]:
    """The options part of /settings."""
    items = options.items or items_default
    sentences = options.sentences if options.sentences is not None else sentences_default
    return [
        _("Items per briefing: {count}", count=num(items)),
        _("Sentences per item: {count}", count=num(sentences))
        if sentences
        else _("Sentences per item: 0 (headlines only)"),
        _("Silent delivery: {state}", state=on_off(options.silent)),
        _("Link preview: the top story's, above the text")
        if options.link_preview
        else _("Link preview: {state}", state=on_off(False)),
        _("Lead image: {state}", state=on_off(options.lead_image)),
        _("Breaking news: on (big stories at once)")
        if options.breaking
        else _("Breaking news: {state}", state=on_off(False)),
    ]


def filters_lines(follows: Sequence[Filter], mutes: Sequence[Filter]) -> list[str]:
    """The /follow and /mute part of /settings."""
    following = ", ".join(quoted(f.keywords) for f in follows) or _(
        "none (try /follow ukraine grain)"
    )
    muted = ", ".join(quoted(f.keywords) for f in mutes) or _("none (try /mute football)")
    return [_("Following: {phrases}", phrases=following), _("Muted: {phrases}", phrases=muted)]


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
                _("Items − ({count})", count=num(items)),
                callback_data=f"{prefix}{OPTION_CALLBACK}items:-",
            ),
            InlineKeyboardButton(_("Items +"), callback_data=f"{prefix}{OPTION_CALLBACK}items:+"),
        ],
        [
            InlineKeyboardButton(
                _("Sentences − ({count})", count=num(sentences)),
                callback_data=f"{prefix}{OPTION_CALLBACK}sentences:-",
            ),
            InlineKeyboardButton(
                _("Sentences +"), callback_data=f"{prefix}{OPTION_CALLBACK}sentences:+"
            ),
        ],
    ]
    flags = [
        InlineKeyboardButton(
            f"{_(label)}: {on_off(getattr(options, name))}",
            callback_data=f"{prefix}{OPTION_CALLBACK}{name}",
        )
        for name, label in FLAG_LABELS.items()
    ]
    rows += [flags[i : i + 2] for i in range(0, len(flags), 2)]
    for entry in filters:
        phrase = shorten(entry.keywords, MAX_FILTER_BUTTON)
        if entry.kind == "follow":
            label = _("✖ Unfollow “{phrase}”", phrase=phrase)
        else:
            label = _("✖ Unmute “{phrase}”", phrase=phrase)
        rows.append(
            [InlineKeyboardButton(label, callback_data=f"{prefix}{UNFILTER_CALLBACK}{entry.id}")]
        )
    return InlineKeyboardMarkup(rows)


def stepped(value: int, step: str, allowed: range) -> int:
    """`value` one step up ("+") or down ("-"), kept within `allowed`."""
    moved = value + (1 if step == "+" else -1)
    return min(max(moved, allowed.start), allowed.stop - 1)
