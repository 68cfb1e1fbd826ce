"""Small helpers for collector tests: feeds in the database, feed documents, row queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from storage.db import Database
from storage.feeds import add_feed
from storage.models import Article, Feed, Story
from storage.topics import add_topic, get_topic


async def add_feeds(db: Database, topic: str, urls: Sequence[str], keywords: str = "") -> None:
    """Create the topic if needed and add these feeds to it."""
    async with db.session() as session:
        if await get_topic(session, topic) is None:
            await add_topic(session, topic, keywords.split())
        for url in urls:
            await add_feed(session, topic, url)


def rss(title: str, items: Sequence[tuple[str, str, str]]) -> str:
    """An RSS 2.0 document; items are (guid, link, description)."""
    body = "".join(
        f"<item><title>{guid} title</title><link>{link}</link>"
        f"<guid isPermaLink='false'>{guid}</guid><description>{text}</description></item>"
        for guid, link, text in items
    )
    channel = f"<channel><title>{title}</title>{body}</channel>"
    return f"<?xml version='1.0'?><rss version='2.0'>{channel}</rss>"


def page(title: str, paragraphs: Sequence[str], site: str = "Port Alder News") -> str:
    """An article page with navigation and footer around the paragraphs."""
    text = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"<meta property='og:site_name' content='{site}'></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<main><article><h1>{title}</h1>{text}</article></main>"
        "<footer><p>Copyright 2026. All rights reserved.</p></footer></body></html>"
    )


async def articles(db: Database) -> list[Article]:
    """Every stored article, by id."""
    async with db.session() as session:
        return list(await session.scalars(select(Article).order_by(Article.id)))


async def feed_row(db: Database, url: str) -> Feed:
    """The feed with this URL."""
    async with db.session() as session:
        feed = await session.scalar(select(Feed).where(Feed.url == url))
        assert feed is not None
        return feed


async def count(db: Database, model: Any) -> int:
    """Rows in a table."""
    async with db.session() as session:
        return len((await session.execute(select(model))).all())


async def story(db: Database, story_id: int | None) -> Story:
    """A story by id."""
    async with db.session() as session:
        found = await session.get(Story, story_id)
        assert found is not None
        return found
