"""The collection service: claims due feeds, fetches and parses them, stores new articles once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Executor
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from time import perf_counter
from types import TracebackType
from typing import TypeVar

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from collector.addresses import Resolver
from collector.clustering import StoryClusterer
from collector.dedup import IndexedArticle, NearDuplicateIndex
from collector.discovery import COMMON_PATHS, feed_candidates, looks_like_html
from collector.errors import FeedParseError, FetchError, ProcessingError
from collector.feedparse import FeedItem, ParsedFeed, parse_feed
from collector.fetch import PAGE_ACCEPT, Fetcher, FetchResult
from collector.pool import WorkerPool, make_process_pool
from collector.processing import ArticleJob, ProcessedArticle, process_article
from collector.report import CollectReport, FeedResult, FeedStatus
from collector.schedule import cache_max_age, next_check_after_failure, next_check_after_success
from collector.settings import CollectorSettings
from collector.store import clean, item_url, link_known_article, store_article
from collector.stories import remember_recent, resummarize_stories
from collector.topics import TopicRule, build_rule
from storage.articles import article_ids_by_url, known_guids, recent_simhashes
from storage.clock import utcnow
from storage.db import Database
from storage.feed_schedule import (
    ClaimedFeed,
    claim_feeds,
    move_feed,
    record_feed_failure,
    record_feed_success,
    take_pause_notices,
    unpaused_feed_ids,
)
from storage.feeds import get_feed
from storage.leader import STORY_LOCK, XACT_LOCK
from storage.sources import site_host
from storage.stories import grown_stories, recent_story_articles
from storage.topics import list_topics
from telemetry import metrics

__all__ = ["CollectReport", "Collector", "FeedResult", "make_process_pool"]

log = logging.getLogger(__name__)
T = TypeVar("T")

# A worker's claim on a feed; long enough for a slow check under load, short enough that the
# feeds of a crashed worker are picked up again the same hour.
CLAIM_LEASE = timedelta(minutes=30)
NEAR_DUPLICATE_WINDOW = timedelta(hours=48)


@dataclass(slots=True)
class _SharedJob:
    """A page being processed for one or more feeds; cancelled when none of them waits any more."""

    task: asyncio.Task[ProcessedArticle]
    waiters: int = 0


class Collector:
    """Collects feeds into the store: `collect_due` for the scheduler, `check_feed` for /addfeed."""

    def __init__(
        self,
        db: Database,
        settings: CollectorSettings,
        *,
        resolver: Resolver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        executor: Executor | None = None,
        workers: WorkerPool | None = None,
    ) -> None:
        self._db = db
        self._settings = settings
        self._resolver = resolver
        self._transport = transport
        self._executor = executor
        # A pool shared with others (the bot's answers) belongs to whoever made it.
        self._shared_pool = workers
        self._pool: WorkerPool | None = None
        self._fetcher: Fetcher | None = None
        self._index = NearDuplicateIndex()
        self._clusterer = StoryClusterer(window=NEAR_DUPLICATE_WINDOW)
        self._rules: tuple[TopicRule, ...] = ()
        self._in_flight: dict[str, _SharedJob] = {}
        self._deadline = float(settings.feed_check_deadline_seconds)
        # SQLite has one writer: serialising write transactions here avoids lock timeouts.
        self._write_lock = asyncio.Lock() if db.dialect == "sqlite" else None
        # Articles are placed in stories one transaction at a time (`_placing`).
        self._place_lock = asyncio.Lock()

    async def __aenter__(self) -> Collector:
        self._fetcher = Fetcher(self._settings, resolver=self._resolver, transport=self._transport)
        self._pool = self._shared_pool or WorkerPool(self._executor)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fetcher is not None:
            await self._fetcher.aclose()
        if self._pool is not None and self._pool is not self._shared_pool:
            await self._pool.close()

    # --- public API --------------------------------------------------------------------------

    async def collect_due(self, now: datetime | None = None) -> CollectReport:
        """Check every feed whose next check is due at `now` (default: the current time)."""
        started = utcnow()
        moment = now or started

        async def claim(session: AsyncSession) -> list[ClaimedFeed]:
            # A feed checked during this pass is never taken again in it, whatever `now` says.
            return await claim_feeds(
                session,
                now=moment,
                lease_until=utcnow() + CLAIM_LEASE,
                limit=1,
                checked_before=started,
            )

        return await self._run_pass(claim)

    async def collect_all(self) -> CollectReport:
        """Check every unpaused feed now, whatever its schedule (the `collect` command)."""
        started = utcnow()
        async with self._db.session() as session:
            pending = await unpaused_feed_ids(session)

        async def claim(session: AsyncSession) -> list[ClaimedFeed]:
            while pending:
                batch = [pending.pop()]
                now = utcnow()
                claimed = await claim_feeds(
                    session,
                    now=now,
                    lease_until=now + CLAIM_LEASE,
                    limit=1,
                    due_only=False,
                    ids=batch,
                    checked_before=started,
                )
                if claimed:  # else another worker holds it or has checked it since we began
                    return claimed
            return []

        return await self._run_pass(claim)

    async def check_feed(self, url: str) -> FeedResult:
        """Check one feed now, even a paused one (a success resumes it)."""
        async with self._db.session() as session:
            feed = await get_feed(session, url)
        if feed is None:
            return FeedResult(url=url, title=None, status="error", error=f"no feed with URL {url}")
        await self._prepare_pass()
        async with self._writing() as session:
            now = utcnow()
            claimed = await claim_feeds(
                session,
                now=now,
                lease_until=now + CLAIM_LEASE,
                limit=1,
                due_only=False,
                ids=[feed.id],
                include_paused=True,
            )
        if not claimed:
            message = "another worker is checking this feed right now; try again in a minute"
            return FeedResult(url=url, title=feed.title, status="error", error=message)
        return await self._check(claimed[0])

    # --- a pass ------------------------------------------------------------------------------

    async def _run_pass(
        self, claim: Callable[[AsyncSession], Awaitable[list[ClaimedFeed]]]
    ) -> CollectReport:
        await self._prepare_pass()
        report = CollectReport()

        async def worker() -> None:
            while True:
                async with self._writing() as session:
                    feeds = await claim(session)
                if not feeds:
                    return
                for feed in feeds:
                    report.results.append(await self._check(feed))

        await asyncio.gather(*(worker() for _ in range(self._settings.max_concurrency)))
        async with self._writing() as session:
            report.newly_paused = await take_pause_notices(session)
        report.results.sort(key=lambda r: r.url)
        return report

    async def _prepare_pass(self) -> None:
        """Load topic rules and the signatures of recent articles stored since the last pass."""
        async with self._db.session() as session:
            topics = await list_topics(session)
            await self._catch_up(session)
        self._rules = tuple(build_rule(t.id, t.keywords) for t, _, _ in topics if t.keywords)
        self._index.forget_before(utcnow() - NEAR_DUPLICATE_WINDOW)

    async def _catch_up(self, session: AsyncSession) -> None:
        """Add the articles stored since this worker last looked (by it or another worker) to
        the near-duplicate index and the clusterer."""
        since = utcnow() - NEAR_DUPLICATE_WINDOW
        rows = await recent_simhashes(session, since, self._index.last_article_id)
        clustered = await recent_story_articles(session, since, self._clusterer.last_article_id)
        for row in rows:
            entry = IndexedArticle(row.article_id, row.simhash, row.story_id, row.fetched_at)
            self._index.add(entry)
        remember_recent(self._clusterer, clustered)

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncSession]:
        if self._write_lock is None:
            async with self._db.session() as session:
                yield session
            return
        async with self._write_lock, self._db.session() as session:
            yield session

    @asynccontextmanager
    async def _placing(self) -> AsyncIterator[AsyncSession]:
        """A write transaction that stores articles and places them in stories: one at a time
        in this process and, on PostgreSQL, across every collector.

        Several collectors clustering at once would each miss the others' uncommitted stories
        (an event split in two) and lock story rows in different orders (deadlocks when one
        merges stories). Under the lock, the clusterer first catches up with what the others
        committed, so every article is placed against every story stored before it. Claims,
        failures and other writes do not wait for it.
        """
        async with self._place_lock, self._writing() as session:
            if self._db.dialect == "postgresql":
                await session.execute(XACT_LOCK, {"key": STORY_LOCK})
                await self._catch_up(session)
            yield session

    # --- one feed ----------------------------------------------------------------------------

    async def _check(self, feed: ClaimedFeed) -> FeedResult:
        """Check a claimed feed; every failure is recorded and reported, never raised."""
        started = perf_counter()
        # Every check ends by its deadline, so no feed outlives its claim or holds the pass.
        deadline = asyncio.get_running_loop().time() + self._deadline
        retry_after = None
        try:
            result = await self._check_feed(feed, deadline)
        except (FetchError, FeedParseError, ProcessingError) as exc:
            retry_after = exc.retry_after if isinstance(exc, FetchError) else None
            reason = str(exc)
        except Exception as exc:  # a bug (or a database error) must cost one feed, not the pass
            log.exception("checking %s failed unexpectedly", feed.url)
            reason = f"internal error: {exc!r}"[:1000]
        else:
            result.seconds = perf_counter() - started
            _count(result)
            return result
        try:
            result = await self._record_failure(feed, reason, retry_after)
        except Exception:
            log.exception("could not record the failure of %s", feed.url)
            result = FeedResult(feed.url, feed.title, "error", error=f"{reason} (not recorded)")
        result.seconds = perf_counter() - started
        _count(result)
        return result

    async def _record_failure(
        self, feed: ClaimedFeed, reason: str, retry_after: float | None
    ) -> FeedResult:
        now = utcnow()
        count = feed.error_count + 1
        interval = self._settings.feed_check_interval_seconds
        pause = count >= self._settings.feed_failures_before_pause and not feed.paused
        async with self._writing() as session:
            await record_feed_failure(
                session,
                feed.id,
                now=now,
                reason=clean(reason, 4000) or "unknown error",
                error_count=count,
                next_check_at=next_check_after_failure(
                    now, interval, count, retry_after=retry_after
                ),
                pause=pause,
            )
        log.info("feed %s failed (%d in a row): %s", feed.url, count, reason)
        status: FeedStatus = "paused" if pause or feed.paused else "error"
        return FeedResult(url=feed.url, title=feed.title, status=status, error=reason)

    async def _check_feed(self, feed: ClaimedFeed, deadline: float) -> FeedResult:
        assert self._fetcher is not None, "use `async with Collector(...)`"
        try:
            async with asyncio.timeout_at(deadline):
                fetched = await self._fetcher.get(
                    feed.url, etag=feed.etag, last_modified=feed.last_modified
                )
        except TimeoutError:
            message = f"the feed took longer than the {self._deadline:g}s check deadline"
            raise FetchError(message) from None
        now = utcnow()
        interval = self._settings.feed_check_interval_seconds
        if fetched.not_modified:
            async with self._writing() as session:
                await record_feed_success(
                    session,
                    feed.id,
                    now=now,
                    next_check_at=next_check_after_success(
                        now,
                        interval,
                        max_age=cache_max_age(fetched.headers),
                        ttl=feed.ttl_seconds,  # an unchanged feed keeps the TTL it last stated
                    ),
                    etag=fetched.headers.get("etag") or feed.etag,
                    last_modified=fetched.headers.get("last-modified") or feed.last_modified,
                    ttl_seconds=feed.ttl_seconds,
                )
            return FeedResult(url=feed.url, title=feed.title, status="not_modified")

        page_url = None
        try:
            async with asyncio.timeout_at(deadline):
                parsed: ParsedFeed = await self._cpu(
                    parse_feed, fetched.body, fetched.headers, fetched.url
                )
        except TimeoutError:
            raise ProcessingError(
                f"parsing the feed took longer than the {self._deadline:g}s check deadline"
            ) from None
        except FeedParseError:
            # A feed that has never worked may be a site's page (an admin pasted the home
            # page, an OPML file listed it): find the feed the page names and use that.
            if feed.last_success_at is not None or not looks_like_html(
                fetched.body, fetched.content_type
            ):
                raise
            page_url = feed.url
            try:
                async with asyncio.timeout_at(deadline):
                    feed, fetched, parsed = await self._discover(feed, fetched)
            except TimeoutError:
                raise FetchError(
                    f"looking for the feed of the page {page_url} took longer than the "
                    f"{self._deadline:g}s check deadline"
                ) from None
        if parsed.warning:
            log.warning("feed %s: %s", feed.url, parsed.warning)
        urls = {item.guid: item_url(item, feed.url) for item in parsed.items}
        async with self._db.session() as session:
            known = await known_guids(session, feed.id, list(urls))
            fresh = [item for item in parsed.items if item.guid not in known]
            stored = await article_ids_by_url(session, [urls[i.guid] for i in fresh])
        to_link = [(item, stored[urls[item.guid]]) for item in fresh if urls[item.guid] in stored]
        candidates = [item for item in fresh if urls[item.guid] not in stored]
        finished = await self._process_until(
            [(item, urls[item.guid]) for item in candidates], deadline
        )
        left = len(candidates) - len(finished)

        # The feed's stored title (the admin's, or the feed's own from its first check) names
        # the source, so one feed always counts as one source in its stories.
        title = feed.title or clean(parsed.title, 500)
        source = title or site_host(feed.url)
        added: list[IndexedArticle] = []
        new = 0
        if left:
            # Unfinished items have no feed entry, so the next check takes them again; it comes
            # at the next pass and fetches the whole feed (no validators, so no 304 hides them).
            next_check_at, etag, last_modified = now, None, None
        else:
            next_check_at = next_check_after_success(
                now, interval, max_age=cache_max_age(fetched.headers), ttl=parsed.ttl_seconds
            )
            etag, last_modified = fetched.headers.get("etag"), fetched.headers.get("last-modified")
        async with self._placing() as session:
            await record_feed_success(
                session,
                feed.id,
                now=now,
                next_check_at=next_check_at,
                etag=etag,
                last_modified=last_modified,
                title=title,
                site_url=clean(parsed.site_url, 2048),
                ttl_seconds=parsed.ttl_seconds,
            )
            for item, article_id in to_link:
                await link_known_article(session, feed, item.guid, article_id, now)
            for item, article in finished:
                # Clustering happens in store_article (place_in_story): timed per article.
                with metrics.timed(metrics.CLUSTERING_SECONDS):
                    new += await store_article(
                        session,
                        feed,
                        item,
                        article,
                        source=source,
                        now=now,
                        index=self._index,
                        added=added,
                        clusterer=self._clusterer,
                    )
        for entry in added:  # only after the commit, so the index never names a rolled-back row
            self._index.add(entry)
        await self._pool_grown_stories(now)
        warnings = [parsed.warning] if parsed.warning else []
        if left:
            log.info("feed %s: %d items left for the next pass at the deadline", feed.url, left)
            warnings.insert(
                0,
                f"{left} new item{'s' if left != 1 else ''} left for the next pass "
                f"(the {self._deadline:g}s check deadline was reached)",
            )
        return FeedResult(
            url=feed.url,
            title=title,
            status="ok",
            new=new,
            unchanged=len(parsed.items) - new - left,
            warning="; ".join(warnings) or None,
            left=left,
            discovered_from=page_url,
        )

    async def _discover(
        self, feed: ClaimedFeed, page: FetchResult
    ) -> tuple[ClaimedFeed, FetchResult, ParsedFeed]:
        """The feed a web page names, else one at a common path of its site, fetched and parsed
        through the same fetcher (guard, caps); the feed row now points at it."""
        assert self._fetcher is not None
        candidates = await self._cpu(feed_candidates, page.body, page.url)
        for url in candidates:
            try:
                fetched = await self._fetcher.get(url)
                parsed = await self._cpu(parse_feed, fetched.body, fetched.headers, fetched.url)
            except (FetchError, FeedParseError) as exc:
                log.info("feed %s: candidate %s is no feed: %s", feed.url, url, exc)
                continue
            async with self._writing() as session:
                other = await move_feed(session, feed.id, url)
            if other is not None:
                raise FeedParseError(
                    f"{feed.url} is a web page; the feed it names, {url}, is already added "
                    f"(#{other})"
                )
            log.info("feed %s is a web page; using the feed %s", feed.url, url)
            return replace(feed, url=url), fetched, parsed
        raise FeedParseError(
            f"{feed.url} is a web page, not a feed, and no feed was found for it: the page "
            f"links to none that works and none answers at {', '.join(COMMON_PATHS)}"
        )

    async def _process_until(
        self, items: list[tuple[FeedItem, str]], deadline: float
    ) -> list[tuple[FeedItem, ProcessedArticle]]:
        """Process items (page fetch + CPU work) until the deadline; the finished ones, in order.

        Items still running at the deadline are cancelled and left out; a failure of one item
        stops the others and fails the feed.
        """
        if not items:
            return []
        tasks = [asyncio.create_task(self._process_once(item, url)) for item, url in items]
        timeout = max(0.0, deadline - asyncio.get_running_loop().time())
        try:
            await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            unfinished = [task for task in tasks if not task.done()]
            for task in unfinished:
                task.cancel()
            if unfinished:
                await asyncio.wait(unfinished)  # each cancelled wait releases what it holds
        # In feed order; an item's error (raised by result()) fails the feed, as it always has.
        return [
            (item, task.result())
            for (item, _), task in zip(items, tasks, strict=True)
            if not task.cancelled()
        ]

    async def _pool_grown_stories(self, since: datetime) -> None:
        """Re-summarise, across their sources, the stories that gained a source since `since`."""
        try:
            async with self._db.session() as session:
                grown = await grown_stories(session, since)
            if not grown:
                return
            with metrics.timed(metrics.SUMMARY_SECONDS, kind="story"):
                await resummarize_stories(
                    self._db.session,
                    self._writing,
                    grown,
                    self._settings.summary_sentences,
                    self._cpu,
                )
        except Exception:  # the stories keep their previous summary; the articles are stored
            log.exception("pooling the summaries of grown stories failed")

    async def _process_once(self, item: FeedItem, url: str) -> ProcessedArticle:
        """Process a URL once even when several feeds carry it in the same pass."""
        job = self._in_flight.get(url)
        # A job another feed has given up on is being cancelled: it cannot be shared any more.
        if job is None or job.task.cancelled() or job.task.cancelling():
            job = _SharedJob(asyncio.create_task(self._process(item, url)))
            self._in_flight[url] = job
            job.task.add_done_callback(lambda _done, job=job: self._forget(url, job))
        job.waiters += 1
        try:
            return await asyncio.shield(job.task)
        finally:
            job.waiters -= 1
            # A feed that stops waiting (its deadline) stops the page too, unless another
            # feed still waits for it: a dripping page must not keep its slot after the check.
            if job.waiters == 0 and not job.task.done():
                job.task.cancel()

    def _forget(self, url: str, job: _SharedJob) -> None:
        if self._in_flight.get(url) is job:
            del self._in_flight[url]

    async def _process(self, item: FeedItem, url: str) -> ProcessedArticle:
        """Fetch the item's page (if it has one) and run the CPU work in a worker process."""
        assert self._fetcher is not None
        page: FetchResult | None = None
        page_error = None
        if item.link and item.link.lower().startswith(("http://", "https://")):
            try:
                page = await self._fetcher.get(item.link, accept=PAGE_ACCEPT)
            except FetchError as exc:
                page_error = str(exc)
                log.info("page %s: %s; using the feed's text", item.link, exc)
        job = ArticleJob(
            item=item,
            url=url,
            page_url=page.url if page else None,
            page_body=page.body if page else None,
            page_content_type=page.headers.get("content-type", "") if page else "",
            page_error=page_error,
            summary_algorithm=self._settings.summary_algorithm,
            summary_sentences=self._settings.summary_sentences,
            topic_rules=self._rules,
        )
        # Extraction and the article's summary, in the process pool.
        with metrics.timed(metrics.SUMMARY_SECONDS, kind="article"):
            return await self._cpu(process_article, job)

    async def _cpu(self, function: Callable[..., T], *args: object) -> T:
        assert self._pool is not None, "use `async with Collector(...)`"
        return await self._pool.run(function, *args)


def _count(result: FeedResult) -> None:
    """A feed check's outcome and its new articles, in the metrics."""
    metrics.feed_checked(result.status)
    metrics.articles_stored(result.new)
