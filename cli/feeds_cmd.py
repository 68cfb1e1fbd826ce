"""`newsbrief feeds add|list|remove|resume|import|export`, and the OPML reading and writing the
bot shares with them (`OpmlFiles`: the bot never imports collector/, so `cli` hands it over)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from cli.common import format_table, run_with_database
from collector.opml import OpmlError, OpmlTopic, parse_opml, write_opml
from storage.db import Database
from storage.feeds import (
    FeedImport,
    ImportResult,
    add_feed,
    import_feeds,
    list_feeds,
    remove_feed,
    resume_feed,
)
from storage.topics import get_topic

DEFAULT_TOPIC = "general"  # where feeds outside any OPML folder go, unless told otherwise


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `feeds` subcommand."""
    parser = subparsers.add_parser("feeds", help="add, list or remove feeds")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a feed (RSS, Atom or JSON Feed) to a topic")
    add.add_argument("topic", help="an existing topic's title or slug")
    add.add_argument(
        "url",
        help="the feed's URL (http or https); a site's page works too: the feed it names is "
        "found at the first collection",
    )
    add.set_defaults(handler=add_command)
    actions.add_parser("list", help="list feeds with their health").set_defaults(
        handler=list_command
    )
    remove = actions.add_parser("remove", help="remove a feed (its articles stay)")
    remove.add_argument("feed", help="its number (as `feeds list` shows it) or its URL")
    remove.set_defaults(handler=remove_command)
    resume = actions.add_parser("resume", help="resume a paused feed")
    resume.add_argument("feed", help="its number (as `feeds list` shows it) or its URL")
    resume.set_defaults(handler=resume_command)
    importer = actions.add_parser(
        "import", help="add the feeds of an OPML file (its folders become topics)"
    )
    importer.add_argument("file", type=Path, help="an OPML file, e.g. exported from a reader")
    importer.add_argument(
        "--topic",
        default=DEFAULT_TOPIC,
        help=f"topic for feeds outside any folder (created if missing; default: {DEFAULT_TOPIC})",
    )
    importer.set_defaults(handler=import_command)
    actions.add_parser("export", help="print every feed as OPML 2.0").set_defaults(
        handler=export_command
    )


def add_command(args: argparse.Namespace) -> int:
    """Add a feed to a topic."""

    async def work(db: Database, _settings: Settings) -> str:
        async with db.session() as session:
            feed = await add_feed(session, args.topic, args.url)
            topic = await get_topic(session, args.topic)
            return f"#{feed.id} {feed.url} to {topic.title if topic else args.topic}"

    print(f"added feed {run_with_database(work)}")
    return 0


def list_command(args: argparse.Namespace) -> int:
    """Print every feed with its topic and health."""

    async def work(db: Database, _settings: Settings) -> list[list[object]]:
        async with db.session() as session:
            return [
                [
                    f"#{f.id}",
                    f.topic.title,
                    f.url,
                    f.last_success_at.strftime("%Y-%m-%d %H:%M") if f.last_success_at else "never",
                    f.error_count,
                    "paused" if f.paused else "active",
                ]
                for f in await list_feeds(session)
            ]

    rows = run_with_database(work)
    if not rows:
        print("no feeds yet: newsbrief feeds add TOPIC URL")
        return 0
    print(format_table(["feed", "topic", "url", "last success", "errors", "state"], rows))
    return 0


def remove_command(args: argparse.Namespace) -> int:
    """Delete a feed."""

    async def work(db: Database, _settings: Settings) -> str:
        async with db.session() as session:
            feed = await remove_feed(session, args.feed)
            return f"#{feed.id} {feed.url}"

    print(f"removed feed {run_with_database(work)}")
    return 0


def resume_command(args: argparse.Namespace) -> int:
    """Unpause a feed; it is checked at the next collection."""

    async def work(db: Database, _settings: Settings) -> str:
        async with db.session() as session:
            feed = await resume_feed(session, args.feed)
            return f"#{feed.id} {feed.url}"

    print(f"resumed feed {run_with_database(work)}; it is due now")
    return 0


def import_command(args: argparse.Namespace) -> int:
    """Add every feed of an OPML file; outline folders become topics."""
    try:
        items = read_opml(args.file.read_bytes())
    except OSError as exc:
        print(f"newsbrief: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except OpmlError as exc:
        print(f"newsbrief: {args.file}: {exc}", file=sys.stderr)
        return 1

    async def work(db: Database, _settings: Settings) -> ImportResult:
        async with db.session() as session:
            return await import_feeds(session, items, default_topic=args.topic)

    result = run_with_database(work)
    for topic in result.topics_created:
        print(f"created topic {topic}")
    for url, reason in result.skipped:
        print(f"skipped {url}: {reason}")
    print(f"imported {len(result.added)} of {len(items)} feeds from {args.file}")
    return 0


def export_command(_args: argparse.Namespace) -> int:
    """Print every feed as an OPML 2.0 document, one folder per topic."""

    async def work(db: Database, _settings: Settings) -> OpmlExport:
        async with db.session() as session:
            return await export_opml(session)

    sys.stdout.write(run_with_database(work).text)
    return 0


# --- OPML, shared with the bot -------------------------------------------------------------------


def read_opml(data: bytes) -> list[FeedImport]:
    """The feeds of an OPML document, ready for `import_feeds`; raise OpmlError (a ValueError)
    saying what is wrong with it."""
    return [
        # A reader writes a feed without a name with its URL as the text: that is no title (it
        # would become the feed's name and hide the one the feed gives itself).
        FeedImport(url=o.url, title=o.title if o.title != o.url else None, topic=o.category)
        for o in parse_opml(data)
    ]


@dataclass(frozen=True, slots=True)
class OpmlExport:
    """Every feed as an OPML 2.0 document, and how many feeds and topics it holds."""

    text: str
    feeds: int
    topics: int


async def export_opml(session: AsyncSession) -> OpmlExport:
    """Every feed as OPML 2.0, one folder per topic (topics without feeds are left out)."""
    topics: dict[str, OpmlTopic] = {}
    feeds = await list_feeds(session)
    for feed in feeds:
        topic = topics.setdefault(feed.topic.name, OpmlTopic(feed.topic.title, []))
        topic.feeds.append((feed.url, feed.title, feed.site_url))
    return OpmlExport(write_opml(topics.values()), len(feeds), len(topics))


class OpmlFiles:
    """OPML as `newsbrief feeds import|export` reads and writes it, handed to the bot for OPML
    documents admins send and /export (bot.handlers.opml_files.OpmlFiles is its Protocol)."""

    default_topic = DEFAULT_TOPIC

    def read(self, data: bytes) -> list[FeedImport]:
        """The feeds of an OPML document; raise a ValueError saying what is wrong with it."""
        return read_opml(data)

    async def export(self, session: AsyncSession) -> OpmlExport:
        """Every feed as an OPML 2.0 document."""
        return await export_opml(session)
