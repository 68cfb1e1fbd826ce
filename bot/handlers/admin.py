"""Admin handlers: topics, feeds, stats and broadcasts (all behind `admin_only`), and the
buttons of their answers (behind `admin_button`).

Feeds are named by their number (the id, "#12", as /feeds shows it) or their URL; topics by
their title or slug in any case, a title of several words in double quotes where more words
follow (/addtopic "World News" ukraine).
"""

from __future__ import annotations

import contextlib
import functools
import html
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from telegram import InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.admin_views import (
    BROADCAST_PREFIX,
    broadcast_cancelled_text,
    broadcast_keyboard,
    broadcast_preview,
    broadcast_sent_text,
    checking_text,
    delete_topic_keyboard,
    delete_topic_question,
    feed_added_text,
    feed_check_failed_text,
    feed_keyboard,
    feed_removed_text,
    feed_text,
    feeds_messages,
    parse_broadcast_callback,
    parse_delete_topic_callback,
    parse_feed_callback,
    remove_feed_keyboard,
    remove_feed_question,
    stats_text,
    topic_gone_notice,
    topic_removed_text,
    weight_text,
)
from bot.collecting import FeedCheck
from bot.context import BotServices, services
from bot.formatting import (
    MAX_MESSAGE,
    MessagePart,
    dump_parts,
    echo,
    escape,
    telegram_length,
)
from bot.handlers.common import Handler, admin_only, args_of, reply, rest_of_message
from bot.i18n import N_, _, ngettext, resolve, use_language
from storage import deliveries as queue
from storage.delivery_stats import queue_stats
from storage.feeds import (
    FeedError,
    add_feed,
    find_feed,
    pause_feed,
    remove_feed,
    resume_feed,
    set_feed_weight,
)
from storage.stats import FeedHealth, articles_since, feed_health
from storage.subscribers import count_by_status, languages_of
from storage.topics import (
    TopicError,
    add_topic,
    get_topic,
    remove_topic_by_id,
    topic_by_id,
    topic_slug,
    topic_use,
)

log = logging.getLogger(__name__)

MAX_BROADCAST = MAX_MESSAGE - 200  # room for the prefix and the preview's first line
BUTTON_NOT_ALLOWED = N_("Sorry, that is not allowed: these buttons are for admins only.")
FEED_GONE = N_("That feed no longer exists.")
TOPIC_GONE = N_("That topic no longer exists.")
# Previews waiting for Send, per chat: {token: message HTML}. Kept in memory only: a preview
# outlives no restart, and pressing Send then says so instead of sending something stale.
PENDING_BROADCASTS = "pending_broadcasts"
MAX_PENDING_BROADCASTS = 5
RECENT = timedelta(hours=24)

# Quotes a title of several words may come in: straight, curly (as phones type them), German
# and French. Each opening quote with the quotes that may close it.
_QUOTES = {
    '"': '"“”',
    "“": "”“",
    "”": "”“",
    "„": "“”",
    "«": "»",
    "»": "«",
}


# --- arguments --------------------------------------------------------------------------------


def split_name(text: str) -> tuple[str, list[str], bool]:
    """A name and the words after it, and whether the name was quoted: `"World News" ukraine`
    is ("World News", ["ukraine"], True), `Tech ai chips` is ("Tech", ["ai", "chips"], False).
    Raise ValueError if an opening quote is never closed."""
    text = text.strip()
    if not text:
        return "", [], False
    closers = _QUOTES.get(text[0])
    if closers is None:
        first, *rest = text.split()
        return first, rest, False
    for index in range(1, len(text)):
        if text[index] in closers:
            return text[1:index].strip(), text[index + 1 :].split(), True
    raise ValueError("the closing quote is missing")


def unquoted(text: str) -> str:
    """`text` without one pair of quotes around it ("World News" -> World News)."""
    text = text.strip()
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES[text[0]]:
        return text[1:-1].strip()
    return text


