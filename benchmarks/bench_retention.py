"""How the database grows per 1,000 feeds a day, with and without housekeeping's pruning.

Every simulated day adds what 1,000 feeds x 20 new items bring (the collector's rows, written
in bulk through the models' tables, so SQLite's FTS5 triggers and PostgreSQL's generated
tsvector columns index every article as in production):

- 20,000 articles of ~3 KB of text (paragraphs of real news from the evaluation corpus,
  `../shared/data` or `$NEWSBRIEF_EVAL_DATA`, recombined; random words without it), a
  3-sentence summary, title, URLs, fingerprint and SimHash;
- 20,000 feed entries (GUIDs) and 1,000 more for articles a second feed carried;
- 22,000 article topics (a tenth of the articles also match a topic's keywords);
- ~12,000 stories (4 in 10 articles join a story of the last two days);
- 1,000 feed failures (1 % of 96 checks a day).

Two databases get the same days: one is never pruned, the other runs housekeeping's retention
(`storage.retention.prune_old_data`, the defaults: articles 30 days, feed entries 365 days,
failures 30 days) at the end of every day. After each day the script prints both sizes: SQLite's
file (checkpointed; deleted rows leave free pages that later inserts reuse, so a file never
shrinks) and its live pages; PostgreSQL's `pg_total_relation_size` of the tables (after a plain
VACUUM, as autovacuum would run). The SQLite run copies the unpruned file on the day pruning
first has something to do, instead of inserting the same days twice.

    .venv/bin/python benchmarks/bench_retention.py                        # 45 days, SQLite
    .venv/bin/python benchmarks/bench_retention.py --days 10 --feeds 100  # a quick check
    .venv/bin/python benchmarks/bench_retention.py --feeds 100 --days 45 \\
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test     # also PostgreSQL
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select, text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from storage.db import Database, sync_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Article,
    ArticleTopic,
    Base,
    Feed,
    FeedEntry,
    FeedFailure,
    Story,
    Topic,
)
from storage.retention import prune_old_data  # noqa: E402
from summarizer.evaluation import eval_data_dir  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=UTC)
CHUNK = 1000
TOPICS = 10
MB = 1024 * 1024


# -- the text of a day -------------------------------------------------------------------------


def corpus_paragraphs() -> list[str]:
    """Paragraphs of real news (the evaluation corpus), else random text of a news vocabulary."""
    directory = eval_data_dir()
    found: list[str] = []
    for name in ("cnn_corpus.jsonl", "bbc_news_summary.jsonl"):
        path = directory / name
        if path.exists():
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    found.extend(p for p in json.loads(line)["text"].split("\n\n") if p.strip())
    if found:
        return found
    rng = random.Random(1)
    vocabulary = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 11)))
        for _ in range(40_000)
    ]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]  # Zipf, as words in news are
    return [
        " ".join(rng.choices(vocabulary, weights, k=rng.randint(30, 80))).capitalize() + "."
        for _ in range(20_000)
    ]


class Day:
    """Builds the rows of one simulated day; ids are given here so both databases match."""

    def __init__(self, args: argparse.Namespace, paragraphs: list[str]) -> None:
        self.args = args
        self.paragraphs = paragraphs
        self.rng = random.Random(2)
        self.article_id = 0
        self.story_id = 0
        self.entry_id = 0
        self.failure_id = 0
        self.recent_stories: list[tuple[int, datetime]] = []

    def text(self) -> str:
        parts: list[str] = []
        size = 0
        while size < self.args.text_bytes:
            paragraph = self.rng.choice(self.paragraphs)
            parts.append(paragraph)
            size += len(paragraph.encode()) + 2
        return "\n\n".join(parts)[: self.args.text_bytes]

    def rows(self, day: int) -> dict[str, list[dict[str, Any]]]:
        """Every row day number `day` (0-based) adds."""
        args, rng = self.args, self.rng
        begin = START + timedelta(days=day)
        rows: dict[str, list[dict[str, Any]]] = {
            "stories": [],
            "articles": [],
            "feed_entries": [],
            "article_topics": [],
            "feed_failures": [],
        }
        self.recent_stories = [
            (s, at) for s, at in self.recent_stories if at > begin - timedelta(days=2)
        ]
        items = args.feeds * args.items
        for n in range(items):
            at = begin + timedelta(seconds=86_400 * n / items)
            feed_id = n % args.feeds + 1
            self.article_id += 1
            text = self.text()
            title = text.split(".")[0][:90]
            if self.recent_stories and rng.random() < 0.4:
                story_id = rng.choice(self.recent_stories)[0]
            else:
                self.story_id += 1
                story_id = self.story_id
                summary = "\n".join(s.strip() + "." for s in text.split(".")[1:4])
                rows["stories"].append(
                    {
                        "id": story_id,
                        "title": title,
                        "summary": summary[:600],
                        "source_count": 1,
                        "first_seen_at": at,
                        "updated_at": at,
                    }
                )
                self.recent_stories.append((story_id, at))
            url = f"https://site{feed_id}.example/{at:%Y/%m/%d}/{self.article_id}-story-slug-words"
            rows["articles"].append(
                {
                    "id": self.article_id,
                    "feed_id": feed_id,
                    "story_id": story_id,
                    "url": url,
                    "guid": f"{url}#guid",
                    "title": title,
                    "author": "A. Reporter",
                    "source_name": f"Site {feed_id}",
                    "image_url": f"https://site{feed_id}.example/img/{self.article_id}.jpg",
                    "published_at": at,
                    "fetched_at": at,
                    "news_at": at,
                    "text": text,
                    "text_source": "page",
                    "summary": "\n".join(s.strip() + "." for s in text.split(".")[:3])[:600],
                    "fingerprint": hashlib.sha256(url.encode()).hexdigest(),
                    "simhash": rng.getrandbits(63),
                    "near_duplicate_of": None,
                }
            )
            carriers = [feed_id] + ([feed_id % args.feeds + 1] if n % 20 == 0 else [])
            for carrier in carriers:
                self.entry_id += 1
                rows["feed_entries"].append(
                    {
                        "id": self.entry_id,
                        "feed_id": carrier,
                        "guid": f"{url}#guid",
                        "article_id": self.article_id,
                        "seen_at": at,
                    }
                )
            topic = feed_id % TOPICS + 1
            rows["article_topics"].append(
                {"article_id": self.article_id, "topic_id": topic, "via": "feed"}
            )
            if n % 10 == 0:
                rows["article_topics"].append(
                    {
                        "article_id": self.article_id,
                        "topic_id": topic % TOPICS + 1,
                        "via": "keywords",
                    }
                )
        for n in range(args.feeds * 96 // 100):
            self.failure_id += 1
            rows["feed_failures"].append(
                {
                    "id": self.failure_id,
                    "feed_id": n % args.feeds + 1,
                    "at": begin + timedelta(seconds=86_400 * n / max(1, args.feeds)),
                    "reason": "HTTP 503 Service Unavailable from https://site.example/feed.xml",
                }
            )
        return rows


# -- the databases -----------------------------------------------------------------------------


def seed(url: str, feeds: int) -> None:
    """Topics and feeds, in a freshly migrated database."""
    upgrade(url)
    engine = create_engine(sync_url(url))
    with engine.begin() as connection:
        connection.execute(
            insert(Topic),
            [
                {
                    "id": t,
                    "name": f"topic{t}",
                    "title": f"Topic {t}",
                    "keywords": "",
                    "created_at": START,
                }
                for t in range(1, TOPICS + 1)
            ],
        )
        connection.execute(
            insert(Feed),
            [
                {
                    "id": f,
                    "url": f"https://site{f}.example/feed.xml",
                    "topic_id": f % TOPICS + 1,
                    "title": f"Site {f}",
                    "weight": 1.0,
                    "next_check_at": START,
                    "error_count": 0,
                    "paused": False,
                    "pause_notified": False,
                    "created_at": START,
                }
                for f in range(1, feeds + 1)
            ],
        )
    engine.dispose()


def load(url: str, rows: dict[str, list[dict[str, Any]]]) -> float:
    """Insert one day's rows; returns seconds."""
    started = time.perf_counter()
    engine = create_engine(sync_url(url))
    tables = {
        "stories": Story,
        "articles": Article,
        "feed_entries": FeedEntry,
        "article_topics": ArticleTopic,
        "feed_failures": FeedFailure,
    }
    with engine.begin() as connection:
        for name in ("stories", "articles", "feed_entries", "article_topics", "feed_failures"):
            values = rows[name]
            for start in range(0, len(values), CHUNK):
                connection.execute(insert(tables[name]), values[start : start + CHUNK])
    engine.dispose()
    return time.perf_counter() - started


