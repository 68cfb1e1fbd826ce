"""The `newsbrief` command line: wires the packages together, one module per subcommand."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from bot.redaction import RedactingFormatter, redact, remember_secret
from bot.settings import SettingsError
from cli.errors import StartupError
from storage.feeds import FeedError
from storage.topics import TopicError
from telemetry.logs import JsonFormatter, RoleFilter, set_role

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HANDLER_NAME = "newsbrief"  # the stderr handler configure_logging installs
log = logging.getLogger("newsbrief")


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
    # Masked from the first line on; commands add the ones newsbrief.toml sets when they load
    # the settings.
    remember_secret(os.environ.get("NEWSBRIEF_BOT_TOKEN"))
    remember_secret(os.environ.get("NEWSBRIEF_WEBHOOK_SECRET"))
    # Every log line names its role: the command's name until `run` names the real one.
    set_role(args.command)
    configure_logging(verbose=args.verbose, log_format=os.environ.get("NEWSBRIEF_LOG_FORMAT"))
    try:
        return int(args.handler(args) or 0)
    except SettingsError as exc:
        _say(exc)
        return 2
    except StartupError as exc:  # the database or Telegram is unreachable or refuses us
        log.debug("start-up failed", exc_info=exc)  # the full traceback only with -v
        _say(exc)
        return 2
    except (TopicError, FeedError) as exc:  # a request the data refuses: say why, exit 1
        _say(exc)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception:
        # A bug: the traceback helps, as Python would print it, but never with the token.
        print(redact(traceback.format_exc()), file=sys.stderr, end="")
        return 1


def configure_logging(*, verbose: bool, log_format: str | None = None) -> None:
    """Log to stderr through a redacting formatter (warnings too), as logging.basicConfig
    would: a program embedding newsbrief keeps its own handlers.

    `log_format` "json" writes one JSON object per line (telemetry.logs.JsonFormatter), any
    other value plain text; commands apply the configured NEWSBRIEF_LOG_FORMAT (also from
    newsbrief.toml) with `use_log_format` once they have loaded the settings."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.set_name(HANDLER_NAME)
        handler.addFilter(RoleFilter())
        handler.setFormatter(log_formatter(log_format))
        root.addHandler(handler)
        root.setLevel(logging.DEBUG if verbose else logging.INFO)
        logging.captureWarnings(True)  # warnings go through the same handler, redacted
    # httpx logs every request URL at INFO (the collector's feeds; the httpx backend's Bot API).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if not verbose:
        # Migration steps and "Adding job tentatively" are noise at a normal start, and would
        # come before the one line that says why a start failed.
        logging.getLogger("alembic").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)


def log_formatter(log_format: str | None) -> logging.Formatter:
    """The formatter of a log format: both mask the token and the configured secrets."""
    # The token is in every Bot API URL; PTB puts URLs in its debug lines and exceptions.
    if (log_format or "").strip().lower() == "json":
        return JsonFormatter(redact=redact)
    return RedactingFormatter(LOG_FORMAT)


def use_log_format(log_format: str) -> None:
    """Switch the handler configure_logging installed to `log_format` ("text" or "json")."""
    for handler in logging.getLogger().handlers:
        if handler.get_name() == HANDLER_NAME:
            handler.setFormatter(log_formatter(log_format))


def _say(exc: BaseException) -> None:
    """Print the one line an error deserves, with no secret in it."""
    message = " ".join(str(exc).split())
    print(f"newsbrief: {redact(message)}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
