"""Subscriber handlers about topics: /start, /topics, /subscribe, /unsubscribe, toggle buttons."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.context import services
from bot.formatting import echo, shorten
from bot.handlers.common import args_of, ensure_subscriber, reply
from bot.views import next_briefing_phrase, parse_topic_callback, topics_keyboard, topics_text
from storage.models import Topic
from storage.subscribers import delivery_minutes, subscribe, subscribed_topics, unsubscribe
from storage.topics import get_topic, list_topics


async def _topics_and_followed(
    context: ContextTypes.DEFAULT_TYPE, subscriber_id: int
) -> tuple[list[Topic], set[int]]:
    async with services(context).db.session() as session:
        topics = [topic for topic, _, _ in await list_topics(session)]
        followed = {t.id for t in await subscribed_topics(session, subscriber_id)}
    return topics, followed


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Register the chat and show the topics as toggle buttons."""
    subscriber, created = await ensure_subscriber(update, context)
    app = services(context)
    async with app.db.session() as session:
        minutes = await delivery_minutes(session, subscriber.id)
    topics, followed = await _topics_and_followed(context, subscriber.id)
    greeting = "👋 Welcome to <b>newsbrief</b>!" if created else "👋 Welcome back!"
    when = next_briefing_phrase(subscriber.timezone, minutes, app.clock())
    text = (
        f"{greeting} I send a short briefing of the news you follow, at the times you choose.\n"
        f"Next briefing: {when}. Change it with /time and /timezone; /help lists everything.\n\n"
        f"{topics_text(topics, followed)}"
    )
    await reply(update, text, topics_keyboard(topics, followed))


async def show_topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List topics with follow/unfollow buttons."""
    subscriber, _ = await ensure_subscriber(update, context)
    topics, followed = await _topics_and_followed(context, subscriber.id)
    await reply(update, topics_text(topics, followed), topics_keyboard(topics, followed))


async def _available(context: ContextTypes.DEFAULT_TYPE) -> str:
    async with services(context).db.session() as session:
        names = [topic.name for topic, _, _ in await list_topics(session)]
    if not names:
        return "There are no topics yet; an admin adds them with /addtopic."
    return "Topics: " + ", ".join(f"<code>{echo(n, 64)}</code>" for n in names) + "."


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
        await reply(update, f"Which topic? For example: /{verb} tech\n{await _available(context)}")
        return
    subscriber, _ = await ensure_subscriber(update, context)
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
                    f"✅ Following {title}." if changed else f"You already follow {title}."
                )
            else:
                changed = await unsubscribe(session, subscriber.id, topic.id)
                lines.append(
                    f"Stopped following {title}." if changed else f"You don't follow {title}."
                )
    if unknown:
        lines.append(f"There is no topic {_quoted_names(unknown)}.")
        lines.append(f"{await _available(context)} Example: /{verb} tech")
    await reply(update, "\n".join(lines))


def _quoted_names(names: list[str], shown: int = 10) -> str:
    """“a”, “b” … and 3 more: a message full of wrong names gets one line back, not pages."""
    quoted = ", ".join(f"“{echo(name, 64)}”" for name in names[:shown])
    return quoted + (f" and {len(names) - shown} more" if len(names) > shown else "")


async def toggle_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A topic button was pressed: follow or unfollow it and redraw the list."""
    query = update.callback_query
    assert query is not None and query.data is not None
    wanted = parse_topic_callback(query.data)
    subscriber, _ = await ensure_subscriber(update, context)
    async with services(context).db.session() as session:
        topic = await _pressed_topic(session, wanted)
        if topic is None:
            note = "That topic no longer exists."
        elif await subscribe(session, subscriber.id, topic.id):
            note = f"Following {shorten(topic.title, 150)}"  # an answer holds 200 characters
        else:
            await unsubscribe(session, subscriber.id, topic.id)
            note = f"Stopped following {shorten(topic.title, 150)}"
    await query.answer(note)
    if topic is None:
        return
    topics, followed = await _topics_and_followed(context, subscriber.id)
    try:
        await query.edit_message_text(
            topics_text(topics, followed), reply_markup=topics_keyboard(topics, followed)
        )
    except BadRequest as exc:  # "message is not modified" after a double tap
        if "not modified" not in exc.message:
            raise


async def _pressed_topic(session: AsyncSession, wanted: int | str | None) -> Topic | None:
    """The topic a button names: by id, or by slug on a keyboard sent before ids were used."""
    if isinstance(wanted, str):
        return await get_topic(session, wanted)
    if wanted is None:
        return None
    return next((t for t, _, _ in await list_topics(session) if t.id == wanted), None)