def prune(url: str, now: datetime, args: argparse.Namespace) -> tuple[float, Any]:
    """Housekeeping's retention as of `now`; returns (seconds, report)."""

    async def run() -> Any:
        db = Database(url)
        try:
            return await prune_old_data(
                db,
                articles_before=now - timedelta(days=args.article_retention_days),
                feed_entries_before=now - timedelta(days=args.entry_retention_days),
                feed_failures_before=now - timedelta(days=args.failure_retention_days),
            )
        finally:
            await db.dispose()

    started = time.perf_counter()
    report = asyncio.run(run())
    return time.perf_counter() - started, report


def sqlite_size(path: Path) -> tuple[float, float]:
    """(file MB after a checkpoint, MB of pages in use)."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages, free, size = (
            connection.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("page_count", "freelist_count", "page_size")
        )
    finally:
        connection.close()
    return path.stat().st_size / MB, (pages - free) * size / MB


def postgres_size(url: str) -> float:
    """MB of every model table with its indexes and TOAST, after a plain VACUUM."""
    engine = create_engine(sync_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM"))
        total = 0
        for table in Base.metadata.sorted_tables:
            total += connection.scalar(select(text(f"pg_total_relation_size('{table.name}')"))) or 0
    engine.dispose()
    return total / MB


def table_mb(url: str) -> dict[str, float]:
    """SQLite: MB per table and index (dbstat), for the breakdown."""
    path = Path(url.removeprefix("sqlite:///"))
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ).fetchall()
    except sqlite3.OperationalError:  # SQLite built without dbstat
        return {}
    finally:
        connection.close()
    return {name: round(size / MB, 1) for name, size in rows}


# -- the run -----------------------------------------------------------------------------------


def run_sqlite(args: argparse.Namespace, paragraphs: list[str], directory: Path) -> dict[str, Any]:
    keep_path, prune_path = directory / "keep.db", directory / "prune.db"
    keep, pruned = f"sqlite:///{keep_path}", f"sqlite:///{prune_path}"
    seed(keep, args.feeds)
    day_rows = Day(args, paragraphs)
    days: list[dict[str, Any]] = []
    split = False
    for day in range(args.days):
        end = START + timedelta(days=day + 1)
        rows = day_rows.rows(day)
        entry: dict[str, Any] = {"day": day + 1, "insert_s": round(load(keep, rows), 1)}
        if split:
            load(pruned, rows)
        if not split and end - timedelta(days=args.article_retention_days) > START:
            shutil.copyfile(keep_path, prune_path)  # identical so far: nothing was old yet
            split = True
        if split:
            seconds, report = prune(pruned, end, args)
            entry["prune_s"] = round(seconds, 2)
            entry["pruned"] = {
                "articles": report.articles,
                "stories": report.stories,
                "feed_entries": report.feed_entries,
                "feed_failures": report.feed_failures,
                "search_merge_steps": report.search_merge_steps,
            }
        keep_file, _ = sqlite_size(keep_path)  # nothing deleted: all of it live
        entry["keep_mb"] = round(keep_file, 1)
        if split:
            prune_file, prune_live = sqlite_size(prune_path)
            entry["prune_mb"], entry["prune_live_mb"] = round(prune_file, 1), round(prune_live, 1)
        else:
            entry["prune_mb"] = entry["prune_live_mb"] = round(keep_file, 1)
        days.append(entry)
        print(json.dumps(entry), flush=True)
    return {"days": days, "keep_tables_mb": table_mb(keep), "prune_tables_mb": table_mb(pruned)}


def run_postgres(args: argparse.Namespace, paragraphs: list[str]) -> dict[str, Any]:
    admin = create_engine(sync_url(args.postgres), isolation_level="AUTOCOMMIT")
    schemas = [f"bench_keep_{uuid.uuid4().hex[:8]}", f"bench_prune_{uuid.uuid4().hex[:8]}"]
    separator = "&" if "?" in args.postgres else "?"
    keep, pruned = (f"{args.postgres}{separator}options=-csearch_path%3D{s}" for s in schemas)
    with admin.connect() as connection:
        for schema in schemas:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        seed(keep, args.feeds)
        seed(pruned, args.feeds)
        day_rows = Day(args, paragraphs)
        days = []
        for day in range(args.days):
            end = START + timedelta(days=day + 1)
            rows = day_rows.rows(day)
            entry: dict[str, Any] = {"day": day + 1, "insert_s": round(load(keep, rows), 1)}
            load(pruned, rows)
            seconds, report = prune(pruned, end, args)
            entry["prune_s"] = round(seconds, 2)
            entry["pruned_articles"] = report.articles
            entry["keep_mb"] = round(postgres_size(keep), 1)
            entry["prune_mb"] = round(postgres_size(pruned), 1)
            days.append(entry)
            print(json.dumps({"postgresql": entry}), flush=True)
        return {"days": days}
    finally:
        with admin.connect() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20, help="new items per feed a day")
    parser.add_argument("--days", type=int, default=45)
    parser.add_argument("--text-bytes", type=int, default=3000)
    parser.add_argument("--article-retention-days", type=int, default=30)
    parser.add_argument("--entry-retention-days", type=int, default=365)
    parser.add_argument("--failure-retention-days", type=int, default=30)
    parser.add_argument("--postgres", metavar="URL", help="also measure PostgreSQL")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--json", metavar="FILE", help="write every figure to FILE")
    parser.add_argument("--dir", metavar="DIR", help="where the SQLite files go (default: tmp)")
    args = parser.parse_args()
    paragraphs = corpus_paragraphs()
    results: dict[str, Any] = {"args": vars(args), "paragraphs": len(paragraphs)}
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
            results["sqlite"] = run_sqlite(args, paragraphs, Path(tmp))
    if args.postgres:
        results["postgresql"] = run_postgres(args, paragraphs)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    for backend in ("sqlite", "postgresql"):
        if backend not in results:
            continue
        days = results[backend]["days"]
        last = days[-1]
        per_day = (days[-1]["keep_mb"] - days[0]["keep_mb"]) / max(1, len(days) - 1)
        print(
            f"{backend}: after {last['day']} days, {last['keep_mb']} MB unpruned "
            f"(+{per_day:.1f} MB a day), {last['prune_mb']} MB pruned "
            f"({args.feeds} feeds x {args.items} items a day)"
        )


if __name__ == "__main__":
    main()
