"""Subscriber handlers about topics: /start, /topics, /subscribe, /unsubscribe, toggle buttons."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.context import services
from bot.formatting import echo, shorten, visible
from bot.handlers.channels import button_data, target_prefix
from bot.handlers.common import (
    GROUP_ADMINS_ONLY,
    args_of,
    ensure_subscriber,
    may_manage,
    reply,
    subscriber_for,
)
from bot.handlers.followups import story_details
from bot.i18n import _, ngettext
from bot.views import (
    DEEP_LINK_MORE,
    has_briefing_button,
    new_welcome,
    next_briefing_phrase,
    parse_topic_callback,
    topics_keyboard,
    topics_text,
    welcome_text,
)
from storage.deliveries import enqueue_manual
from storage.models import Subscriber, Topic
from storage.subscribers import (
    delivery_minutes,
    has_interests,
    subscribe,
    subscribed_topics,
    unsubscribe,
)
from storage.topics import get_topic, list_topics


async def _topics_and_followed(
    context: ContextTypes.DEFAULT_TYPE, subscriber_id: int
) -> tuple[list[Topic], set[int]]:
    async with services(context).db.session() as session:
        topics = [topic for topic, _feeds, _followers in await list_topics(session)]
        followed = {t.id for t in await subscribed_topics(session, subscriber_id)}
    return topics, followed


async def _welcome(
    context: ContextTypes.DEFAULT_TYPE, subscriber: Subscriber, *, created: bool
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The /start message: greeting, next briefing, the topics with their toggle buttons and
    a button for a first briefing now."""
    app = services(context)
    async with app.db.session() as session:
        minutes = await delivery_minutes(session, subscriber.id)
    topics, followed = await _topics_and_followed(context, subscriber.id)
    when = next_briefing_phrase(
        subscriber.timezone, minutes, app.clock(), follows_topics=bool(followed)
    )
    text = welcome_text(created, when) + "\n\n" + topics_text(topics, followed)
    return text, topics_keyboard(topics, followed, briefing_button=True)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Register the chat (the one command that does) and show the topics as toggle buttons.

    `/start more_<story id>` is a channel briefing's "More" link: the reader gets that story
    here, and is not registered for briefings of their own by it."""
    payload = args_of(context)[0] if args_of(context) else ""
    if payload.startswith(DEEP_LINK_MORE) and payload.removeprefix(DEEP_LINK_MORE).isdigit():
        app = services(context)
        story = int(payload.removeprefix(DEEP_LINK_MORE))
        details = await story_details(app.db, app.cpu, story, app.clock())
        if details is None:
            await reply(update, _("That story is no longer available. /start gets you briefings."))
        else:
            await reply(update, *details)
        return
    if not await may_manage(update, context):
        await reply(update, _(GROUP_ADMINS_ONLY))
        return
    subscriber, created = await ensure_subscriber(update, context)
    await reply(update, *await _welcome(context, subscriber, created=created))


async def show_topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List topics with follow/unfollow buttons."""
    subscriber = await subscriber_for(update, context, manage=False)
    if subscriber is None:
        return
    topics, followed = await _topics_and_followed(context, subscriber.id)
    keyboard = topics_keyboard(topics, followed, prefix=target_prefix(context))
    await reply(update, topics_text(topics, followed), keyboard)


async def _available(context: ContextTypes.DEFAULT_TYPE) -> str:
    async with services(context).db.session() as session:
        names = [topic.name for topic, _feeds, _followers in await list_topics(session)]
    if not names:
        return _("There are no topics yet; an admin adds them with /addtopic.")
    listed = ", ".join(f"<code>{echo(n, 64)}</code>" for n in names)
    return _("Topics: {names}.", names=listed)


async def subscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscribe <topic> [<topic>…]: follow topics."""
    await _change_topics(update, context, follow=True)


async def unsubscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unsubscribe <topic> [<topic>…]: stop following topics."""
    await _change_topics(update, context, follow=False)