def _unquoted_name_hint(name: str, keywords: Sequence[str]) -> str | None:
    """For `/addtopic Science & Health …` typed without quotes: the name it probably meant
    ("Science & Health"), since a keyword without a letter or digit ("&") matches nothing."""
    loose = [i for i, word in enumerate(keywords) if not topic_slug(word.lstrip("-"))]
    if not loose:
        return None
    return " ".join([name, *keywords[: loose[-1] + 2]])


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- topics -----------------------------------------------------------------------------------

ADD_TOPIC_USAGE = N_(
    "Usage: /addtopic &lt;name&gt; [keywords…], e.g. /addtopic Tech ai chips\n"
    'A name of several words goes in double quotes: /addtopic "World News" ukraine -football\n'
    "Keywords pull matching articles in from any feed; a keyword with - in front keeps "
    "articles out."
)


@admin_only
async def add_topic_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/addtopic <name> [keywords…]; a name of several words in double quotes."""
    try:
        name, keywords, quoted = split_name(rest_of_message(update))
    except ValueError:
        await reply(
            update,
            _('The name\'s closing quote is missing. For example: /addtopic "World News" ukraine'),
        )
        return
    if not name:
        await reply(update, _(ADD_TOPIC_USAGE))
        return
    hint = None if quoted else _unquoted_name_hint(name, keywords)
    if hint is not None:
        command = f'/addtopic "{echo(hint, 100)}" ' + _("[keywords…]")
        await reply(
            update,
            _(
                "Is “{name}” one name? A name of several words goes in double quotes: "
                "{command}",
                name=echo(hint, 100),
                command=command,
            ),
        )
        return
    try:
        async with services(context).db.session() as session:
            topic = await add_topic(session, name, keywords)
            title, words = topic.title, topic.keywords
    except TopicError as exc:
        await reply(update, _("Could not add the topic: {error}.", error=echo(str(exc), 500)))
        return
    name = f"<b>{escape(title)}</b>"
    added = (
        _("Added topic {name} with keywords: {keywords}.", name=name, keywords=echo(words, 500))
        if words
        else _("Added topic {name}.", name=name)
    )
    command = f"/addfeed {escape(title)} &lt;url&gt;"
    next_step = _("Add feeds with {command}.", command=command)
    await reply(update, f"{added}\n{next_step}")


@admin_only
async def delete_topic_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/deltopic <name>: asks first, naming the feeds and subscribers that go with it."""
    name = unquoted(rest_of_message(update))
    if not name:
        await reply(update, _("Usage: /deltopic &lt;name&gt;, e.g. /deltopic World News"))
        return
    async with services(context).db.session() as session:
        topic = await get_topic(session, name)
        use = await topic_use(session, topic) if topic is not None else None
    if use is None:
        await reply(
            update,
            _("Could not remove it: no topic named '{name}'.", name=echo(_one_line(name), 200)),
        )
        return
    await reply(
        update,
        delete_topic_question(use.title, use.feeds, len(use.subscriber_ids)),
        delete_topic_keyboard(use.topic_id, use.title),
    )


async def _delete_topic_confirmed(app: BotServices, topic_id: int) -> tuple[str, int, int] | None:
    """Remove the topic and queue a word to each of its followers: (title, feeds, told), or
    None if it was gone already."""
    now = app.clock()
    async with app.db.session() as session:
        removed = await remove_topic_by_id(session, topic_id)
        if removed is None:
            return None
        title = removed.use.title
        alone = sorted(removed.without_topics)
        others = sorted(set(removed.use.subscriber_ids) - removed.without_topics)
        told = 0
        languages = await languages_of(session, removed.use.subscriber_ids)
        for ids, follows_others in ((others, True), (alone, False)):
            # One notice per language: each follower reads it in its own.
            by_language: dict[str, list[int]] = {}
            for subscriber_id in ids:
                by_language.setdefault(resolve(languages.get(subscriber_id)), []).append(
                    subscriber_id
                )
            for language, members in sorted(by_language.items()):
                with use_language(language):
                    notice = topic_gone_notice(title, follows_others=follows_others)
                told += await queue.enqueue_message(
                    session, members, dump_parts([MessagePart(notice)]), now
                )
    return title, removed.use.feeds, told


