"""OPML files in Telegram: an admin sends one to add its feeds (each checked as /addfeed checks
one), and /export sends every feed back as one.

The OPML itself is read and written by the code of `newsbrief feeds import|export`, which `cli`
hands over in `bot_data[OPML_FILES]` (an `OpmlFiles`): the parser lives in collector/, which
the bot never imports.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Document, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.admin_views import checking_text, feed_name
from bot.collecting import FeedCheck
from bot.context import BotServices, services
from bot.formatting import echo, split_blocks
from bot.handlers.admin import unquoted
from bot.handlers.common import admin_only, reply, thread_of
from bot.i18n import N_, _, isolate, ngettext, num
from storage.feeds import ALREADY_ADDED, FeedError, FeedImport, get_feed, import_feeds, remove_feed

log = logging.getLogger(__name__)

OPML_FILES = "opml_files"  # the bot_data key of the OpmlFiles `cli` hands over
MAX_OPML_BYTES = 1024 * 1024  # a reader's export of hundreds of feeds is a few dozen KB
CHECKS_AT_ONCE = 4  # feeds checked side by side: a long list finishes sooner, no fetch storm
MAX_NAMES = 10  # feed names listed in the answer; the count says the rest
OPML_SUFFIXES = (".opml", ".xml")
OPML_TYPES = frozenset(
    {"text/x-opml", "text/x-opml+xml", "application/x-opml", "text/xml", "application/xml"}
)
NOT_AVAILABLE = N_("OPML files are not available in this process of the bot.")
NOT_ALLOWED_FILE = N_(
    "Sorry, that is not allowed: importing feeds from an OPML file is for admins only."
)
NOT_READ = N_("I don't read files. Ask me about the news in a message, or send /help.")


class OpmlExport(Protocol):
    """Every feed as an OPML document, and how many feeds and topics it holds."""

    @property
    def text(self) -> str: ...
    @property
    def feeds(self) -> int: ...
    @property
    def topics(self) -> int: ...


class OpmlFiles(Protocol):
    """OPML as the command line reads and writes it (cli.feeds_cmd.OpmlFiles)."""

    @property
    def default_topic(self) -> str: ...  # for feeds outside any folder, as the CLI's import

    def read(self, data: bytes) -> list[FeedImport]:
        """The feeds an OPML document lists; raise a ValueError saying what is wrong with it."""
        ...

    async def export(self, session: AsyncSession) -> OpmlExport:
        """Every feed as OPML 2.0, one folder per topic."""
        ...


def opml_files(context: ContextTypes.DEFAULT_TYPE) -> OpmlFiles | None:
    """The OpmlFiles `cli` handed over, or None when this process has none."""
    found: OpmlFiles | None = context.bot_data.get(OPML_FILES)
    return found


def looks_like_opml(file_name: str | None, mime_type: str | None) -> bool:
    """Whether a document is meant as an OPML feed list: by its name, else by its type."""
    suffix = posixpath.splitext((file_name or "").lower())[1]
    if suffix:
        return suffix in OPML_SUFFIXES
    return (mime_type or "").lower() in OPML_TYPES


# --- an OPML file sent to the bot ----------------------------------------------------------


@dataclass(slots=True)
class ImportReport:
    """What came of an OPML file: feeds added (their names), already present, failed (with
    the reason), pages whose feed was found, and topics created."""

    file_name: str
    total: int
    added: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    discovered: list[tuple[str, str]] = field(default_factory=list)  # (page, feed)
    topics_created: list[str] = field(default_factory=list)
    checked: bool = True


async def receive_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file sent in a private chat: an admin's OPML feed list is imported (its feeds checked,
    its folders made topics); anything else gets a word saying what the bot reads."""
    message = update.effective_message
    document = message.document if message is not None else None
    if message is None or document is None:
        return
    app = services(context)
    user = update.effective_user
    opml = looks_like_opml(document.file_name, document.mime_type)
    if not app.is_admin(user.id if user else None):
        if opml:
            log.warning(
                "refused an OPML file from user %s in chat %s: not an admin",
                user.id if user else "?",
                message.chat_id,
            )
        await reply(update, _(NOT_ALLOWED_FILE) if opml else _(NOT_READ))
        return
    name = document.file_name or _("the file")
    if not opml:
        await reply(
            update,
            _(
                "“{name}” is not an OPML file, so there is nothing I can import from it. Send a "
                "feed list as an .opml or .xml file (feed readers export one; /export gives "
                "mine), or add one feed with /addfeed &lt;topic&gt; &lt;url&gt;.",
                name=echo(name, 100),
            ),
        )
        return
    # Refused before downloading: Telegram says the size, and a big file costs nothing then.
    if document.file_size is not None and document.file_size > MAX_OPML_BYTES:
        await reply(update, _too_big_text(name, document.file_size))
        return
    files = opml_files(context)
    if files is None:
        await reply(update, _(NOT_AVAILABLE))
        return
    try:
        data = await _download(document)
    except TelegramError as exc:
        log.warning("could not download %s: %s", name, exc)
        await reply(
            update,
            _(
                "Could not download “{name}” from Telegram ({error}). Please send it again.",
                name=echo(name, 100),
                error=echo(str(exc), 200),
            ),
        )
        return
    if data is None:
        await reply(update, _too_big_text(name, None))
        return
    try:
        items = files.read(data)
    except ValueError as exc:  # OpmlError: not XML, not OPML, no <body>, entities
        problem = _(
            "❌ “{name}” is not an OPML file I can read: {error}.",
            name=echo(name, 100),
            error=echo(str(exc), 500),
        )
        explained = _(
            "Nothing was imported. An OPML file is XML with &lt;opml&gt;, &lt;body&gt; and an "
            "&lt;outline xmlUrl=…&gt; per feed, as feed readers export it."
        )
        await reply(update, f"{problem}\n{explained}")
        return
    if not items:
        await reply(
            update,
            _(
                "“{name}” lists no feeds (no &lt;outline&gt; with an xmlUrl). Nothing was "
                "imported.",
                name=echo(name, 100),
            ),
        )
        return
    topic = unquoted(" ".join((message.caption or "").split())) or files.default_topic
    await _import(update, app, name, items, topic)


