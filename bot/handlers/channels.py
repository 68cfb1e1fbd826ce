"""Channels as subscribers, managed from an admin's private chat; the bot's own membership.

A channel cannot talk to the bot (its posts have no sender), so an administrator of the channel
registers it from a private chat (/addchannel @name, or by forwarding one of its posts) and
manages it there: every chat command takes the channel as its first argument (/time @name
07:30, /settings @name), and the buttons those answers carry name the channel's subscriber
("@<id>:" before their data). Who may manage a channel is asked of Telegram (getChatMember),
so any of its administrators can, not only the one who added it.

`my_chat_member` updates tell when the bot is removed from a chat or loses the right to post:
the chat is marked blocked at once (nothing is retried into a chat that cannot take it), and
active again when the bot is made an administrator again.
"""

from __future__ import annotations

import functools
import logging
import re

from telegram import Chat, ChatMemberAdministrator, MessageOriginChannel, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.context import services
from bot.formatting import echo, escape
from bot.handlers.common import Handler, args_of, reply
from bot.i18n import N_, _, current_language, use_language
from bot.timeparse import parse_minute
from bot.views import times_phrase, topics_keyboard, topics_text
from storage import subscribers as store
from storage.models import Subscriber
from storage.topics import list_topics

log = logging.getLogger(__name__)

CHANNEL_REF = re.compile(r"^(@[A-Za-z][A-Za-z0-9_]{3,31}|-100\d{5,})$")
TARGET = re.compile(r"^@(\d+):(.*)$", re.DOTALL)
_ADMINS = frozenset({ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER})
_GONE = frozenset({ChatMemberStatus.LEFT, ChatMemberStatus.BANNED})
_STATUSES = {"active": N_("active"), "paused": N_("paused"), "blocked": N_("blocked")}
ADD_USAGE = N_(
    "Add a channel you administer: /addchannel @channelname (or forward me one of its posts). "
    "First add me to the channel as an administrator allowed to post messages."
)
ONLY_CHANNEL_ADMINS = N_("Only the channel's administrators can change its briefings.")


def target_prefix(context: ContextTypes.DEFAULT_TYPE) -> str:
    """What the buttons of an answer about a channel carry before their data ("" otherwise)."""
    target: Subscriber | None = getattr(context, "target", None)
    return f"@{target.id}:" if target is not None else ""


def button_data(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """A pressed button's data without the channel it names."""
    data = getattr(context, "button_data", None)
    if data is not None:
        return str(data)
    query = update.callback_query
    return (query.data or "") if query is not None else ""


def channel_name(channel: Subscriber) -> str:
    """How a channel is shown: its title."""
    return echo(channel.name or str(channel.chat_id), 100)


def targetable(handler: Handler) -> Handler:
    """A chat command that also works on a channel from a private chat: `/time @name 07:30`.
    The channel is taken off the arguments and becomes `context.target`."""

    @functools.wraps(handler)
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        args = context.args or []
        private = chat is not None and chat.type == ChatType.PRIVATE
        if private and args and CHANNEL_REF.match(args[0]):
            target = await _managed_channel(update, context, args.pop(0))
            if target is None:
                return
            context.target = target  # type: ignore[attr-defined]
        await handler(update, context)

    return run


def targetable_button(handler: Handler) -> Handler:
    """A button that may name a channel ("@<subscriber id>:<data>"): checked, then handled as
    that channel's."""

    @functools.wraps(handler)
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        found = TARGET.match(query.data or "") if query is not None else None
        if query is not None and found is not None:
            async with services(context).db.session() as session:
                channel = await session.get(Subscriber, int(found.group(1)))
            if channel is None or channel.chat_type != ChatType.CHANNEL:
                await query.answer(_("That channel is no longer registered."), show_alert=True)
                return
            if not await _may_manage_channel(update, context, channel.chat_id):
                await query.answer(_(ONLY_CHANNEL_ADMINS), show_alert=True)
                return
            context.target = channel  # type: ignore[attr-defined]
            context.button_data = found.group(2)  # type: ignore[attr-defined]
        await handler(update, context)

    return run


async def _may_manage_channel(
    update: Update, context: ContextTypes.DEFAULT_TYPE, chat_id: int
) -> bool:
    user = update.effective_user
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat_id, user.id)
    except TelegramError as exc:  # cannot tell: the safe answer for someone else's channel is no
        log.warning("could not check %s's rights in channel %s: %s", user.id, chat_id, exc)
        return False
    return member.status in _ADMINS


