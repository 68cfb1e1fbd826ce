"""`newsbrief topics add|list|remove`."""

from __future__ import annotations

import argparse

from bot.settings import Settings
from cli.common import format_table, run_with_database
from storage.db import Database
from storage.topics import add_topic, list_topics, remove_topic


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `topics` subcommand."""
    parser = subparsers.add_parser("topics", help="add, list or remove topics")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add", help="add a topic; keywords pull in matching articles from any feed"
    )
    add.add_argument(
        "name", help='topic name, e.g. Tech; quote a name of several words: "World News"'
    )
    add.add_argument(
        "keywords", nargs=argparse.REMAINDER, help="keywords; prefix with - to exclude"
    )
    add.set_defaults(handler=add_command)
    actions.add_parser("list", help="list topics").set_defaults(handler=list_command)
    remove = actions.add_parser("remove", help="remove a topic with its feeds")
    remove.add_argument("name", help="its title or its slug, in any case")
    remove.set_defaults(handler=remove_command)


def add_command(args: argparse.Namespace) -> int:
    """Create a topic."""

    async def work(db: Database, _settings: Settings) -> str:
        async with db.session() as session:
            topic = await add_topic(session, args.name, args.keywords)
            return f"{topic.title} ({topic.name})"

    print(f"added topic {run_with_database(work)}")
    return 0


def list_command(args: argparse.Namespace) -> int:
    """Print every topic with its keywords, feeds and subscribers."""

    async def work(db: Database, _settings: Settings) -> list[list[object]]:
        async with db.session() as session:
            return [
                [t.name, t.title, t.keywords or "-", feeds, subs]
                for t, feeds, subs in await list_topics(session)
            ]

    rows = run_with_database(work)
    if not rows:
        print("no topics yet: newsbrief topics add NAME [KEYWORDS...]")
        return 0
    print(format_table(["topic", "title", "keywords", "feeds", "subscribers"], rows))
    return 0


def remove_command(args: argparse.Namespace) -> int:
    """Delete a topic."""

    async def work(db: Database, _settings: Settings) -> str:
        async with db.session() as session:
            return (await remove_topic(session, args.name)).title

    print(f"removed topic {run_with_database(work)}")
    return 0
