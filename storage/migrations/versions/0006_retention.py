"""retention: feed entries outlive their articles; indexes for deleting old rows

- feed_entries.article_id becomes nullable with ON DELETE SET NULL (it was NOT NULL, ON DELETE
  CASCADE): when housekeeping deletes an old article, the feed's GUID stays, so the same old
  item is never collected as new again; entries are deleted later, by their own retention.
- ix_articles_near_duplicate_of, ix_sent_stories_story_id, ix_sent_stories_delivery_id:
  deleting an article sets near_duplicate_of to NULL in its copies, deleting a story deletes its
  sent_stories rows, deleting an old delivery sets their delivery_id to NULL; without these
  indexes each deleted row scanned the whole child table (SQLite and PostgreSQL run the foreign
  key action row by row).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = "fk_feed_entries_article_id_articles"


def upgrade() -> None:
    """Apply this revision."""
    # SQLite rebuilds the table (batch mode); PostgreSQL alters it in place.
    with op.batch_alter_table("feed_entries") as batch:
        batch.drop_constraint(FK, type_="foreignkey")
        batch.alter_column("article_id", existing_type=sa.Integer(), nullable=True)
        batch.create_foreign_key(FK, "articles", ["article_id"], ["id"], ondelete="SET NULL")
    op.create_index("ix_articles_near_duplicate_of", "articles", ["near_duplicate_of"])
    op.create_index("ix_sent_stories_story_id", "sent_stories", ["story_id"])
    op.create_index("ix_sent_stories_delivery_id", "sent_stories", ["delivery_id"])


def downgrade() -> None:
    """Revert this revision (entries whose article is gone are deleted: they cannot be kept)."""
    op.drop_index("ix_sent_stories_delivery_id", table_name="sent_stories")
    op.drop_index("ix_sent_stories_story_id", table_name="sent_stories")
    op.drop_index("ix_articles_near_duplicate_of", table_name="articles")
    op.execute("DELETE FROM feed_entries WHERE article_id IS NULL")
    with op.batch_alter_table("feed_entries") as batch:
        batch.drop_constraint(FK, type_="foreignkey")
        batch.alter_column("article_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(FK, "articles", ["article_id"], ["id"], ondelete="CASCADE")
