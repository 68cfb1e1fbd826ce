"""Helpers shared by the handlers: replying, reading arguments, the admin gate, fallbacks."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.context import services
from bot.formatting import echo, escape, split_blocks
from bot.i18n import N_, _, set_language, supported
from bot.timeparse import parse_minute
from storage.models import Subscriber
from storage.subscribers import (
    chat_language,
    get_subscriber,
    reactivate_blocked,
    register_subscriber,
)
from storage.subscribers import set_language as store_language

log = logging.getLogger(__name__)

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
# Translated where they are said (`_(NOT_REGISTERED)`): the language is the chat's, known then.
NOT_ALLOWED = N_("Sorry, that is not allowed: /{command} is for admins only.")
NOT_REGISTERED = N_("This chat is not subscribed. Send /start to begin.")
GROUP_ADMINS_ONLY = N_("Only this group's admins can change its briefings.")
_ADMIN_STATUSES = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer in the chat the update came from (HTML, no link previews: the defaults).

    A text too long for one message goes out in several, split between lines (never inside
    markup), the buttons under the last.
    """
    chat = update.effective_chat
    if chat is None:
        return
    parts = split_blocks(text.split("\n"))
    thread = thread_of(update) or None
    for number, part in enumerate(parts, start=1):
        await chat.send_message(
            part,
            reply_markup=markup if number == len(parts) else None,
            message_thread_id=thread,
        )


def thread_of(update: Update) -> int:
    """The forum topic an update came from (its message_thread_id), 0 outside forum topics.

    Only a forum's topic messages count: in other groups message_thread_id names a reply
    thread, which is not a place of its own.
    """
    message = update.effective_message
    if message is None and update.callback_query is not None:
        message = update.callback_query.message  # type: ignore[assignment]
    if message is None or not getattr(message, "is_topic_message", False):
        return 0
    return message.message_thread_id or 0


def command_name(update: Update) -> str:
    """The command without slash and @botname, e.g. 'addfeed'."""
    text = update.effective_message.text if update.effective_message else ""
    word = (text or "").split(maxsplit=1)[0] if text else ""
    return word.lstrip("/").split("@", 1)[0].lower()


def rest_of_message(update: Update) -> str:
    """Everything after the command, newlines kept (for /broadcast)."""
    text = (update.effective_message.text or "") if update.effective_message else ""
    parts = text.split(maxsplit=1)
    return text[text.index(parts[1]) :].strip() if len(parts) > 1 else ""


def admin_only(handler: Handler) -> Handler:
    """Run `handler` for admins; anyone else is told it is not allowed, and it is logged."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if not services(context).is_admin(user.id if user else None):
            command = command_name(update)
            log.warning(
                "refused /%s from user %s in chat %s: not an admin",
                command,
                user.id if user else "?",
                update.effective_chat.id if update.effective_chat else "?",
            )
            await reply(update, _(NOT_ALLOWED, command=escape(command)))
            return
        await handler(update, context)

    return guarded


async def may_manage(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether the sender may change this chat's subscription: anyone in a private chat; in a
    group, its administrators (also an anonymous one, posting as the group itself)."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    message = update.effective_message
    sender_chat = message.sender_chat if message is not None else None
    if sender_chat is not None and sender_chat.id == chat.id:
        return True  # an anonymous admin: Telegram shows the group as the sender
    user = update.effective_user
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:  # cannot tell: the safe answer for someone else's group is no
        log.warning("could not check %s's rights in chat %s: %s", user.id, chat.id, exc)
        return False
    return member.status in _ADMIN_STATUSES


async def subscriber_for(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, manage: bool = True
) -> Subscriber | None:
    """The chat's subscriber, or None after telling the user why not: the chat never sent
    /start (or sent /stop since), or, for a change (`manage`), the sender is not one of the
    group's admins. Only /start registers a chat. A channel named by the command or the
    button (bot/handlers/channels.py, already checked) is the answer when there is one."""
    target: Subscriber | None = getattr(context, "target", None)
    if target is not None:
        return target
    if manage and not await may_manage(update, context):
        await _refuse(update, _(GROUP_ADMINS_ONLY))
        return None
    chat = update.effective_chat
    assert chat is not None
    async with services(context).db.session() as session:
        subscriber = await get_subscriber(session, chat.id, thread_of(update))
    if subscriber is None:
        await _refuse(update, _(NOT_REGISTERED))
    return subscriber


async def _refuse(update: Update, text: str) -> None:
    """Say `text` as a button's notification, or as a message for a command."""
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await reply(update, text)


