"""The `newsbrief` command line: wires the packages together, one module per subcommand."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from types import ModuleType

from bot.settings import SettingsError
from storage.feeds import FeedError
from storage.topics import TopicError


def _subcommand_modules() -> list[ModuleType]:
    # Imported lazily so `newsbrief --help` stays fast and one broken command cannot break all.
    from cli import (
        collect_cmd,
        db_cmd,
        demo_cmd,
        eval_cmd,
        feeds_cmd,
        run_cmd,
        summarize_cmd,
        topics_cmd,
    )

    return [
        run_cmd,
        collect_cmd,
        summarize_cmd,
        eval_cmd,
        topics_cmd,
        feeds_cmd,
        db_cmd,
        demo_cmd,
    ]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="newsbrief",
        description="A Telegram bot that delivers extractive news briefings.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _subcommand_modules():
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `newsbrief` console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL at INFO, and a Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if not args.verbose:
        logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return int(args.handler(args) or 0)
    except SettingsError as exc:
        print(f"newsbrief: {exc}", file=sys.stderr)
        return 2
    except (TopicError, FeedError) as exc:  # a request the data refuses: say why, exit 1
        print(f"newsbrief: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