def admin_button(handler: Handler) -> Handler:
    """Run a button's `handler` for admins; anyone else gets an alert, and it is logged."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        user = update.effective_user
        if not services(context).is_admin(user.id if user else None):
            log.warning(
                "refused the button %r from user %s: not an admin",
                query.data,
                user.id if user else "?",
            )
            await query.answer(_(BUTTON_NOT_ALLOWED), show_alert=True)
            return
        await handler(update, context)

    return guarded


async def _edit(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Show `text` in place of the message whose button was pressed."""
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        # Two quick presses of the same button ask for the same text twice: nothing to change.
        if "not modified" not in str(exc).lower():
            raise


@admin_button
async def delete_topic_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The answer to "Remove the topic?": remove it and tell its followers, or keep it."""
    query = update.callback_query
    assert query is not None
    parsed = parse_delete_topic_callback(query.data or "")
    if parsed is None:
        await query.answer()
        return
    topic_id, confirmed = parsed
    app = services(context)
    if not confirmed:
        async with app.db.session() as session:
            topic = await topic_by_id(session, topic_id)
            title = topic.title if topic is not None else None
        if title is None:
            await query.answer(_(TOPIC_GONE))
            await _edit(update, _("That topic was already removed."))
            return
        await query.answer(_("Kept"))
        await _edit(
            update,
            _("Kept the topic {name}; nothing was removed.", name="<b>" + escape(title) + "</b>"),
        )
        return
    done = await _delete_topic_confirmed(app, topic_id)
    if done is None:
        await query.answer(_(TOPIC_GONE))
        await _edit(update, _("That topic was already removed."))
        return
    title, feeds, told = done
    if told:
        app.worker.wake()
    await query.answer(_("Removed"))
    await _edit(update, topic_removed_text(title, feeds, told))


# --- feeds ------------------------------------------------------------------------------------


@admin_only
async def add_feed_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/addfeed <topic> <url>: add the feed (or the feed a site's page names), fetch it once,
    and edit the "Checking…" message into what came of it."""
    words = rest_of_message(update).split()
    if len(words) < 2:
        await reply(
            update,
            _(
                "Usage: /addfeed &lt;topic&gt; &lt;url&gt;, e.g. /addfeed Tech "
                "https://example.org/rss\n"
                "The URL may be a site's page: the feed it names is found and added."
            ),
        )
        return
    url, topic_name = words[-1], unquoted(" ".join(words[:-1]))
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        await reply(
            update,
            _("“{url}” is not an http(s) URL. Example: https://example.org/rss", url=echo(url)),
        )
        return
    app = services(context)
    try:
        async with app.db.session() as session:
            feed = await add_feed(session, topic_name, url)
            feed_id = feed.id
            topic = await get_topic(session, topic_name)
            topic_title = topic.title if topic is not None else topic_name
    except FeedError as exc:
        await reply(update, _("Could not add the feed: {error}.", error=echo(str(exc), 500)))
        return
    chat = update.effective_chat
    assert chat is not None
    checking = await chat.send_message(checking_text(url))
    result, failure = None, _("the collector is not available")
    try:
        result = await _check_feed(app, url)
    except Exception as exc:  # the feed must not stay half-added because of a bug
        log.exception("checking %s failed", url)
        failure = _("internal error ({name})", name=type(exc).__name__)
    if result is None or result.status in ("error", "paused"):
        error = failure if result is None else (result.error or _("unknown error"))
        async with app.db.session() as session:  # a feed that never worked is not kept
            with contextlib.suppress(FeedError):  # removed meanwhile
                await remove_feed(session, feed_id)
        text = feed_check_failed_text(url, error)
    else:
        text = feed_added_text(result, feed_id, topic_title, url)
    await _edit_or_send(update, checking, text)