async def _download(document: Document) -> bytes | None:
    """The document's bytes, or None when it turns out larger than MAX_OPML_BYTES."""
    file = await document.get_file()
    if file.file_size is not None and file.file_size > MAX_OPML_BYTES:
        return None
    data = await file.download_as_bytearray()
    return None if len(data) > MAX_OPML_BYTES else bytes(data)


def _too_big_text(name: str, size: int | None) -> str:
    """The answer to a file over MAX_OPML_BYTES."""
    if size:
        return _(
            "“{name}” is too big ({size} MB): an OPML file may be at most 1 MB. Nothing was "
            "imported; split the list into smaller files.",
            name=echo(name, 100),
            size=num(size / 1024 / 1024, "0.0"),
        )
    return _(
        "“{name}” is too big: an OPML file may be at most 1 MB. Nothing was imported; split "
        "the list into smaller files.",
        name=echo(name, 100),
    )


async def _import(
    update: Update, app: BotServices, name: str, items: list[FeedImport], default_topic: str
) -> None:
    """Add the feeds as the CLI's import does, check each once as /addfeed does (dropping those
    that fail), and edit "Checking…" into one summary."""
    async with app.db.session() as session:
        result = await import_feeds(session, items, default_topic=default_topic)
        added: list[tuple[str, int]] = []
        for url in result.added:
            feed = await get_feed(session, url)
            if feed is not None:
                added.append((url, feed.id))
    report = ImportReport(name, len(items), topics_created=list(result.topics_created))
    for url, reason in result.skipped:
        if reason == ALREADY_ADDED:
            report.present.append(url)
        else:  # a malformed URL, a topic that cannot be made
            report.failed.append((url, reason))
    checking: Message | None = None
    chat = update.effective_chat
    if added and chat is not None:
        what = ngettext(
            "{count} feed from {name}", "{count} feeds from {name}", len(added), name=name
        )
        checking = await chat.send_message(
            checking_text(what),
            message_thread_id=thread_of(update) or None,
        )
    if app.feed_checker is None:
        # As after `newsbrief feeds import`: the collector checks them in its next pass.
        report.checked = False
        by_url = {item.url.strip(): item for item in items}
        report.added = [
            feed_name(by_url[url].title if url in by_url else None, url) for url, _id in added
        ]
    else:
        await _check_all(app, added, report)
    order = {item.url.strip(): index for index, item in enumerate(items)}
    report.failed.sort(key=lambda failure: order.get(failure[0], len(order)))
    await _answer(update, checking, import_text(report))


