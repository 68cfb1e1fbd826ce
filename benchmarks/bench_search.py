"""Search and follow-up answers over 50,000 stored articles, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/bench_search.py                       # SQLite only
    .venv/bin/python benchmarks/bench_search.py \\
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test   # and PostgreSQL

Articles are recombined from the evaluation corpus (`$NEWSBRIEF_EVAL_DATA` or ../shared/data;
never copied into the repository): article i takes the title and shuffled, truncated paragraphs
of corpus article i mod n plus two paragraphs of another, so 50,000 distinct texts share real
news vocabulary. Without the corpus it exits with the reason. PostgreSQL runs in a schema of its
own, dropped at the end.

Measured per backend, medians over the same questions ("what's new on <two title words>?"):
search (the storage function, session included), /search's story list, the follow-up answer
end to end (search + extractive answer + HTML), and the Telegram round trip through the fake
Bot API server (question injected -> answer received). Baseline in the same run: the same
questions as a LIKE scan over title and text.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, or_, select, text

from bot.cpu import ThreadRunner
from bot.handlers.followups import SEARCH_LOOKBACK, followup_answer
from storage.db import Database, sync_url
from storage.migrate import upgrade
from storage.models import Article, Story
from storage.search import search_articles, search_stories
from summarizer.evaluation import eval_data_dir
from summarizer.words import query_terms

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
CHUNK = 1000


def data_dir() -> Path | None:
    """The evaluation corpus directory, if it holds the CNN corpus."""
    folder = eval_data_dir()
    return folder if (folder / "cnn_corpus.jsonl").exists() else None


def load_corpus(directory: Path) -> list[tuple[str, list[str]]]:
    """(title, paragraphs) of every corpus article."""
    corpus = []
    for name in ("cnn_corpus.jsonl", "bbc_news_summary.jsonl"):
        with (directory / name).open(encoding="utf-8") as lines:
            for line in lines:
                raw = json.loads(line)
                paragraphs = [p for p in raw["text"].split("\n\n") if p.strip()]
                if paragraphs:
                    corpus.append((raw["title"], paragraphs))
    return corpus


def synthetic_articles(corpus: list[tuple[str, list[str]]], count: int) -> list[dict[str, Any]]:
    """`count` distinct article rows recombined from the corpus (two articles per story)."""
    rng = random.Random(6)
    rows = []
    for i in range(count):
        title, paragraphs = corpus[i % len(corpus)]
        paragraphs = list(paragraphs)
        if i >= len(corpus):
            rng.shuffle(paragraphs)
            paragraphs = paragraphs[: rng.randint(3, 10)]
            paragraphs += rng.sample(corpus[rng.randrange(len(corpus))][1], k=1) * 2
        url = f"https://site{i % 40}.example/{i}"
        at = NOW - timedelta(minutes=rng.randrange(60 * 24 * 25))
        rows.append(
            {
                "story_id": i // 2 + 1,
                "url": url,
                "title": title,
                "source_name": f"Site {i % 40}",
                "published_at": at,
                "fetched_at": at,
                "text": "\n\n".join(paragraphs),
                "text_source": "page",
                "summary": "",
                "fingerprint": hashlib.sha256(url.encode()).hexdigest(),
            }
        )
    return rows


def questions(corpus: list[tuple[str, list[str]]], count: int) -> list[str]:
    """Follow-up questions made of two content words of random corpus titles."""
    rng = random.Random(7)
    found: list[str] = []
    while len(found) < count:
        title = corpus[rng.randrange(len(corpus))][0]
        words = [w for w in query_terms(title) if len(w) > 3 and w.isalpha()]
        if len(words) >= 2:
            a, b = rng.sample(words, 2)
            found.append(f"What's new on {a} {b}?")
    return found


async def load(db: Database, rows: list[dict[str, Any]]) -> float:
    """Insert the stories and articles; returns seconds taken."""
    started = time.perf_counter()
    stories = [
        {
            "id": s,
            "title": "",
            "summary": "",
            "source_count": 2,
            "first_seen_at": NOW,
            "updated_at": NOW,
        }
        for s in sorted({r["story_id"] for r in rows})
    ]
    async with db.session() as session:
        for start in range(0, len(stories), CHUNK):
            await session.execute(insert(Story), stories[start : start + CHUNK])
        for start in range(0, len(rows), CHUNK):
            await session.execute(insert(Article), rows[start : start + CHUNK])
        await session.execute(
            text(
                "UPDATE stories SET title = (SELECT min(title) FROM articles "
                "WHERE articles.story_id = stories.id)"
            )
        )
    if db.dialect == "postgresql":
        # Committed (begin, not connect): statistics are transactional, a rollback drops them.
        async with db.engine.begin() as connection:
            await connection.execute(text("ANALYZE articles"))
    return time.perf_counter() - started


async def timed(func: Any, *args: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await func(*args)
    return (time.perf_counter() - started) * 1000, result


async def bench_backend(
    db: Database, rows: list[dict[str, Any]], asked: list[str], roundtrips: int, baseline: int
) -> dict[str, Any]:
    """Every figure for one backend."""
    load_s = await load(db, rows)
    since = NOW - SEARCH_LOOKBACK

    async def search(q: str) -> int:
        async with db.session() as session:
            return len(await search_articles(session, query_terms(q), since=since, limit=6))

    async def listing(q: str) -> int:
        async with db.session() as session:
            return len(await search_stories(session, query_terms(q), since=since, limit=8))

    async def like_scan(q: str) -> int:
        clauses = [
            or_(Article.title.ilike(f"%{t}%"), Article.text.ilike(f"%{t}%"))
            for t in query_terms(q)
        ]
        async with db.session() as session:
            found = await session.scalars(
                select(Article.id).where(*clauses, Article.fetched_at >= since).limit(6)
            )
            return len(list(found))

    async def answer(q: str) -> str:
        return await followup_answer(db, ThreadRunner(), q, NOW)

    await search(asked[0])  # warm caches (stemmer, connection pool)
    await answer(asked[0])
    result: dict[str, Any] = {"articles": len(rows), "load_s": round(load_s, 1)}
    for name, func, sample in (
        ("search_ms", search, asked),
        ("search_stories_ms", listing, asked),
        ("answer_end_to_end_ms", answer, asked),
        ("baseline_like_scan_ms", like_scan, asked[:baseline]),
    ):
        times, outputs = [], []
        for q in sample:
            ms, out = await timed(func, q)
            times.append(ms)
            outputs.append(out)
        result[name] = summary(times)
        if name == "search_ms":
            result["questions_with_hits"] = sum(1 for n in outputs if n)
        if name == "answer_end_to_end_ms":
            result["answers_longest_chars"] = max(len(o) for o in outputs)
    if roundtrips:
        result["telegram_roundtrip_ms"] = summary(await roundtrip(db, asked[:roundtrips]))
        same = [(await timed(answer, q))[0] for q in asked[1:roundtrips]]
        result["answer_end_to_end_same_questions_ms"] = summary(same)
    result["search_speedup_vs_like"] = round(
        result["baseline_like_scan_ms"]["median"] / result["search_ms"]["median"], 1
    )
    return result


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "n": len(times),
        "median": round(statistics.median(times), 2),
        "p90": round(ordered[int(0.9 * (len(ordered) - 1))], 2),
        "max": round(ordered[-1], 2),
    }


async def roundtrip(db: Database, asked: list[str]) -> list[float]:
    """Question typed in a private chat -> answer received, through the real bot and fake API."""
    from bot.app import build_application
    from bot.settings import load_settings
    from sandbox.fake_bot_api import FakeBotAPI

    times = []
    async with FakeBotAPI() as api:
        settings = load_settings(
            bot_token=api.token,
            telegram_api_url=api.base_url,
            database_url=db.url,
            rate_limit_per_second=0,
        )
        app = build_application(settings, db, clock=lambda: NOW, schedule_jobs=False)
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=5)
            try:
                for n, q in enumerate(asked, start=1):
                    started = time.perf_counter()
                    api.inject_message(9000, q)
                    received = await api.wait_for_messages(9000, n, within=30)
                    times.append((time.perf_counter() - started) * 1000)
                    # An error reply would arrive as fast: only real answers count.
                    assert received[-1].plain_text.startswith("🔎"), received[-1].plain_text
            finally:
                await app.updater.stop()
                await app.stop()
    return times[1:]  # the first pays for PTB's warm-up


def postgres_schema(url: str) -> tuple[str, str]:
    schema = f"bench_search_{uuid.uuid4().hex[:8]}"
    engine = create_engine(sync_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    separator = "&" if "?" in url else "?"
    return schema, f"{url}{separator}options=-csearch_path%3D{schema}"


def drop_schema(url: str, schema: str) -> None:
    engine = create_engine(sync_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


async def run_one(
    url: str, rows: list[dict[str, Any]], asked: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    upgrade(url)
    db = Database(url)
    try:
        return await bench_backend(db, rows, asked, args.roundtrips, args.baseline)
    finally:
        await db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--roundtrips", type=int, default=40)
    parser.add_argument("--baseline", type=int, default=20, help="questions for the LIKE scan")
    parser.add_argument("--postgres", default="", help="PostgreSQL URL (a schema is made)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    directory = data_dir()
    if directory is None:
        print("skipped: the evaluation corpus is absent (set NEWSBRIEF_EVAL_DATA)")
        return 0
    corpus = load_corpus(directory)
    rows = synthetic_articles(corpus, args.articles)
    asked = questions(corpus, args.questions)
    results: dict[str, Any] = {}
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            results["sqlite"] = asyncio.run(run_one(url, rows, asked, args))
            print("sqlite", json.dumps(results["sqlite"], indent=1), flush=True)
    if args.postgres:
        schema, url = postgres_schema(args.postgres)
        try:
            results["postgresql"] = asyncio.run(run_one(url, rows, asked, args))
            print("postgresql", json.dumps(results["postgresql"], indent=1), flush=True)
        finally:
            drop_schema(args.postgres, schema)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
