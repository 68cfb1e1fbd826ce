"""A chat's own choices: /follow and /mute phrases, and the option buttons under /settings.

Changes belong to whoever may manage the chat (anyone in a private chat, a group's admins);
each is decided in one transaction and the answer (a reply, a redrawn /settings) comes after.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.context import services
from bot.handlers.channels import button_data, target_prefix
from bot.handlers.common import args_of, reply, subscriber_for
from bot.i18n import N_, _, num
from bot.preference_views import (
    FLAG_LABELS,
    OPTION_CALLBACK,
    UNFILTER_CALLBACK,
    on_off,
    quoted,
    settings_keyboard,
    stepped,
)
from bot.views import settings_text
from storage import preferences as prefs
from storage import subscribers as store
from storage.models import Subscriber
from storage.preferences import FOLLOW, ITEMS_RANGE, MUTE, SENTENCES_RANGE, ChatOptions
from summarizer.keywords import build_rule
from summarizer.words import stems, stop_words

MAX_WORD = 64
FOLLOW_USAGE = N_(
    "Follow words of your own, like a topic: /follow ukraine grain\n"
    "Stories whose title or lead names any of them come in your briefings, under their own "
    "heading. Join words with a hyphen for a phrase (/follow black-sea), put - before a word "
    "to leave its stories out (/follow ukraine -football). Remove one in /settings."
)
MUTE_USAGE = N_(
    "Mute words: /mute football\n"
    "Stories whose title or lead names any of them are left out of every briefing, whatever "
    "topic carries them. Remove one in /settings."
)


async def follow_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/follow words: a personal topic matched like an admin topic (stemmed, title and lead)."""
    await _add_filter(update, context, FOLLOW)


async def mute_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/mute words: drop stories that match from every briefing."""
    await _add_filter(update, context, MUTE)


def phrase_problem(words: list[str]) -> str | None:
    """Why these words cannot be a filter, or None when they can."""
    too_long = [w for w in words if len(w) > MAX_WORD]
    if too_long:
        return _(
            "{word} is too long for a word (at most {count} letters).",
            word=quoted(too_long[0], 40),
            count=num(MAX_WORD),
        )
    keywords = prefs.normalise_keywords(words)
    if not build_rule(0, keywords).include:
        return _(
            "There is nothing to look for in that: give at least one word without a - before "
            "it, with letters or digits in it."
        )
    common = [w for w in words if not w.startswith("-") and _too_common(w)]
    if common:
        return _(
            "{word} is in nearly every story: follow or mute a name or a subject instead "
            "(/follow grain, /mute football).",
            word=quoted(common[0], 40),
        )
    return None


def _too_common(word: str) -> bool:
    """A word every story has ("the", "a"): as a filter it would match everything."""
    pieces = stems(word)
    return all(len(p) < 2 or p in stop_words() for p in pieces) if pieces else False


async def _add_filter(update: Update, context: ContextTypes.DEFAULT_TYPE, kind: str) -> None:
    words = args_of(context)
    subscriber = await subscriber_for(update, context, manage=bool(words))
    if subscriber is None:
        return
    app = services(context)
    if not words:
        async with app.db.session() as session:
            view = await store.subscriber_view(session, subscriber.chat_id, subscriber.thread_id)
        have = (view.follows if kind == FOLLOW else view.mutes) if view else []
        listed = ", ".join(quoted(f.keywords) for f in have) or _("none yet")
        usage = _(FOLLOW_USAGE) if kind == FOLLOW else _(MUTE_USAGE)
        if kind == FOLLOW:
            have_line = _("You follow: {phrases}", phrases=listed)
        else:
            have_line = _("Muted: {phrases}", phrases=listed)
        await reply(update, f"{usage}\n\n{have_line}")
        return
    problem = phrase_problem(words)
    if problem:
        await reply(update, problem)
        return
    keywords = prefs.normalise_keywords(words)
    try:
        async with app.db.session() as session:
            added = await prefs.add_filter(session, subscriber.id, kind, keywords, app.clock())
    except ValueError:
        await reply(
            update,
            _(
                "You have {count} of those already: remove one in /settings first.",
                count=num(prefs.MAX_FILTERS),
            ),
        )
        return
    phrase = quoted(keywords)
    if kind == FOLLOW:
        text = (
            _(
                "Following {phrase}: stories that name it in their title or lead come in your "
                "briefings, under its own heading.",
                phrase=phrase,
            )
            if added
            else _("You already follow {phrase}.", phrase=phrase)
        )
    else:
        text = (
            _("Muted {phrase}: stories that name it are left out of your briefings.", phrase=phrase)
            if added
            else _("{phrase} is muted already.", phrase=phrase)
        )
    listing = _("/settings lists your phrases, with a button to remove each.")
    await reply(update, f"{text} {listing}")


async def option_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A /settings option button: change it and redraw the settings."""
    query = update.callback_query
    assert query is not None and query.data is not None
    subscriber = await subscriber_for(update, context)
    if subscriber is None:
        return
    app = services(context)
    name, _sep, step = button_data(update, context).removeprefix(OPTION_CALLBACK).partition(":")
    options = ChatOptions.of(subscriber)
    async with app.db.session() as session:
        if name == "items":
            items = stepped(options.items or app.settings.briefing_max_items, step, ITEMS_RANGE)
            await prefs.set_items(session, subscriber.id, items)
            note = _("Items per briefing: {count}", count=num(items))
        elif name == "sentences":
            current = options.sentences
            if current is None:
                current = app.settings.summary_sentences
            sentences = stepped(current, step, SENTENCES_RANGE)
            await prefs.set_sentences(session, subscriber.id, sentences)
            note = _("Sentences per item: {count}", count=num(sentences))
        elif name in FLAG_LABELS:
            value = not getattr(options, name)
            await prefs.set_flag(session, subscriber.id, name, value)
            note = f"{_(FLAG_LABELS[name])}: {on_off(value)}"
        else:
            note = _("That button is out of date. Send /settings again.")
    await query.answer(note)
    await _redraw(update, context, subscriber)