async def _check_feed(app: BotServices, url: str) -> FeedCheck | None:
    """Fetch the feed once with the feed checker `cli` handed over (None: there is none)."""
    if app.feed_checker is None:
        return None
    return await app.feed_checker.check_feed(url)


async def _edit_or_send(update: Update, message: Message, text: str) -> None:
    """Edit `message` into `text`; send it anew if it cannot be edited (deleted meanwhile)."""
    try:
        await message.edit_text(text)
    except TelegramError:
        log.info("could not edit message %s; sending the result anew", message.message_id)
        await reply(update, text)


FEED_REF = N_("the number /feeds shows (12 or #12) or the URL")


@admin_only
async def delete_feed_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/delfeed <number or url>: asks first, with a button."""
    args = args_of(context)
    if len(args) != 1:
        await reply(update, _("Usage: /delfeed &lt;feed&gt;, with {what}", what=_(FEED_REF)))
        return
    try:
        async with services(context).db.session() as session:
            feed = await find_feed(session, args[0])
            question = remove_feed_question(feed.id, feed.title, feed.url, feed.topic.title)
            feed_id = feed.id
    except FeedError as exc:
        await reply(
            update, _("Could not remove it: {error}. See /feeds.", error=echo(str(exc), 500))
        )
        return
    await reply(update, question, remove_feed_keyboard(feed_id))


async def _feed_action(
    app: BotServices, ref: str | int, verb: str, weight: float | None = None
) -> tuple[FeedHealth | None, str]:
    """Do `verb` to a feed in one transaction: its state afterwards (None once removed) and a
    line saying what was done. Raise FeedError if there is no such feed."""
    now = app.clock()
    async with app.db.session() as session:
        if verb == "pause":
            feed = await pause_feed(session, ref)
            note = _("⏸ Paused: it is not checked until you resume it.")
        elif verb == "resume":
            feed = await resume_feed(session, ref)
            note = _("▶️ Resumed: it is checked in the next collection pass.")
        elif verb == "weight":
            assert weight is not None
            feed = await set_feed_weight(session, ref, weight)
            note = _("⚖️ Weight set to {weight}.", weight=weight_text(weight))
        elif verb == "delok":
            feed = await remove_feed(session, ref)
            return None, feed_removed_text(feed.id, feed.title, feed.url)
        else:
            feed = await find_feed(session, ref)
            note = ""
        found = await feed_health(session, since=now - RECENT, feed_id=feed.id)
    if not found:
        raise FeedError(_(FEED_GONE))
    return found[0], note


@admin_only
async def pause_feed_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pausefeed <number or url>: stop checking a feed until it is resumed."""
    await _feed_command(update, context, "pause", "pausefeed")


@admin_only
async def resume_feed_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/resumefeed <number or url>: check a paused feed again, from the next pass."""
    await _feed_command(update, context, "resume", "resumefeed")


async def _feed_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, verb: str, command: str
) -> None:
    args = args_of(context)
    if len(args) != 1:
        await reply(
            update,
            _(
                "Usage: {command} &lt;feed&gt;, with {what}",
                command="/" + command,
                what=_(FEED_REF),
            ),
        )
        return
    app = services(context)
    try:
        health, note = await _feed_action(app, args[0], verb)
    except FeedError as exc:
        await reply(update, _("Could not do it: {error}. See /feeds.", error=echo(str(exc), 500)))
        return
    assert health is not None
    await reply(update, feed_text(health, app.clock(), note), feed_keyboard(health))


@admin_only
async def feed_weight_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/feedweight <number or url> <weight>: how much the feed's stories weigh (default 1)."""
    args = args_of(context)
    weight = _number(args[1]) if len(args) == 2 else None
    if weight is None:
        await reply(
            update,
            _(
                "Usage: /feedweight &lt;feed&gt; &lt;weight&gt;, e.g. /feedweight 12 2, with "
                "{what} (0 to 10; 1 is the default, 0 keeps its stories out of the top)",
                what=_(FEED_REF),
            ),
        )
        return
    try:
        async with services(context).db.session() as session:
            feed = await set_feed_weight(session, args[0], weight)
            url = feed.url
    except FeedError as exc:
        await reply(update, _("Could not set it: {error}. See /feeds.", error=echo(str(exc), 500)))
        return
    weighs = weight_text(weight)
    await reply(update, _("The feed {url} now weighs {weight}.", url=echo(url), weight=weighs))


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if value == value else None  # NaN is not a weight