async def _find_chat(update: Update, context: ContextTypes.DEFAULT_TYPE, ref: str) -> Chat | None:
    """The chat a reference names, or None after saying it cannot be found."""
    try:
        return await context.bot.get_chat(int(ref) if ref.lstrip("-").isdigit() else ref)
    except TelegramError as exc:
        log.info("cannot find chat %s: %s", ref, exc)
        await reply(
            update,
            _(
                "I can't find {channel}. Use a public channel's @username, or forward me one "
                "of the channel's posts; I must be a member of a private channel to see it.",
                channel=echo(ref, 64),
            ),
        )
        return None


async def _managed_channel(
    update: Update, context: ContextTypes.DEFAULT_TYPE, ref: str
) -> Subscriber | None:
    """The registered channel `ref` names, if the sender administers it (else None, said)."""
    chat = await _find_chat(update, context, ref)
    if chat is None:
        return None
    async with services(context).db.session() as session:
        channel = await store.get_subscriber(session, chat.id)
    if channel is None:
        await reply(
            update,
            _(
                "{channel} is not registered. Add it first: {command}",
                channel=echo(ref, 64),
                command="/addchannel " + echo(ref, 64),
            ),
        )
        return None
    if not await _may_manage_channel(update, context, chat.id):
        await reply(update, _(ONLY_CHANNEL_ADMINS))
        return None
    return channel


async def add_channel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/addchannel @name: register a channel the sender administers, once the bot may post."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        await reply(update, _("Send /addchannel in a private chat with me."))
        return
    args = args_of(context)
    if not args:
        await reply(update, _(ADD_USAGE))
        return
    found = await _find_chat(update, context, args[0])
    if found is not None:
        await _register(update, context, found)


