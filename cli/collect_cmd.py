"""`newsbrief collect`: check feeds now and print what each one gave."""

from __future__ import annotations

import argparse

from bot.settings import Settings
from cli.common import format_table, run_with_database
from collector.service import Collector, CollectReport, FeedResult
from storage.db import Database

_STATUS_TEXT = {"ok": "ok", "not_modified": "not modified", "error": "error", "paused": "PAUSED"}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `collect` subcommand."""
    parser = subparsers.add_parser(
        "collect",
        help="check every feed now and store new articles (prints a table per feed)",
        description=(
            "Check every feed now (or only the due ones) and store their new articles; prints "
            "one line per feed with its error if it failed. Exit status 0 when the pass ran, "
            "even if some feeds failed; 2 when it could not run (e.g. the database cannot be "
            "opened)."
        ),
    )
    parser.add_argument(
        "--due", action="store_true", help="check only the feeds whose next check is due"
    )
    parser.set_defaults(handler=collect_command)


def collect_command(args: argparse.Namespace) -> int:
    """Run one collection pass and print a per-feed table; exit status 0 when the pass ran,
    whatever each feed gave (failed feeds are in the table with their errors)."""

    async def work(db: Database, settings: Settings) -> CollectReport:
        async with Collector(db, settings) as collector:
            return await (collector.collect_due() if args.due else collector.collect_all())

    report = run_with_database(work)
    if not report.results:
        print("no feeds to check: add one with `newsbrief feeds add TOPIC URL`")
        return 0
    print(render_report(report))
    # A failed feed is the pass's news, not its failure: cron and CI runs stay green, and a
    # pass that could not run at all (no database) exits 2 through cli.main.
    return 0


def render_report(report: CollectReport) -> str:
    """The per-feed table (new, unchanged, errors, time), a total line and pause notices."""
    rows = [_row(result) for result in report.results]
    seconds = sum(r.seconds for r in report.results)
    lines = [
        format_table(["feed", "status", "new", "unchanged", "errors", "time", "error"], rows),
        "",
        f"{len(report.results)} feeds: {report.new} new articles, {report.errors} failed "
        f"({seconds:.1f}s of feed time)",
    ]
    for url in report.newly_paused:
        lines.append(f"paused after repeated failures: {url} (resume: newsbrief feeds resume URL)")
    return "\n".join(lines)


def _row(result: FeedResult) -> list[object]:
    failed = result.status in ("error", "paused")
    note = result.error or result.warning or ""
    return [
        result.title or result.url,
        _STATUS_TEXT.get(result.status, result.status),
        result.new,
        result.unchanged,
        1 if failed else 0,
        f"{result.seconds:.2f}s",
        note if len(note) <= 80 else note[:79] + "…",
    ]
