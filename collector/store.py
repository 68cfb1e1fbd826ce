"""Writing a feed's articles: new ones with their topics and story, known ones as links."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from collector.clustering import StoryClusterer
from collector.dedup import (
    MIN_RESEMBLANCE,
    NEAR_DUPLICATE_BITS,
    IndexedArticle,
    NearDuplicateIndex,
    hamming,
    resemblance,
)
from collector.feedparse import FeedItem
from collector.processing import ProcessedArticle
from collector.stories import place_in_story
from collector.urls import canonical_url
from storage.articles import (
    add_article_topics,
    article_text,
    find_same_article,
    get_article,
    insert_article,
    link_feed_entry,
)
from storage.feed_schedule import ClaimedFeed
from storage.sources import site_host
from storage.stories import refresh_story

MAX_URL = 2048


def clean(value: str | None, limit: int) -> str | None:
    """Text fit for a column: no NUL (PostgreSQL refuses it; hostile feeds send it), cut."""
    return value.replace("\x00", "")[:limit] if value else None


def item_url(item: FeedItem, feed_url: str) -> str:
    """The canonical URL of an item: its link, else a URL-like GUID, else one made from the feed."""
    for candidate in (item.link, item.guid):
        if candidate and candidate.lower().startswith(("http://", "https://")):
            url = canonical_url(candidate)
            if len(url) <= MAX_URL:
                return url
    digest = hashlib.sha256(item.guid.encode("utf-8", "replace")).hexdigest()[:24]
    return f"{canonical_url(feed_url)}#entry-{digest}"


async def link_known_article(
    session: AsyncSession, feed: ClaimedFeed, guid: str, article_id: int, now: datetime
) -> None:
    """A stored article seen in another feed or under a new GUID: link it, store nothing new."""
    await link_feed_entry(session, feed.id, guid, article_id, now)
    await add_article_topics(session, article_id, {feed.topic_id})
    article = await get_article(session, article_id)
    if article is not None and article.story_id is not None:
        await refresh_story(session, article.story_id, now)


async def store_article(
    session: AsyncSession,
    feed: ClaimedFeed,
    item: FeedItem,
    article: ProcessedArticle,
    *,
    source: str,
    now: datetime,
    index: NearDuplicateIndex,
    added: list[IndexedArticle],
    clusterer: StoryClusterer | None = None,
) -> bool:
    """Insert a processed article with its entry, topics and story; False if already stored.

    `added` collects what this transaction stored, for the caller to put in `index` after the
    commit (the index must never name a rolled-back row).
    """
    title = clean(article.title, 1000) or article.url[:1000]
    summary = clean(article.summary, 20_000) or ""
    article_id = await insert_article(
        session,
        feed_id=feed.id,
        url=article.url,
        guid=item.guid,
        title=title,
        author=clean(article.author, 500),
        source_name=clean(source or article.site_name or site_host(article.url), 500),
        image_url=_fit_url(article.image_url),
        published_at=article.published_at,
        fetched_at=now,
        text=clean(article.text, 1_000_000) or "",
        text_source=article.text_source,
        summary=summary,
        fingerprint=article.fingerprint,
        simhash=article.simhash,
        language=article.language,
    )
    if article_id is None:  # same URL or same text already stored (another feed, new GUID)
        same = await find_same_article(session, article.url, article.fingerprint)
        if same is not None:
            await link_known_article(session, feed, item.guid, same.id, now)
        return False
    await link_feed_entry(session, feed.id, item.guid, article_id, now)
    await add_article_topics(session, article_id, {feed.topic_id})
    await add_article_topics(
        session, article_id, article.topic_ids - {feed.topic_id}, via="keywords"
    )
    near = None
    if article.simhash is not None:
        near = index.nearest(article.simhash) or _nearest_in(added, article.simhash)
    if near is not None:
        original = await article_text(session, near.article_id)
        if original is None or resemblance(original, article.text) < MIN_RESEMBLANCE:
            near = None  # close hashes, different texts: a coincidence, not a copy
    story_id = await place_in_story(
        session,
        article_id=article_id,
        title=title,
        summary=summary,
        near=near,
        now=now,
        text=article.text,
        clusterer=clusterer,
        language=article.language,
    )
    if article.simhash is not None:
        added.append(IndexedArticle(article_id, article.simhash, story_id, now))
    return True


def _nearest_in(entries: list[IndexedArticle], value: int) -> IndexedArticle | None:
    """The closest near-duplicate among articles stored earlier in the same transaction."""
    close = [(hamming(e.simhash, value), e.article_id, e) for e in entries]
    close = [c for c in close if c[0] <= NEAR_DUPLICATE_BITS]
    return min(close, key=lambda c: c[:2])[2] if close else None


def _fit_url(url: str | None) -> str | None:
    if not url or len(url) > MAX_URL or not url.lower().startswith(("http://", "https://")):
        return None
    return url.replace("\x00", "")