async def reactivate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before any handler: speak the chat's language, and a chat that had blocked the bot and
    sends a message or a button is back, active again.

    The language is the one the chat chose (/language; a forum topic's, else its group's),
    else the sender's Telegram language_code, else English. A private chat that never chose
    keeps its sender's language from now on, so its briefings come in it too. Only a
    person's message or button reactivates: a change of the bot's membership says itself
    whether the chat can be posted to (channels.bot_membership), and a channel's post says
    nothing about the bot's rights there."""
    chat = update.effective_chat
    user = update.effective_user
    spoken = supported(user.language_code if user is not None else None)
    if chat is None:
        set_language(spoken)
        return
    thread = thread_of(update)
    person = update.message is not None or update.callback_query is not None
    async with services(context).db.session() as session:
        if person:
            await reactivate_blocked(session, chat.id, thread)
        registered, chosen = await chat_language(session, chat.id, thread)
        if registered and chosen is None and spoken and chat.type == ChatType.PRIVATE:
            subscriber = await get_subscriber(session, chat.id, thread)
            if subscriber is not None:
                await store_language(session, subscriber.id, spoken)
                chosen = spoken
    set_language(chosen or spoken)


async def ensure_subscriber(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[Subscriber, bool]:
    """The chat's subscriber, registered now (default timezone and time) if it is new (/start
    only: every other command needs a registered chat)."""
    app = services(context)
    chat = update.effective_chat
    assert chat is not None
    name = chat.title or chat.full_name or chat.username
    user = update.effective_user
    spoken = supported(user.language_code if user is not None else None)
    async with app.db.session() as session:
        subscriber, created = await register_subscriber(
            session,
            chat.id,
            chat_type=chat.type,
            name=name,
            timezone=app.settings.default_timezone,
            minutes=[parse_minute(app.settings.default_delivery_time)],
            now=app.clock(),
            thread_id=thread_of(update),
        )
        # The language of whoever sent /start (a group's admin: the group's), unless the
        # chat chose one; a language without a catalogue stays unchosen (English).
        if subscriber.language is None and spoken is not None:
            await store_language(session, subscriber.id, spoken)
            subscriber.language = spoken
    if subscriber.language:
        set_language(subscriber.language)
    return subscriber, created


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any command we do not have: say so and point at /help (in groups, only if meant for us)."""
    message = update.effective_message
    if message is None or not message.text:
        return
    word = message.text.split(maxsplit=1)[0]
    addressed = word.split("@", 1)[1] if "@" in word else None
    chat = update.effective_chat
    in_group = chat is not None and chat.type != ChatType.PRIVATE
    if addressed is not None and addressed.lower() != (context.bot.username or "").lower():
        return  # a command for another bot in the same group
    if in_group and addressed is None:
        return  # groups see many commands; answer only the ones addressed to us
    await reply(
        update,
        _(
            "Sorry, I don't know {command}. Send /help to see what I can do.",
            command=echo(word.split("@", 1)[0], 64),
        ),
    )


async def unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button no handler knows (an old keyboard, forged data): answered, so the client's
    spinner stops, and explained."""
    query = update.callback_query
    if query is not None:
        await query.answer(_("That button is out of date. Send /help to see what I can do."))


async def log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log any exception a handler raised and tell the user something went wrong."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await update.effective_chat.send_message(
                _("Sorry, something went wrong on my side. Please try again in a moment."),
                message_thread_id=thread_of(update) or None,
            )
        except Exception:  # the error may be that we cannot reach Telegram at all
            log.debug("could not tell the user about the error", exc_info=True)


def args_of(context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    """The command's arguments (words after the command)."""
    return list(context.args or [])
