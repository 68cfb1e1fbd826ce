"""Subscriber handlers: /help, /briefing, /time, /timezone, /settings, /pause, /resume, /stop."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import ContextTypes

from bot.context import services
from bot.formatting import echo, escape
from bot.handlers.channels import button_data, target_prefix
from bot.handlers.common import (
    GROUP_ADMINS_ONLY,
    args_of,
    may_manage,
    reply,
    subscriber_for,
    thread_of,
)
from bot.handlers.followups import story_details
from bot.handlers.preferences import settings_view
from bot.i18n import _, clock
from bot.slots import local_now
from bot.timeparse import InputError, parse_times
from bot.views import (
    TIMEZONE_CALLBACK,
    help_text,
    next_briefing_phrase,
    times_phrase,
    timezone_keyboard,
)
from bot.zones import find_zones, is_known
from storage import subscribers as store
from storage.deliveries import enqueue_manual
from storage.models import Subscriber


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands (admin commands too, for admins)."""
    user = update.effective_user
    await reply(update, help_text(services(context).is_admin(user.id if user else None)))


async def briefing_now(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue a briefing for this chat now; the delivery worker sends it (or "nothing new")."""
    subscriber = await subscriber_for(update, context)
    if subscriber is None:
        return
    app = services(context)
    async with app.db.session() as session:
        follows_topics = await store.has_interests(session, subscriber.id)
        if follows_topics:
            await enqueue_manual(session, subscriber.id, app.clock())
    if not follows_topics:
        await reply(update, _("You don't follow any topic yet. Pick some with /topics."))
        return
    app.worker.wake()
    chat = update.effective_chat
    if chat is not None and chat.id != subscriber.chat_id:  # a channel, managed from here
        name = echo(subscriber.name or "", 100)
        await reply(update, _("📰 A briefing is on its way to {name}.", name=name))
    elif chat is not None:
        await chat.send_action(ChatAction.TYPING, message_thread_id=thread_of(update) or None)


async def set_times(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/time 07:30 18:00 (or 7pm, "07:30, 12:00"…) sets the delivery times; /time off clears."""
    subscriber = await subscriber_for(update, context, manage=bool(args_of(context)))
    if subscriber is None:
        return
    args = args_of(context)
    app = services(context)
    if not args:
        async with app.db.session() as session:
            current = await store.delivery_minutes(session, subscriber.id)
        shown = times_phrase(current) or _("none")
        current_times = _(
            "Your delivery times: {times} ({timezone}).",
            times=shown,
            timezone=escape(subscriber.timezone),
        )
        usage = _(
            "Set them with /time 07:30, several with /time 07:30 18:00 (7pm works too); "
            "/time off for none."
        )
        await reply(update, f"{current_times}\n{usage}")
        return
    if [a.lower() for a in args] in (["off"], ["none"]):
        minutes: list[int] = []
    else:
        try:
            minutes = parse_times(args)
        except InputError as exc:
            example = _("For example: /time 07:30 18:00")
            await reply(update, f"{echo(str(exc))}.\n{example}")
            return
    async with app.db.session() as session:
        await store.set_delivery_minutes(session, subscriber.id, minutes)
        follows_topics = await store.has_interests(session, subscriber.id)
    if not minutes:
        await reply(update, _("No more scheduled briefings. /briefing still works anytime."))
        return
    when = next_briefing_phrase(
        subscriber.timezone, minutes, app.clock(), follows_topics=follows_topics
    )
    await reply(
        update,
        _(
            "Briefings at {times} ({timezone}). Next: {when}.",
            times=times_phrase(minutes),
            timezone=escape(subscriber.timezone),
            when=when,
        ),
    )


async def set_timezone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/timezone Berlin (or Europe/Berlin, UTC+2, +05:30, CET, a country): one match is set,
    several are offered as buttons."""
    typed = " ".join(args_of(context))
    subscriber = await subscriber_for(update, context, manage=bool(typed))
    if subscriber is None:
        return
    if not typed:
        await reply(
            update,
            _(
                "Your timezone is {timezone}. Change it with a city, a region name or an "
                "offset, e.g. /timezone Berlin, /timezone America/New_York or /timezone UTC+2",
                timezone=escape(subscriber.timezone),
            ),
        )
        return
    found = find_zones(typed)
    if len(found.zones) == 1:
        await _apply_timezone(update, context, subscriber, found.zones[0], found.notes)
        return
    if found.zones:
        await reply(
            update,
            _("“{typed}” can mean several timezones. Which one?", typed=echo(typed, 60)),
            timezone_keyboard(found.zones, prefix=target_prefix(context)),
        )
        return
    text = _("I don't know the timezone “{typed}”.", typed=echo(typed, 60))
    if found.suggestions:
        text += " " + _("Did you mean one of these?")
        await reply(
            update, text, timezone_keyboard(found.suggestions, prefix=target_prefix(context))
        )
        return
    hint = _(
        "Try a city (/timezone Berlin), a region name (/timezone America/New_York) "
        "or an offset (/timezone UTC+2)."
    )
    await reply(update, f"{text} {hint}")


async def choose_timezone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A timezone button: set the zone it names."""
    query = update.callback_query
    assert query is not None and query.data is not None
    name = button_data(update, context).removeprefix(TIMEZONE_CALLBACK)
    if not is_known(name):
        await query.answer(_("That button is out of date."))
        return
    subscriber = await subscriber_for(update, context)
    if subscriber is None:
        return
    await query.answer()
    await _apply_timezone(update, context, subscriber, name, {})


async def _apply_timezone(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    subscriber: Subscriber,
    zone: str,
    notes: dict[str, str],
) -> None:
    app = services(context)
    async with app.db.session() as session:
        await store.set_timezone(session, subscriber.id, zone)
        minutes = await store.delivery_minutes(session, subscriber.id)
        follows_topics = await store.has_interests(session, subscriber.id)
    now = app.clock()
    when = next_briefing_phrase(zone, minutes, now, follows_topics=follows_topics)
    values = {"timezone": escape(zone), "time": clock(local_now(now, zone)), "when": when}
    if zone in notes:
        text = _(
            "Timezone set to {timezone} ({note}): it is {time} there. Next briefing: {when}.",
            note=escape(notes[zone]),
            **values,
        )
    else:
        text = _("Timezone set to {timezone}: it is {time} there. Next briefing: {when}.", **values)
    await reply(update, text)


async def show_settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show status, topics, times, timezone, last and next briefing (anyone in a group may
    look)."""
    subscriber = await subscriber_for(update, context, manage=False)
    if subscriber is None:
        return
    app = services(context)
    async with app.db.session() as session:
        view = await store.subscriber_view(session, subscriber.chat_id, subscriber.thread_id)
    if view is not None:
        text, keyboard = settings_view(view, context)
        await reply(update, text, keyboard)


async def pause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop scheduled briefings until /resume."""
    await _set_status(update, context, store.PAUSED)


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Scheduled briefings again."""
    await _set_status(update, context, store.ACTIVE)


async def _set_status(update: Update, context: ContextTypes.DEFAULT_TYPE, status: str) -> None:
    subscriber = await subscriber_for(update, context)
    if subscriber is None:
        return
    app = services(context)
    was = subscriber.status
    async with app.db.session() as session:
        await store.set_status(session, subscriber.id, status)
        minutes = await store.delivery_minutes(session, subscriber.id)
        follows_topics = await store.has_interests(session, subscriber.id)
    if status == store.PAUSED:
        text = (
            _("You were already paused.") if was == store.PAUSED else _("Paused.")
        ) + " " + _("No scheduled briefings until you send /resume (/briefing still works).")
    else:
        when = next_briefing_phrase(
            subscriber.timezone, minutes, app.clock(), follows_topics=follows_topics
        )
        state = _("Briefings are on.") if was == store.ACTIVE else _("Resumed.")
        text = f"{state} " + _("Next: {when}.", when=when)
    await reply(update, text)


async def stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Unsubscribe from everything and forget the chat's data (only /start brings it back)."""
    if not await may_manage(update, context):
        await reply(update, _(GROUP_ADMINS_ONLY))
        return
    chat = update.effective_chat
    assert chat is not None
    async with services(context).db.session() as session:
        forgotten = await store.forget_subscriber(session, chat.id, thread_of(update))
    if forgotten:
        await reply(
            update,
            _(
                "Done: you are unsubscribed and I have forgotten this chat's topics and "
                "settings. Nothing more comes until you send /start again."
            ),
        )
    else:
        await reply(update, _("This chat was not subscribed; there is nothing to forget."))


async def more_about_story(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "More" button (or a /search result): longer summary, all sources, related."""
    query = update.callback_query
    assert query is not None and query.data is not None
    try:
        story_id = int(query.data.split(":", 1)[1])
    except (IndexError, ValueError):
        await query.answer(_("That button is out of date."))
        return
    app = services(context)
    details = await story_details(app.db, app.cpu, story_id, app.clock())
    if details is None:
        await query.answer(_("That story is no longer available."))
        return
    await query.answer()
    await reply(update, *details)
