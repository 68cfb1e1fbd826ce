"""`newsbrief feeds add|list|remove`."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import format_table, run_with_database
from bot.settings import Settings
from storage.db import Database
from storage.feeds import FeedError, add_feed, list_feeds, remove_feed
from storage.topics import TopicError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `feeds` subcommand."""
    parser = subparsers.add_parser("feeds", help="add, list or remove feeds")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a feed (RSS, Atom or JSON Feed) to a topic")
    add.add_argument("topic", help="name of an existing topic")
    add.add_argument("url", help="the feed's URL (http or https)")
    add.set_defaults(handler=add_command)
    actions.add_parser("list", help="list feeds with their health").set_defaults(
        handler=list_command
    )
    remove = actions.add_parser("remove", help="remove a feed (its articles stay)")
    remove.add_argument("url")
    remove.set_defaults(handler=remove_command)


def add_command(args: argparse.Namespace) -> int:
    """Add a feed to a topic."""

    async def work(db: Database, _settings: Settings) -> str:
        async with db.session() as session:
            feed = await add_feed(session, args.topic, args.url)
            return feed.url

    try:
        print(f"added feed {run_with_database(work)} to {args.topic}")
    except (FeedError, TopicError) as exc:
        print(f"newsbrief: {exc}", file=sys.stderr)
        return 1
    return 0


def list_command(args: argparse.Namespace) -> int:
    """Print every feed with its topic and health."""

    async def work(db: Database, _settings: Settings) -> list[list[object]]:
        async with db.session() as session:
            return [
                [
                    f.topic.name,
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
    print(format_table(["topic", "url", "last success", "errors", "state"], rows))
    return 0


def remove_command(args: argparse.Namespace) -> int:
    """Delete a feed."""

    async def work(db: Database, _settings: Settings) -> str:
        async with db.session() as session:
            return (await remove_feed(session, args.url)).url

    try:
        print(f"removed feed {run_with_database(work)}")
    except FeedError as exc:
        print(f"newsbrief: {exc}", file=sys.stderr)
        return 1
    return 0
