"""SQLAlchemy models: the one description of the schema (migrations mirror it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime

# Stable constraint names so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the shared naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Topic(Base):
    """A subject subscribers follow; feeds belong to one, keywords pull in articles from others."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # lower-case slug, e.g. "tech"
    title: Mapped[str] = mapped_column(String(200))  # as the admin typed it, e.g. "Tech"
    keywords: Mapped[str] = mapped_column(Text, default="")  # space-separated; "-word" excludes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    feeds: Mapped[list[Feed]] = relationship(back_populates="topic", passive_deletes=True)


class Feed(Base):
    """A polled RSS/Atom/JSON feed; the row is also its own schedule (next_check_at)."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    title: Mapped[str | None] = mapped_column(String(500))
    site_url: Mapped[str | None] = mapped_column(String(2048))
    weight: Mapped[float] = mapped_column(Float, default=1.0)  # admin-set source importance

    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(200))
    next_check_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # lease of a worker
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_count: Mapped[int] = mapped_column(Integer, default=0)  # consecutive failures
    last_error: Mapped[str | None] = mapped_column(Text)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    ttl_seconds: Mapped[int | None] = mapped_column(Integer)  # the feed's <ttl>, kept for 304s
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    topic: Mapped[Topic] = relationship(back_populates="feeds")


class FeedFailure(Base):
    """One failed check of a feed, kept for the admins' health view."""

    __tablename__ = "feed_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)


class Story(Base):
    """One event, reported by one or more articles; the unit of a briefing item."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(1000))
    summary: Mapped[str] = mapped_column(Text, default="")  # sentences, one per line
    source_count: Mapped[int] = mapped_column(Integer, default=1)  # distinct feeds/sites
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    articles: Mapped[list[Article]] = relationship(back_populates="story", passive_deletes=True)


def _news_time(context: Any) -> datetime:
    """The default of articles.news_at, from the row being inserted (see Article.news_at)."""
    values = context.get_current_parameters()
    published, fetched = values.get("published_at"), values["fetched_at"]
    return fetched if published is None or published > fetched else published


class Article(Base):
    """A stored article, unique by canonical URL and by content fingerprint."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int | None] = mapped_column(
        ForeignKey("feeds.id", ondelete="SET NULL"), index=True
    )
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(String(2048), unique=True)  # canonical
    guid: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(String(1000))
    author: Mapped[str | None] = mapped_column(String(500))
    source_name: Mapped[str | None] = mapped_column(String(500))  # e.g. the site's name
    image_url: Mapped[str | None] = mapped_column(String(2048))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # When it was news: published_at, never later than fetched_at (a feed's clock may run
    # ahead), else fetched_at. Briefings rank and age stories by it.
    news_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=_news_time, index=True)
    text: Mapped[str] = mapped_column(Text, default="")  # clean main text, paragraphs by \n\n
    text_source: Mapped[str] = mapped_column(String(16), default="feed")  # "page" | "feed"
    summary: Mapped[str] = mapped_column(Text, default="")  # sentences, one per line
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)  # hash of normalised text
    simhash: Mapped[int | None] = mapped_column(BigInteger)  # near-duplicate detection
    # ISO 639-1 code detected from the text (the feed's declared language only as a hint);
    # NULL for articles stored before detection, and when nothing could be told.
    language: Mapped[str | None] = mapped_column(String(8), index=True)
    # Indexed: deleting an article (retention) sets this to NULL in the copies that name it.
    near_duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )

    story: Mapped[Story | None] = relationship(back_populates="articles")


