"""Subscriber handlers: /help, /briefing, /time, /timezone, /settings, /pause, /resume, /stop."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import ContextTypes

from bot.context import services
from bot.formatting import echo, escape
from bot.handlers.common import args_of, ensure_subscriber, reply
from bot.handlers.followups import story_details
from bot.slots import local_now
from bot.timeparse import InputError, parse_times, resolve_timezone
from bot.views import help_text, next_briefing_phrase, settings_text, times_phrase
from storage import subscribers as store
from storage.deliveries import enqueue_manual

NOT_REGISTERED = "This chat is not subscribed. Send /start to begin."


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands (admin commands too, for admins)."""
    user = update.effective_user
    await reply(update, help_text(services(context).is_admin(user.id if user else None)))


async def briefing_now(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue a briefing for this chat now; the delivery worker sends it (or "nothing new")."""
    subscriber, _ = await ensure_subscriber(update, context)
    app = services(context)
    async with app.db.session() as session:
        follows_topics = bool(await store.subscribed_topics(session, subscriber.id))
        if follows_topics:
            await enqueue_manual(session, subscriber.id, app.clock())
    if not follows_topics:
        await reply(update, "You don't follow any topic yet. Pick some with /topics.")
        return
    app.worker.wake()
    if update.effective_chat is not None:
        await update.effective_chat.send_action(ChatAction.TYPING)


async def set_times(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/time HH:MM [HH:MM…] sets the delivery times; /time off clears them."""
    args = args_of(context)
    subscriber, _ = await ensure_subscriber(update, context)
    app = services(context)
    if not args:
        async with app.db.session() as session:
            current = await store.delivery_minutes(session, subscriber.id)
        shown = times_phrase(current) or "none"
        await reply(
            update,
            f"Your delivery times: {shown} ({escape(subscriber.timezone)}).\n"
            "Set them with /time 07:30 or several: /time 07:30 18:00; /time off for none.",
        )
        return
    if [a.lower() for a in args] in (["off"], ["none"]):
        minutes: list[int] = []
    else:
        try:
            minutes = parse_times(args)
        except InputError as exc:
            await reply(update, f"{echo(str(exc))}.\nFor example: /time 07:30 18:00")
            return
    async with app.db.session() as session:
        await store.set_delivery_minutes(session, subscriber.id, minutes)
    if not minutes:
        await reply(update, "No more scheduled briefings. /briefing still works anytime.")
        return
    when = next_briefing_phrase(subscriber.timezone, minutes, app.clock())
    await reply(
        update,
        f"Briefings at {times_phrase(minutes)} ({escape(subscriber.timezone)}). Next: {when}.",
    )


async def set_timezone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/timezone Area/City sets the timezone the delivery times are in."""
    args = args_of(context)
    subscriber, _ = await ensure_subscriber(update, context)
    app = services(context)
    if not args:
        await reply(
            update,
            f"Your timezone is {escape(subscriber.timezone)}. Change it with an IANA name, "
            "e.g. /timezone Europe/Berlin or /timezone America/New_York",
        )
        return
    try:
        zone = resolve_timezone(" ".join(args))
    except InputError as exc:
        await reply(update, echo(str(exc)))
        return
    async with app.db.session() as session:
        await store.set_timezone(session, subscriber.id, zone)
        minutes = await store.delivery_minutes(session, subscriber.id)
    now = app.clock()
    await reply(
        update,
        f"Timezone set to {escape(zone)} (it is {local_now(now, zone):%H:%M} there). "
        f"Next briefing: {next_briefing_phrase(zone, minutes, now)}.",
    )


async def show_settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show status, topics, times, timezone, last and next briefing."""
    app = services(context)
    chat = update.effective_chat
    assert chat is not None
    async with app.db.session() as session:
        view = await store.subscriber_view(session, chat.id)
    if view is None:
        await reply(update, NOT_REGISTERED)
        return
    await reply(update, settings_text(view, app.clock()))


async def pause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop scheduled briefings until /resume."""
    await _set_status(update, context, store.PAUSED)


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Scheduled briefings again."""
    await _set_status(update, context, store.ACTIVE)


async def _set_status(update: Update, context: ContextTypes.DEFAULT_TYPE, status: str) -> None:
    app = services(context)
    chat = update.effective_chat
    assert chat is not None
    async with app.db.session() as session:
        subscriber = await store.get_subscriber(session, chat.id)
        if subscriber is not None:
            was = subscriber.status
            await store.set_status(session, subscriber.id, status)
            minutes = await store.delivery_minutes(session, subscriber.id)
    if subscriber is None:
        await reply(update, NOT_REGISTERED)
        return
    if status == store.PAUSED:
        text = (
            "You were already paused. " if was == store.PAUSED else "Paused. "
        ) + "No scheduled briefings until you send /resume (/briefing still works)."
    else:
        when = next_briefing_phrase(subscriber.timezone, minutes, app.clock())
        text = ("Briefings are on. " if was == store.ACTIVE else "Resumed. ") + f"Next: {when}."
    await reply(update, text)


async def stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Unsubscribe from everything and forget the chat's data."""
    chat = update.effective_chat
    assert chat is not None
    async with services(context).db.session() as session:
        forgotten = await store.forget_subscriber(session, chat.id)
    if forgotten:
        await reply(
            update,
            "Done: you are unsubscribed and I have forgotten this chat's topics and settings. "
            "Send /start if you want to come back.",
        )
    else:
        await reply(update, "This chat was not subscribed; there is nothing to forget.")


async def more_about_story(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "More" button (or a /search result): longer summary, all sources, related."""
    query = update.callback_query
    assert query is not None and query.data is not None
    try:
        story_id = int(query.data.split(":", 1)[1])
    except (IndexError, ValueError):
        await query.answer("That button is out of date.")
        return
    app = services(context)
    details = await story_details(app.db, app.cpu, story_id, app.clock())
    if details is None:
        await query.answer("That story is no longer available.")
        return
    await query.answer()
    await reply(update, *details)