async def forwarded_post(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A post forwarded from a channel into the private chat: register that channel."""
    message = update.effective_message
    origin = message.forward_origin if message is not None else None
    if not isinstance(origin, MessageOriginChannel):
        await reply(update, _("Forward me a post of a channel to add that channel."))
        return
    found = await _find_chat(update, context, str(origin.chat.id))
    if found is not None:
        await _register(update, context, found)


async def _register(update: Update, context: ContextTypes.DEFAULT_TYPE, chat: Chat) -> None:
    title = echo(chat.title or str(chat.id), 100)
    if chat.type != ChatType.CHANNEL:
        await reply(
            update,
            _(
                "{title} is not a channel. In a group, add me to it and send /start there.",
                title=title,
            ),
        )
        return
    user = update.effective_user
    assert user is not None
    if not await _may_manage_channel(update, context, chat.id):
        await reply(update, _("Only an administrator of {title} can add it.", title=title))
        return
    problem = await _posting_problem(context, chat.id, title)
    if problem:
        await reply(update, problem)
        return
    app = services(context)
    async with app.db.session() as session:
        own = await store.get_subscriber(session, user.id)
        channel, created = await store.register_subscriber(
            session,
            chat.id,
            chat_type=ChatType.CHANNEL,
            name=chat.title,
            timezone=own.timezone if own is not None else app.settings.default_timezone,
            minutes=[parse_minute(app.settings.default_delivery_time)],
            now=app.clock(),
            managed_by=user.id,
        )
        if channel.language is None:  # like its timezone: its admin's until /language @name
            channel.language = current_language()
            await store.set_language(session, channel.id, channel.language)
        minutes = await store.delivery_minutes(session, channel.id)
        topics = [topic for topic, _feeds, _followers in await list_topics(session)]
        followed = {t.id for t in await store.subscribed_topics(session, channel.id)}
    ref = f"@{chat.username}" if chat.username else str(chat.id)
    context.target = channel  # type: ignore[attr-defined]  # the topic buttons are the channel's
    values = {
        "title": title,
        "times": times_phrase(minutes) or _("no time yet"),
        "timezone": escape(channel.timezone),
    }
    added = (
        _("📢 {title} is added. Its briefings come at {times} ({timezone}).", **values)
        if created
        else _(
            "📢 {title} is registered already. Its briefings come at {times} ({timezone}).",
            **values,
        )
    )
    lines = [
        added,
        "",
        topics_text(topics, followed),
        "",
        _("Manage it from here, naming it first:"),
        _(
            "/time {ref} 07:30 · /timezone {ref} Europe/Berlin · /settings {ref} · /language "
            "{ref} · /follow {ref} words · /briefing {ref} (one now) · /removechannel {ref}",
            ref=ref,
        ),
    ]
    await reply(
        update, "\n".join(lines), topics_keyboard(topics, followed, prefix=target_prefix(context))
    )


async def _posting_problem(context: ContextTypes.DEFAULT_TYPE, chat_id: int, title: str) -> str:
    """What keeps the bot from posting in a channel ("" when nothing does)."""
    try:
        member = await context.bot.get_chat_member(chat_id, context.bot.id)
    except TelegramError as exc:
        log.info("cannot read my rights in %s: %s", chat_id, exc)
        member = None
    if member is None or member.status in _GONE or member.status == ChatMemberStatus.MEMBER:
        return _(
            "I am not an administrator of {title}. Add me to the channel as an administrator "
            "with “Post messages” turned on, then send /addchannel again.",
            title=title,
        )
    if isinstance(member, ChatMemberAdministrator) and not member.can_post_messages:
        return _(
            "I am an administrator of {title} but may not post there: turn on “Post messages” "
            "for me in the channel's administrators, then send /addchannel again.",
            title=title,
        )
    return ""


async def list_channels_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/channels: the channels this user added, with their state."""
    user = update.effective_user
    if user is None:
        return
    async with services(context).db.session() as session:
        channels = await store.channels_managed_by(session, user.id)
        lines = []
        for channel in channels:
            minutes = await store.delivery_minutes(session, channel.id)
            lines.append(
                _(
                    "📢 {name} ({id}): {status}, at {times} ({timezone})",
                    name=channel_name(channel),
                    id=str(channel.chat_id),
                    status=_(_STATUSES[channel.status])
                    if channel.status in _STATUSES
                    else channel.status,
                    times=times_phrase(minutes) or _("no time"),
                    timezone=escape(channel.timezone),
                )
            )
    if not lines:
        await reply(update, _("You have not added a channel.") + " " + _(ADD_USAGE))
        return
    heading = _("<b>Your channels</b>")
    hint = _("Manage one by naming it first, e.g. /settings -100123456 or /settings @name.")
    await reply(update, "\n".join([heading, *lines, hint]))


async def remove_channel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/removechannel @name: stop the channel's briefings and forget its settings."""
    target: Subscriber | None = getattr(context, "target", None)
    if target is None:
        await reply(update, _("Which channel? /removechannel @channelname"))
        return
    async with services(context).db.session() as session:
        await store.forget_subscriber(session, target.chat_id)
    await reply(
        update, _("Removed {name}: no more briefings go there.", name=channel_name(target))
    )


async def bot_membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was added, removed, promoted or restricted in a chat (my_chat_member): the
    chat's subscribers stop at once when it can no longer post, and resume when it can."""
    change = update.my_chat_member
    if change is None:
        return
    chat, member = change.chat, change.new_chat_member
    can_post = member.status not in _GONE and not (
        chat.type == ChatType.CHANNEL
        and not (isinstance(member, ChatMemberAdministrator) and member.can_post_messages)
    )
    status = store.ACTIVE if can_post else store.BLOCKED
    async with services(context).db.session() as session:
        changed = await store.set_chat_status(session, chat.id, status)
        # Each admin who added a channel reads about it in their own chat's language.
        languages = await store.languages_of_chats(
            session, {s.managed_by for s in changed if s.managed_by is not None}
        )
    log.info(
        "my status in chat %s is now %s: %d subscribers %s",
        chat.id,
        member.status,
        len(changed),
        status,
    )
    for subscriber in changed:
        if subscriber.managed_by is None:
            continue
        with use_language(languages.get(subscriber.managed_by)):
            name = channel_name(subscriber)
            text = (
                _("📢 I can post in {name} again: its briefings resume.", name=name)
                if can_post
                else _(
                    "📢 I was removed from {name}, or may no longer post there: its briefings "
                    "are stopped. Make me an administrator with “Post messages” again to resume "
                    "them.",
                    name=name,
                )
            )
        try:
            await context.bot.send_message(subscriber.managed_by, text)
        except TelegramError as exc:  # the admin may have blocked the bot: the log says it
            log.warning(
                "could not tell %s about channel %s: %s", subscriber.managed_by, chat.id, exc
            )


async def channel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command posted in a channel (only its administrators can post): /start there
    registers the channel, managed from the private chat of any of its admins."""
    message = update.channel_post
    if message is None or not (message.text or "").startswith("/start"):
        return
    chat = message.chat
    app = services(context)
    async with app.db.session() as session:
        _channel, created = await store.register_subscriber(
            session,
            chat.id,
            chat_type=ChatType.CHANNEL,
            name=chat.title,
            timezone=app.settings.default_timezone,
            minutes=[parse_minute(app.settings.default_delivery_time)],
            now=app.clock(),
        )
    ref = f"@{chat.username}" if chat.username else str(chat.id)
    me = context.bot.username
    values = {"bot": f"@{me}", "ref": ref}
    await chat.send_message(
        _(
            "📰 Briefings will be posted here. An administrator picks their topics and times "
            "in a private chat with {bot}: /topics {ref}, /time {ref} 07:30.",
            **values,
        )
        if created
        else _(
            "📰 Briefings will be posted here (registered already). An administrator picks "
            "their topics and times in a private chat with {bot}: /topics {ref}, "
            "/time {ref} 07:30.",
            **values,
        )
    )
