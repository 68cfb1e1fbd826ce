"""Fixtures for the bot: the fake Bot API server, a controllable clock, a running bot, stories."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import NewsbriefApplication, build_application
from bot.context import BotServices, services
from bot.settings import Settings, load_settings
from sandbox.fake_bot_api import FakeBotAPI, SentMessage
from storage.db import Database
from storage.models import Article, ArticleTopic, Delivery, Story, Subscriber
from storage.subscribers import register_subscriber, subscribe
from storage.topics import add_topic, get_topic

ADMIN_ID = 42
START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # a Monday
_urls = itertools.count(1)


class FakeClock:
    """A clock the test moves by hand; the bot reads it through `clock=`."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        """Jump to `now`."""
        self.now = now

    def advance(self, **delta: float) -> datetime:
        """Move forward, e.g. advance(minutes=5)."""
        self.now += timedelta(**delta)
        return self.now


def make_settings(api: FakeBotAPI, database_url: str, **overrides: Any) -> Settings:
    """Settings pointing at the fake server; the rate limiter is off unless asked for."""
    values: dict[str, Any] = {
        "bot_token": api.token,
        "telegram_api_url": api.base_url,
        "database_url": database_url,
        "admin_ids": str(ADMIN_ID),
        "rate_limit_per_second": 0,
        "delivery_poll_seconds": 0.5,
        "polling_timeout_seconds": 5,
    }
    values.update(overrides)
    return load_settings(**values)


class RunningBot:
    """The real Application, long polling the fake server; helpers to talk to it."""

    def __init__(
        self,
        api: FakeBotAPI,
        settings: Settings,
        db: Database,
        clock: FakeClock,
        collector: Any = None,
        cpu: Any = None,
    ) -> None:
        self.api = api
        self.settings = settings
        self.db = db
        self.clock = clock
        self.collector = collector
        self.cpu = cpu
        self.app: NewsbriefApplication | None = None

    async def __aenter__(self) -> RunningBot:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Build, initialise and start the bot with long polling."""
        self.app = build_application(
            self.settings,
            self.db,
            clock=self.clock,
            collector=self.collector,
            cpu=self.cpu,
            schedule_jobs=False,
        )
        await self.app.initialize()
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(timeout=self.settings.polling_timeout_seconds)

    async def stop(self) -> None:
        """Stop polling, the worker and the application."""
        if self.app is None:
            return
        app, self.app = self.app, None
        assert app.updater is not None
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    @property
    def services(self) -> BotServices:
        """The bot's dependencies (scheduler, worker, db...)."""
        assert self.app is not None
        return services(self.app)

    async def send(
        self,
        chat: int,
        text: str,
        *,
        user_id: int | None = None,
        replies: int = 1,
        **message: Any,
    ) -> list[SentMessage]:
        """A user types `text` (`message`: more of FakeBotAPI.inject_message's fields, such as
        reply_to_message_id or quote); returns the bot's next `replies` messages to that chat."""
        before = len(self.api.messages(chat))
        self.api.inject_message(chat, text, user_id=user_id, **message)
        received = await self.api.wait_for_messages(chat, before + replies, within=15)
        return received[before:]

    async def reply_text(
        self, chat: int, text: str, *, user_id: int | None = None, **message: Any
    ) -> str:
        """The plain text of the bot's single answer to `text`."""
        (answer,) = await self.send(chat, text, user_id=user_id, **message)
        return answer.plain_text

    async def tick_and_deliver(self) -> None:
        """One delivery tick at the clock's time, then send everything due."""
        await self.services.scheduler.tick()
        await self.services.worker.run_until_idle()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """A fake Telegram Bot API server on 127.0.0.1."""
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    """A hand-moved clock starting Monday 2 March 2026, 06:00 UTC."""
    return FakeClock()