async def _change_topics(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, follow: bool
) -> None:
    verb = "subscribe" if follow else "unsubscribe"
    names = args_of(context)
    if not names:
        example = _("Which topic? For example: {command}", command="/" + verb + " tech")
        await reply(update, f"{example}\n{await _available(context)}")
        return
    subscriber = await subscriber_for(update, context)
    if subscriber is None:
        return
    lines: list[str] = []
    unknown: list[str] = []
    async with services(context).db.session() as session:
        for name in dict.fromkeys(names):  # each name once, in the order typed
            topic = await get_topic(session, name)
            if topic is None:
                unknown.append(name)
                continue
            title = echo(topic.title, 100)
            if follow:
                changed = await subscribe(session, subscriber.id, topic.id)
                lines.append(
                    _("✅ Following {title}.", title=title)
                    if changed
                    else _("You already follow {title}.", title=title)
                )
            else:
                changed = await unsubscribe(session, subscriber.id, topic.id)
                lines.append(
                    _("Stopped following {title}.", title=title)
                    if changed
                    else _("You don't follow {title}.", title=title)
                )
    if unknown:
        lines.append(_("There is no topic {names}.", names=_quoted_names(unknown)))
        example = _("Example: {command}", command="/" + verb + " tech")
        lines.append(f"{await _available(context)} {example}")
    await reply(update, "\n".join(lines))


def _quoted_names(names: list[str], shown: int = 10) -> str:
    """“a”, “b” … and 3 more: a message full of wrong names gets one line back, not pages."""
    quoted = ", ".join(f"“{echo(name, 64)}”" for name in names[:shown])
    if len(names) <= shown:
        return quoted
    return ngettext(
        "{names} and {count} more", "{names} and {count} more", len(names) - shown, names=quoted
    )


async def toggle_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A topic button was pressed: follow or unfollow it and redraw the list."""
    query = update.callback_query
    assert query is not None and query.data is not None
    wanted = parse_topic_callback(button_data(update, context))
    subscriber = await subscriber_for(update, context)
    if subscriber is None:
        return
    async with services(context).db.session() as session:
        topic = await _pressed_topic(session, wanted)
        if topic is None:
            note = _("That topic no longer exists.")
        elif await subscribe(session, subscriber.id, topic.id):
            # An answer holds 200 characters.
            note = _("Following {title}", title=shorten(topic.title, 150))
        else:
            await unsubscribe(session, subscriber.id, topic.id)
            note = _("Stopped following {title}", title=shorten(topic.title, 150))
    await query.answer(note)
    if topic is None:
        return
    message = query.message
    if isinstance(message, Message) and has_briefing_button(message.reply_markup):
        # The /start message: its welcome stays, with the next briefing brought up to date.
        created = (message.text or "").startswith(visible(new_welcome()))
        text, keyboard = await _welcome(context, subscriber, created=created)
    else:
        topics, followed = await _topics_and_followed(context, subscriber.id)
        text = topics_text(topics, followed)
        keyboard = topics_keyboard(topics, followed, prefix=target_prefix(context))
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as exc:  # "message is not modified" after a double tap
        if "not modified" not in exc.message:
            raise


async def first_briefing(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "Get my first briefing now" button: a briefing now, as /briefing."""
    query = update.callback_query
    assert query is not None
    subscriber = await subscriber_for(update, context)
    if subscriber is None:
        return
    app = services(context)
    async with app.db.session() as session:
        follows_topics = await has_interests(session, subscriber.id)
        if follows_topics:
            await enqueue_manual(session, subscriber.id, app.clock())
    if not follows_topics:
        await query.answer(_("Follow a topic first: tap one above."), show_alert=True)
        return
    await query.answer(_("Your briefing is on its way."))
    app.worker.wake()


async def _pressed_topic(session: AsyncSession, wanted: int | str | None) -> Topic | None:
    """The topic a button names: by id, or by slug on a keyboard sent before ids were used."""
    if isinstance(wanted, str):
        return await get_topic(session, wanted)
    if wanted is None:
        return None
    return next((t for t, _feeds, _n in await list_topics(session) if t.id == wanted), None)