class FeedEntry(Base):
    """Which feed carried which article under which GUID (an article may come from many feeds).

    An entry outlives its article: when retention deletes the article, `article_id` becomes
    NULL and the GUID stays, so the feed's old item is never collected as new again."""

    __tablename__ = "feed_entries"
    __table_args__ = (UniqueConstraint("feed_id", "guid", name="uq_feed_entries_feed_guid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(String(2048))
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ArticleTopic(Base):
    """An article belongs to its feeds' topics and to every topic whose keywords match it."""

    __tablename__ = "article_topics"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # "feed": a feed of this topic carried it; "keywords": the topic's keywords matched.
    via: Mapped[str] = mapped_column(String(16), default="feed", server_default="feed")


class Subscriber(Base):
    """A Telegram chat (or one topic of a forum group) that receives briefings."""

    __tablename__ = "subscribers"
    __table_args__ = (UniqueConstraint("chat_id", "thread_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # A forum topic's message_thread_id; 0 for the chat itself (private chats, plain groups,
    # channels, a forum's General topic).
    thread_id: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    chat_type: Mapped[str] = mapped_column(String(32), default="private")
    name: Mapped[str | None] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    # "active" | "paused" | "blocked"
    # The interface language (a catalogue's code: "de", "pt", "fa"); NULL: the user's
    # Telegram language_code when it has a catalogue, else English.
    language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_briefing_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The chat's own choices in /settings; None: the bot's default (NEWSBRIEF_BRIEFING_MAX_ITEMS,
    # NEWSBRIEF_SUMMARY_SENTENCES).
    items_per_briefing: Mapped[int | None] = mapped_column(Integer)
    sentences_per_item: Mapped[int | None] = mapped_column(Integer)
    silent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    link_preview: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    lead_image: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    breaking: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A channel is managed from the private chat of the admin who added it.
    managed_by: Mapped[int | None] = mapped_column(BigInteger, index=True)


class PersonalFilter(Base):
    """A chat's own words: "follow" adds the stories they match, "mute" drops them."""

    __tablename__ = "personal_filters"
    __table_args__ = (UniqueConstraint("subscriber_id", "kind", "keywords"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))  # "follow" | "mute"
    keywords: Mapped[str] = mapped_column(String(500))  # as typed, e.g. "ukraine grain -sport"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Subscription(Base):
    """A subscriber follows a topic."""

    __tablename__ = "subscriptions"

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class DeliveryTime(Base):
    """One local wall-clock time (minutes after midnight) at which a subscriber wants a briefing."""

    __tablename__ = "delivery_times"
    # The delivery tick looks up who wants a briefing at a given local minute.
    __table_args__ = (Index("ix_delivery_times_minute_of_day", "minute_of_day"),)

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    minute_of_day: Mapped[int] = mapped_column(Integer, primary_key=True)  # 07:30 -> 450


class Delivery(Base):
    """One briefing (or broadcast) for one subscriber and one slot: the delivery work queue."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "kind", "slot_at", name="uq_deliveries_slot"),
        Index("ix_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="scheduled")
    # "scheduled" | "manual" | "broadcast"
    slot_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the due instant, UTC
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # "pending" | "sending" | "sent" | "empty" | "skipped" | "failed" | "blocked"
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The worker holding the claim: every write checks it, so a lost claim is never acted on.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[str | None] = mapped_column(Text)  # rendered messages (JSON), fixed once built
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)
    message_ids: Mapped[str | None] = mapped_column(Text)  # JSON list of Telegram message ids
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SchedulerMark(Base):
    """How far a periodic job has got, e.g. the last instant the delivery tick covered."""

    __tablename__ = "scheduler_marks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    done_until: Mapped[datetime] = mapped_column(UTCDateTime)


class SentStory(Base):
    """A story a subscriber has been shown, and with how many sources (for 'updated' items)."""

    __tablename__ = "sent_stories"

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    # Indexed on its own: deleting a story (retention) finds its rows by story alone.
    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    source_count: Mapped[int] = mapped_column(Integer)
    # Indexed: deleting an old delivery (housekeeping) sets this to NULL in its rows.
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL"), index=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SendSlot(Base):
    """The next instant a limit lets a message go: "global", or "chat:<id>" (the send budget
    every process shares, see storage.send_budget)."""

    __tablename__ = "send_slots"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    free_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