@pytest.fixture
async def sqlite_db(sqlite_url: str) -> AsyncIterator[Database]:
    """A migrated SQLite database (for tests that need only one backend)."""
    database = Database(sqlite_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
async def bot(api: FakeBotAPI, sqlite_db: Database, clock: FakeClock) -> AsyncIterator[RunningBot]:
    """The bot on SQLite, running against the fake server."""
    async with RunningBot(api, make_settings(api, sqlite_db.url), sqlite_db, clock) as running:
        yield running


async def add_topics(db: Database, *names: str) -> None:
    """Create topics by name."""
    async with db.session() as session:
        for name in names:
            await add_topic(session, name)


async def add_story(
    db: Database,
    topics: str | Sequence[str],
    title: str,
    sentences: Sequence[str],
    sources: Sequence[tuple[str, str]] = (),
    *,
    fetched_at: datetime,
    published_at: datetime | None = None,
) -> int:
    """A story with one article per (source name, URL), in the given topics, published at
    `published_at` (default: when fetched); returns its id."""
    topic_names = [topics] if isinstance(topics, str) else list(topics)
    sources = sources or [("Example News", f"https://news.example/{next(_urls)}")]
    async with db.session() as session:
        story = Story(
            title=title,
            summary="\n".join(sentences),
            source_count=len(sources),
            first_seen_at=fetched_at,
            updated_at=fetched_at,
        )
        session.add(story)
        await session.flush()
        for name, url in sources:
            await _add_article(
                session, story.id, topic_names, title, name, url, fetched_at, published_at
            )
        return story.id


async def add_source(
    db: Database,
    story_id: int,
    topic: str,
    name: str,
    url: str,
    *,
    fetched_at: datetime,
    copy_of: int | None = None,
) -> int:
    """Another outlet reports the story: one more article and source (`copy_of`: an edited
    copy of that article, not an independent report); returns the article's id."""
    async with db.session() as session:
        story = await session.get(Story, story_id)
        assert story is not None
        article_id = await _add_article(
            session, story_id, [topic], story.title, name, url, fetched_at, None, copy_of
        )
        story.source_count += 1
        story.updated_at = fetched_at
    return article_id


async def _add_article(
    session: Any,
    story_id: int,
    topic_names: Sequence[str],
    title: str,
    source: str,
    url: str,
    fetched_at: datetime,
    published_at: datetime | None = None,
    near_duplicate_of: int | None = None,
) -> int:
    article = Article(
        story_id=story_id,
        url=url,
        title=title,
        source_name=source,
        published_at=published_at or fetched_at,
        fetched_at=fetched_at,
        near_duplicate_of=near_duplicate_of,
        text=title,
        fingerprint=hashlib.sha256(url.encode()).hexdigest(),
    )
    session.add(article)
    await session.flush()
    for name in topic_names:
        topic = await get_topic(session, name)
        assert topic is not None, name
        session.add(ArticleTopic(article_id=article.id, topic_id=topic.id))
    await session.flush()
    return article.id


async def add_subscribers(
    db: Database,
    chat_ids: Sequence[int],
    *,
    topic: str,
    timezone: str = "UTC",
    times: Sequence[int] = (8 * 60,),
    created_at: datetime = START - timedelta(days=7),
) -> None:
    """Registered chats following `topic`, wanting briefings at `times` (minutes) local time."""
    async with db.session() as session:
        found = await get_topic(session, topic)
        assert found is not None, topic
        for chat_id in chat_ids:
            subscriber, _ = await register_subscriber(
                session,
                chat_id,
                chat_type="private" if chat_id > 0 else "group",
                name=None,
                timezone=timezone,
                minutes=list(times),
                now=created_at,
            )
            await subscribe(session, subscriber.id, found.id)


async def deliveries_of(db: Database, chat_id: int) -> list[Delivery]:
    """Every delivery row of one chat, oldest slot first."""
    async with db.session() as session:
        rows = await session.scalars(
            select(Delivery)
            .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
            .where(Subscriber.chat_id == chat_id)
            .order_by(Delivery.slot_at, Delivery.id)
        )
        return list(rows)


def items(messages: list[SentMessage]) -> list[str]:
    """The titles of the numbered items in these messages, in order."""
    text = "\n".join(m.plain_text for m in messages)
    return re.findall(r"^(?:🔄 Update: )?\d+\. (.+)$", text, flags=re.MULTILINE)


async def briefing(bot: RunningBot, chat: int) -> list[SentMessage]:
    """/briefing (a minute after the last one), and every message of the answer."""
    bot.clock.advance(minutes=1)
    before = len(bot.api.messages(chat))
    bot.api.inject_message(chat, "/briefing")
    await bot.api.wait_for_messages(chat, before + 1, within=15)
    await bot.services.worker.run_until_idle()
    return bot.api.messages(chat)[before:]