async def unfilter_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A "✖ Unfollow" / "✖ Unmute" button under /settings: remove the phrase, redraw."""
    query = update.callback_query
    assert query is not None and query.data is not None
    subscriber = await subscriber_for(update, context)
    if subscriber is None:
        return
    number = button_data(update, context).removeprefix(UNFILTER_CALLBACK)
    removed = None
    if number.isdigit():
        async with services(context).db.session() as session:
            removed = await prefs.remove_filter(session, subscriber.id, int(number))
    await query.answer(
        _("Removed “{phrase}”", phrase=removed[:150]) if removed else _("Already removed.")
    )
    await _redraw(update, context, subscriber)


async def _redraw(
    update: Update, context: ContextTypes.DEFAULT_TYPE, subscriber: Subscriber
) -> None:
    """Show the settings message again with the chat's current values."""
    query = update.callback_query
    app = services(context)
    async with app.db.session() as session:
        view = await store.subscriber_view(session, subscriber.chat_id, subscriber.thread_id)
    if view is None or query is None or not isinstance(query.message, Message):
        return
    text, keyboard = settings_view(view, context)
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as exc:  # "message is not modified" after a double tap
        if "not modified" not in exc.message:
            raise


def settings_view(
    view: store.SubscriberView, context: ContextTypes.DEFAULT_TYPE
) -> tuple[str, InlineKeyboardMarkup]:
    """The /settings text and its buttons."""
    app = services(context)
    defaults = app.settings.briefing_max_items, app.settings.summary_sentences
    text = settings_text(
        view, app.clock(), items_default=defaults[0], sentences_default=defaults[1]
    )
    keyboard = settings_keyboard(
        ChatOptions.of(view.subscriber),
        view.filters,
        defaults[0],
        defaults[1],
        prefix=target_prefix(context),
    )
    return text, keyboard