@admin_only
async def list_feeds_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/feeds: every feed by number, with health, weight and a button for its own buttons."""
    app = services(context)
    now = app.clock()
    async with app.db.session() as session:
        feeds = await feed_health(session, since=now - RECENT)
    for text, markup in feeds_messages(feeds, now):
        await reply(update, text, markup)


@admin_button
async def feed_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A feed's button: show it, weigh it, pause, resume, or remove it (after asking)."""
    query = update.callback_query
    assert query is not None
    action = parse_feed_callback(query.data or "")
    if action is None:
        await query.answer()
        return
    app = services(context)
    try:
        health, note = await _feed_action(app, action.feed_id, action.verb, action.weight)
    except FeedError:
        await query.answer(_(FEED_GONE))
        if action.verb != "show":  # "#n" under the list: the list itself stays as it is
            await _edit(
                update, _("The feed #{number} no longer exists.", number=action.feed_id)
            )
        return
    if health is None:  # removed
        await query.answer(_("Removed #{number}", number=action.feed_id))
        await _edit(update, note)
        return
    toast = _TOASTS.get(action.verb)
    await query.answer(_(toast) if toast else None)
    now = app.clock()
    if action.verb == "show":
        await reply(update, feed_text(health, now), feed_keyboard(health))
    elif action.verb == "del":
        await _edit(
            update,
            remove_feed_question(health.id, health.title, health.url, health.topic),
            remove_feed_keyboard(health.id),
        )
    else:
        await _edit(update, feed_text(health, now, note), feed_keyboard(health))


# The short answer a press shows at the top of the chat; the message itself says the rest.
_TOASTS = {"pause": N_("Paused"), "resume": N_("Resumed"), "weight": N_("Weight set")}


# --- stats and broadcasts ---------------------------------------------------------------------


