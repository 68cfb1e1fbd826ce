"""languages: the interface language of a chat, the language of an article

- subscribers.language: the catalogue a chat reads the bot in (/language); NULL until chosen,
  when Telegram's language_code decides.
- articles.language: the ISO 639-1 code detected from the article's text, with an index
  (search, clustering and summaries follow it); NULL for articles stored before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("language", sa.String(length=16), nullable=True))
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch.create_index("ix_articles_language", ["language"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("articles") as batch:
        batch.drop_index("ix_articles_language")
        batch.drop_column("language")
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("language")
