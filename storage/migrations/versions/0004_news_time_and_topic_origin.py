"""when a story is news, and why an article is in a topic

- articles.news_at: the article's publication time (the feed's, else the page's), never later
  than when it was fetched, else the fetch time. Briefings rank and age stories by it, and leave
  out what was already old news when it was first seen.
- article_topics.via: "feed" when the article is in the topic because a feed of that topic
  carried it, "keywords" when the topic's keywords matched its title or lead. A feed's own
  topic comes first when a briefing places a story.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add and fill articles.news_at and article_topics.via."""
    op.add_column("articles", sa.Column("news_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE articles SET news_at = CASE WHEN published_at IS NULL "
        "OR published_at > fetched_at THEN fetched_at ELSE published_at END"
    )
    op.create_index("ix_articles_news_at", "articles", ["news_at"])
    op.add_column(
        "article_topics",
        sa.Column("via", sa.String(length=16), nullable=False, server_default="feed"),
    )
    op.execute(
        "UPDATE article_topics SET via = 'keywords' WHERE NOT EXISTS (SELECT 1 FROM feed_entries "
        "JOIN feeds ON feeds.id = feed_entries.feed_id "
        "WHERE feed_entries.article_id = article_topics.article_id "
        "AND feeds.topic_id = article_topics.topic_id)"
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_column("article_topics", "via")
    op.drop_index("ix_articles_news_at", table_name="articles")
    op.drop_column("articles", "news_at")