@admin_only
async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: subscribers, briefings sent today, articles today, queue lag."""
    app = services(context)
    now = app.clock()
    day_start = datetime(now.year, now.month, now.day, tzinfo=UTC)
    async with app.db.session() as session:
        counts = await count_by_status(session)
        stats = await queue_stats(session, now=now, day_start=day_start)
        articles = await articles_since(session, day_start)
    await reply(update, stats_text(counts, stats, articles, now))


# Formatting the admin chose. The rest stays plain text: mentions, hashtags, addresses and
# commands Telegram finds again by itself, and custom emoji, which only bots with a Fragment
# username may send (their ordinary emoji stays).
_KEPT_ENTITIES = frozenset(
    {
        MessageEntity.BOLD,
        MessageEntity.ITALIC,
        MessageEntity.UNDERLINE,
        MessageEntity.STRIKETHROUGH,
        MessageEntity.SPOILER,
        MessageEntity.CODE,
        MessageEntity.PRE,
        MessageEntity.TEXT_LINK,
        MessageEntity.TEXT_MENTION,
        MessageEntity.BLOCKQUOTE,
        MessageEntity.EXPANDABLE_BLOCKQUOTE,
    }
)


def broadcast_html(message: Message) -> str:
    """The admin's text after the command as Telegram HTML, with the bold, italic, underline,
    strikethrough, spoiler, code, pre, links and quotes they typed kept."""
    text = message.text or ""
    # The command and the space after it are ASCII, so this Python index is also the UTF-16
    # offset Telegram's entities count in.
    cut = len(text.split(maxsplit=1)[0]) if text.strip() else 0
    while cut < len(text) and text[cut].isspace():
        cut += 1
    entities = []
    for entity in message.entities:
        start, end = max(entity.offset, cut) - cut, entity.offset + entity.length - cut
        if end <= start or entity.type not in _KEPT_ENTITIES:
            continue
        url, language = entity.url, entity.language
        # PTB writes these into attributes as given: a link with "&" or '"' in it, and a code
        # language without Telegram's "language-" prefix, would come out wrong.
        if url is not None:
            url = html.escape(url, quote=True)
        if language:
            language = "language-" + html.escape(language, quote=True)
        entities.append(
            MessageEntity(
                entity.type,
                start,
                end - start,
                url=url,
                user=entity.user,
                language=language,
            )
        )
    rest = Message(
        message.message_id, message.date, message.chat, text=text[cut:], entities=entities
    )
    return rest.text_html.rstrip()


@admin_only
async def broadcast_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/broadcast <text>: preview the text, formatting kept, with Send and Cancel; Send queues
    it for every active subscriber (rate-limited queue)."""
    message = update.effective_message
    assert message is not None
    body_html = broadcast_html(message)
    if not body_html:
        await reply(
            update,
            _(
                "Usage: /broadcast &lt;text&gt; — sent to every active subscriber after a "
                "preview. Bold, italic, links and the rest of Telegram's formatting are kept."
            ),
        )
        return
    body = BROADCAST_PREFIX + body_html
    if telegram_length(body) > MAX_BROADCAST:
        await reply(
            update,
            _("That is too long: at most {count} characters, please.", count=str(MAX_BROADCAST)),
        )
        return
    async with services(context).db.session() as session:
        recipients = (await count_by_status(session)).get("active", 0)
    if not recipients:
        await reply(update, _("Nobody would get it: there are no active subscribers."))
        return
    pending: dict[int, str] = context.chat_data.setdefault(PENDING_BROADCASTS, {})  # type: ignore[union-attr]
    pending[message.message_id] = body
    for token in sorted(pending)[:-MAX_PENDING_BROADCASTS]:
        del pending[token]
    await reply(
        update,
        broadcast_preview(body, recipients),
        broadcast_keyboard(message.message_id, recipients),
    )


@admin_button
async def broadcast_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A preview's Send (queue it now) or Cancel."""
    query = update.callback_query
    assert query is not None
    parsed = parse_broadcast_callback(query.data or "")
    if parsed is None:
        await query.answer()
        return
    token, send = parsed
    pending: dict[int, str] = (context.chat_data or {}).get(PENDING_BROADCASTS, {})
    # Taken before any await: a second press finds nothing, so it is never queued twice.
    body = pending.pop(token, None)
    if body is None:
        await query.answer(
            _(
                "This preview is closed (sent, cancelled, or the bot restarted since). "
                "Send /broadcast again."
            ),
            show_alert=True,
        )
        try:
            await query.edit_message_reply_markup(None)
        except BadRequest as exc:  # its buttons were taken off already (sent or cancelled)
            if "not modified" not in str(exc).lower():
                raise
        return
    if not send:
        await query.answer(_("Cancelled"))
        await _edit(update, broadcast_cancelled_text(body))
        return
    app = services(context)
    async with app.db.session() as session:
        count = await queue.enqueue_broadcast(session, dump_parts([MessagePart(body)]), app.clock())
    app.worker.wake()
    await query.answer(
        ngettext("Queued for {count} subscriber", "Queued for {count} subscribers", count)
    )
    await _edit(update, broadcast_sent_text(body, count))
