"""full-text search in each article's language (PostgreSQL)

The generated tsvector columns of migration 0002 used the `english` configuration for every
article. They are rebuilt with the configuration of the article's own language
(`articles.language`, migration 0008): one of PostgreSQL's built-in configurations when the
server has it, `simple` (no stemming, no stop words) for every other language, and `english`
for articles whose language is not known (stored before detection). SQLite's FTS5 index is
unchanged: its unicode61 tokenizer already folds case and diacritics for every script.

Rebuilding a generated column rewrites the table: on a large installation this migration takes
as long as reading every article once.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.search import RANK_COLUMN, SEARCH_COLUMN, SEARCH_INDEX, TEXT_SEARCH_CONFIGS

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEAD_CHARACTERS = 1000  # as in 0002: ranking reads the title and lead only


def _language_config(available: set[str]) -> str:
    """SQL: the regconfig of a row's language (an immutable CASE of constants)."""
    cases = " ".join(
        f"WHEN language = '{code}' THEN '{name}'::regconfig"
        for code, name in sorted(TEXT_SEARCH_CONFIGS.items())
        if name in available
    )
    unknown = "WHEN language IS NULL THEN 'english'::regconfig"
    return f"(CASE {unknown} {cases} ELSE 'simple'::regconfig END)"


def _rebuild(config: str) -> None:
    op.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
    op.execute(f"ALTER TABLE articles DROP COLUMN IF EXISTS {RANK_COLUMN}")
    op.execute(f"ALTER TABLE articles DROP COLUMN IF EXISTS {SEARCH_COLUMN}")
    op.execute(
        f"ALTER TABLE articles ADD COLUMN {SEARCH_COLUMN} tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector({config}, coalesce(title, '')), 'A') || "
        f"setweight(to_tsvector({config}, coalesce(text, '')), 'B')) STORED"
    )
    op.execute(f"CREATE INDEX {SEARCH_INDEX} ON articles USING gin ({SEARCH_COLUMN})")
    op.execute(
        f"ALTER TABLE articles ADD COLUMN {RANK_COLUMN} tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector({config}, coalesce(title, '')), 'A') || "
        f"setweight(to_tsvector({config}, left(coalesce(text, ''), {LEAD_CHARACTERS})), 'B'))"
        " STORED"
    )


def upgrade() -> None:
    """Apply this revision."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    available = set(bind.execute(sa.text("SELECT cfgname FROM pg_ts_config")).scalars())
    _rebuild(_language_config(available))


def downgrade() -> None:
    """Revert this revision: every article indexed in English again."""
    if op.get_bind().dialect.name != "postgresql":
        return
    _rebuild("'english'::regconfig")