async def _check_all(app: BotServices, added: list[tuple[str, int]], report: ImportReport) -> None:
    """Check every new feed once (a few at a time); remove those whose first check failed, as
    /addfeed keeps no feed that never worked."""
    checker = app.feed_checker
    assert checker is not None
    limit = asyncio.Semaphore(CHECKS_AT_ONCE)

    async def check(url: str) -> tuple[FeedCheck | None, str]:
        async with limit:
            try:
                return await checker.check_feed(url), ""
            except Exception as exc:  # one feed's bug must not leave the others half-added
                log.exception("checking %s failed", url)
                return None, _("internal error ({name})", name=type(exc).__name__)

    outcomes = await asyncio.gather(*(check(url) for url, _id in added))
    dropped: list[int] = []
    for (url, feed_id), (result, failure) in zip(added, outcomes, strict=True):
        if result is None or result.status in ("error", "paused"):
            report.failed.append(
                (url, failure if result is None else result.error or _("unknown error"))
            )
            dropped.append(feed_id)
            continue
        report.added.append(feed_name(result.title, result.url))
        if result.discovered_from:
            report.discovered.append((url, result.url))
    if dropped:
        async with app.db.session() as session:
            for feed_id in dropped:
                with contextlib.suppress(FeedError):  # removed meanwhile
                    await remove_feed(session, feed_id)


async def _answer(update: Update, checking: Message | None, text: str) -> None:
    """Edit "Checking…" into the answer's first message and send the rest (a long list of
    failures may need several); without "Checking…", send it all."""
    parts = split_blocks(text.split("\n"))
    if checking is not None:
        try:
            await checking.edit_text(parts[0])
        except TelegramError:
            log.info("could not edit message %s; sending the result anew", checking.message_id)
        else:
            parts = parts[1:]
    if parts:
        await reply(update, "\n".join(parts))


def _names(names: Sequence[str]) -> str:
    """At most MAX_NAMES names (already HTML), then how many more."""
    shown = ", ".join(names[:MAX_NAMES])
    more = len(names) - MAX_NAMES
    if more <= 0:
        return shown
    return ngettext("{names} and {count} more", "{names} and {count} more", more, names=shown)


def import_text(report: ImportReport) -> str:
    """The summary of an OPML import: added (names), already present, failed with the reason
    per feed, topics created."""
    lines = [
        ngettext(
            "📥 {file}: {added} of {count} feed added.",
            "📥 {file}: {added} of {count} feeds added.",
            report.total,
            file=echo(report.file_name, 100),
            added=num(len(report.added)),
        )
    ]
    if report.added:
        names = _names(report.added)
        count = num(len(report.added))
        lines.append(
            _("✅ {count} added: {names}", count=count, names=names)
            if report.checked
            else _(
                "✅ {count} added (checked at the next collection pass): {names}",
                count=count,
                names=names,
            )
        )
    for page, feed in report.discovered[:MAX_NAMES]:
        lines.append(
            _(
                "🔎 {page} is a web page; the feed it names was added: {feed}",
                page=echo(page, 200),
                feed=echo(feed, 300),
            )
        )
    if report.present:
        shown = _names([echo(url, 200) for url in report.present])
        lines.append(
            _("☑️ {count} already present: {names}", count=num(len(report.present)), names=shown)
        )
    if report.failed:
        lines.append(_("❌ {count} failed (not kept):", count=num(len(report.failed))))
        lines.extend(
            f"• {isolate(echo(url, 200))}: {echo(reason, 400)}" for url, reason in report.failed
        )
    if report.topics_created:
        topics = _names([echo(title, 100) for title in report.topics_created])
        lines.append(
            ngettext(
                "🗂 {count} topic created: {names}",
                "🗂 {count} topics created: {names}",
                len(report.topics_created),
                names=topics,
            )
        )
    return "\n".join(lines)


# --- /export --------------------------------------------------------------------------------


@admin_only
async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export: every feed as an OPML file (a document named by today's date), one folder per
    topic, to import into a reader or into another newsbrief."""
    files = opml_files(context)
    if files is None:
        await reply(update, _(NOT_AVAILABLE))
        return
    app = services(context)
    async with app.db.session() as session:
        export = await files.export(session)
    if not export.feeds:
        await reply(
            update,
            _("There are no feeds to export yet. Add one with /addfeed, or send me an OPML file."),
        )
        return
    chat = update.effective_chat
    assert chat is not None
    await chat.send_document(
        export.text.encode("utf-8"),
        filename=f"newsbrief-feeds-{app.clock():%Y-%m-%d}.opml",
        caption=_(
            "{feeds} in {topics}",
            feeds=ngettext("{count} feed", "{count} feeds", export.feeds),
            topics=ngettext("{count} topic", "{count} topics", export.topics),
        ),
        message_thread_id=thread_of(update) or None,
    )
