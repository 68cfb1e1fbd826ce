"""/language: the language the bot speaks in a chat (or writes a channel's briefings in).

Each language is offered in its own name (Deutsch, Français, العربية…), so whoever reads it
finds theirs whatever the bot speaks now. A chat's choice is stored on its subscriber
(`subscribers.language`) and is what every answer, menu and briefing of that chat reads; a
group's is changed by its admins, a channel's from a private chat (`/language @channel`).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.context import services
from bot.formatting import echo
from bot.handlers.channels import button_data, channel_name, target_prefix
from bot.handlers.common import args_of, reply, subscriber_for
from bot.i18n import (
    LANGUAGE_NAMES,
    _,
    available_languages,
    language_name,
    resolve,
    set_language,
    supported,
)
from storage import subscribers as store
from storage.models import Subscriber

LANGUAGE_CALLBACK = "lang:"
LANGUAGES_PER_ROW = 3  # the names are long ("Українська"): three fit a phone's width


def language_keyboard(chosen: str, *, prefix: str = "") -> InlineKeyboardMarkup:
    """One button per shipped language in its own name, the chosen one ticked; `prefix`
    names the channel they are for."""
    buttons = [
        InlineKeyboardButton(
            f"{'✅ ' if code == chosen else ''}{language_name(code)}",
            callback_data=f"{prefix}{LANGUAGE_CALLBACK}{code}",
        )
        for code in available_languages()
    ]
    return InlineKeyboardMarkup(
        [buttons[i : i + LANGUAGES_PER_ROW] for i in range(0, len(buttons), LANGUAGES_PER_ROW)]
    )


def language_text(subscriber: Subscriber, context: ContextTypes.DEFAULT_TYPE) -> str:
    """What /language says: the language now, and to tap another."""
    name = language_name(resolve(subscriber.language))
    if getattr(context, "target", None) is not None:
        return _(
            "🌐 The briefings of {channel} come in {language}. Tap another language to change it:",
            channel=channel_name(subscriber),
            language=name,
        )
    return _(
        "🌐 I speak {language} in this chat. Tap another language to change it:", language=name
    )


def find_language(typed: str) -> str | None:
    """The shipped language someone typed: its code ("de", "pt-BR") or its name in any case
    ("deutsch", "Français")."""
    code = supported(typed)
    if code is not None:
        return code
    wanted = typed.strip().casefold()
    return next(
        (
            c
            for c, n in LANGUAGE_NAMES.items()
            if n.casefold() == wanted and c in available_languages()
        ),
        None,
    )


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/language: the chat's language with a button per language; /language de (or Deutsch)
    sets it at once."""
    typed = " ".join(args_of(context))
    subscriber = await subscriber_for(update, context, manage=bool(typed))
    if subscriber is None:
        return
    prefix = target_prefix(context)
    if not typed:
        keyboard = language_keyboard(resolve(subscriber.language), prefix=prefix)
        await reply(update, language_text(subscriber, context), keyboard)
        return
    code = find_language(typed)
    if code is None:
        await reply(
            update,
            _("I don't speak “{typed}” yet. Choose one of these:", typed=echo(typed, 40)),
            language_keyboard(resolve(subscriber.language), prefix=prefix),
        )
        return
    await reply(update, await _apply(context, subscriber, code))


async def choose_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A language button: set it, then redraw the buttons in the new language."""
    query = update.callback_query
    assert query is not None
    code = supported(button_data(update, context).removeprefix(LANGUAGE_CALLBACK))
    if code is None:
        await query.answer(_("That button is out of date."))
        return
    subscriber = await subscriber_for(update, context)
    if subscriber is None:
        return
    done = await _apply(context, subscriber, code)
    await query.answer(done[:200])  # an answer holds 200 characters
    subscriber.language = code
    if isinstance(query.message, Message):
        keyboard = language_keyboard(code, prefix=target_prefix(context))
        try:
            await query.edit_message_text(language_text(subscriber, context), reply_markup=keyboard)
        except BadRequest as exc:  # "message is not modified" after a double tap
            if "not modified" not in exc.message:
                raise


async def _apply(context: ContextTypes.DEFAULT_TYPE, subscriber: Subscriber, code: str) -> str:
    """Store the language and say so: in it, for the chat's own language; in the speaker's,
    for a channel managed from here."""
    async with services(context).db.session() as session:
        await store.set_language(session, subscriber.id, code)
    name = language_name(code)
    if getattr(context, "target", None) is not None:
        return _(
            "✅ The briefings of {channel} now come in {language}.",
            channel=channel_name(subscriber),
            language=name,
        )
    set_language(code)  # the rest of this answer, and every one after it, in the new language
    return _("✅ From now on I speak {language} here.", language=name)
