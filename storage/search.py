"""Full-text search over articles: SQLite FTS5 or PostgreSQL tsvector, behind one function.

Callers pass the query's subject words (`summarizer.words.query_terms`), and no term ever
reaches the query language as syntax: each is quoted (FTS5) or handed to plainto_tsquery as a
bound parameter (PostgreSQL), so quotes, AND/OR/NEAR, "*" and "-" are plain words or nothing.

Languages. On PostgreSQL each article is indexed with the text search configuration of its
own language (`articles.language`: "portuguese" for pt, "russian" for ru; `simple`, no stemming,
for a language PostgreSQL has none for; "english" for articles stored before languages were
detected), migration 0009. A query is parsed in its own language (the question's, told by the
caller) and also as plain words (`simple`): "eleições" finds Portuguese articles by their stem,
and a name ("Lula", "Zelensky") finds articles of every language. On SQLite, FTS5's unicode61
tokenizer folds case and diacritics for every script, and the porter stemmer changes only
English endings, the same for the question and the text.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, cast, column, func, literal_column, select, table, text
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Article, ArticleTopic, Story

# Objects of migration 0002 that the models do not describe (see is_search_object).
SEARCH_TABLE_PREFIX = "articles_fts"
SEARCH_COLUMN = "search_vector"
RANK_COLUMN = "search_lead_vector"
SEARCH_INDEX = "ix_articles_search_vector"
# ISO 639-1 code -> PostgreSQL's built-in text search configuration (PostgreSQL 15 has these;
# migration 0009 uses those the server has, `simple` for the rest).
TEXT_SEARCH_CONFIGS = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish",
    "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french", "de": "german",
    "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
    "nn": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip
UNDETECTED_CONFIG = "english"  # articles stored before detection were indexed in English

Match = Literal["all", "any", "all_then_any"]


@dataclass(frozen=True, slots=True)
class ArticleHit:
    """An article that matched a search, best first."""

    id: int
    story_id: int | None
    title: str
    url: str
    source_name: str | None
    text: str
    published_at: datetime
    score: float


@dataclass(frozen=True, slots=True)
class StoryHit:
    """A story with a matching article: what /search lists and "Related" shows."""

    id: int
    title: str
    first_seen_at: datetime
    source_count: int


def is_search_object(name: str | None, type_: str) -> bool:
    """True for the full-text objects of migration 0002, which the models leave out."""
    if not name:
        return False
    if type_ == "table":
        return name.startswith(SEARCH_TABLE_PREFIX)
    return (type_, name) in {
        ("column", SEARCH_COLUMN),
        ("column", RANK_COLUMN),
        ("index", SEARCH_INDEX),
    }


def _fts5_query(terms: Sequence[str], operator: str) -> str:
    # A double-quoted FTS5 string is a phrase of its tokens, never an operator or column filter.
    return f" {operator} ".join('"' + t.replace('"', '""') + '"' for t in terms)


def search_config(language: str | None) -> str:
    """The text search configuration a query or an article in `language` is parsed with."""
    if not language:
        return UNDETECTED_CONFIG
    return TEXT_SEARCH_CONFIGS.get(language.strip().lower()[:2], "simple")


def _tsquery(terms: Sequence[str], operator: str, language: str | None) -> ColumnElement[object]:
    # A configuration this server lacks is `simple`, never an error (to_regconfig is
    # PostgreSQL 16+; this scalar subquery is evaluated once per query).
    found = (
        select(cast(literal_column("oid"), REGCONFIG))
        .select_from(table("pg_ts_config"))
        .where(literal_column("cfgname") == search_config(language))
        .scalar_subquery()
    )
    config = func.coalesce(found, literal_column("'simple'::regconfig"))
    simple = literal_column("'simple'::regconfig")

    def one(term: str) -> ColumnElement[object]:
        # The word stemmed in the query's language, or as written (names, other languages).
        return func.plainto_tsquery(config, term).op("||")(func.plainto_tsquery(simple, term))

    combined = one(terms[0])
    for term in terms[1:]:
        combined = combined.op(operator)(one(term))
    return combined


async def _search_once(
    session: AsyncSession,
    terms: Sequence[str],
    match_all: bool,
    *,
    since: datetime | None,
    limit: int,
    story_ids: Collection[int] | None,
    exclude_story_id: int | None,
    language: str | None = None,
) -> list[ArticleHit]:
    when = func.coalesce(Article.published_at, Article.fetched_at)
    if session.get_bind().dialect.name == "postgresql":
        vector = literal_column(f"articles.{SEARCH_COLUMN}")
        query = _tsquery(terms, "&&" if match_all else "||", language)
        # ts_rank is "higher is better"; negate so both backends sort ascending. It ranks on
        # the title and lead: matches only deeper in the text come after, newest first.
        score = -func.ts_rank(literal_column(f"articles.{RANK_COLUMN}"), query)
        stmt = select(Article, when, score).where(vector.op("@@")(query))
    else:
        fts = table(SEARCH_TABLE_PREFIX, column("rowid"))
        fts_name = literal_column(SEARCH_TABLE_PREFIX)
        # bm25 is "lower is better"; a title word counts four times a body word.
        score = func.bm25(fts_name, 4.0, 1.0)
        stmt = (
            select(Article, when, score)
            .select_from(fts)
            .join(Article, Article.id == fts.c.rowid)
            .where(fts_name.op("MATCH")(_fts5_query(terms, "AND" if match_all else "OR")))
        )
    if since is not None:
        stmt = stmt.where(Article.fetched_at >= since)
    if story_ids is not None:
        stmt = stmt.where(Article.story_id.in_(list(story_ids)))
    if exclude_story_id is not None:
        stmt = stmt.where(Article.story_id.is_distinct_from(exclude_story_id))
    rows = await session.execute(stmt.order_by(score, Article.id.desc()).limit(limit))
    return [
        ArticleHit(a.id, a.story_id, a.title, a.url, a.source_name, a.text, at, float(s))
        for a, at, s in rows.tuples()
    ]


async def search_articles(
    session: AsyncSession,
    terms: Sequence[str],
    *,
    since: datetime | None = None,
    limit: int = 10,
    match: Match = "all_then_any",
    story_ids: Collection[int] | None = None,
    exclude_story_id: int | None = None,
    language: str | None = None,
) -> list[ArticleHit]:
    """Articles matching the query's subject words `terms` (fetched since `since`), best first.

    `match`: every word must occur ("all"), any word ("any"), or all and, if that finds
    nothing, any ("all_then_any"). `language`: the query's (ISO code; None: English), which
    PostgreSQL stems it by. An empty list when there are no terms.
    """
    terms = [t for t in terms if t.strip()]
    if not terms or limit <= 0:
        return []
    options = {
        "since": since,
        "limit": limit,
        "story_ids": story_ids,
        "exclude_story_id": exclude_story_id,
        "language": language,
    }
    if match in ("all", "all_then_any"):
        hits = await _search_once(session, terms, True, **options)  # type: ignore[arg-type]
        if hits or match == "all" or len(terms) == 1:
            return hits
    return await _search_once(session, terms, False, **options)  # type: ignore[arg-type]


async def stories_of_hits(
    session: AsyncSession, hits: Sequence[ArticleHit], limit: int = 10
) -> list[StoryHit]:
    """The distinct stories of `hits`, in the order of their best article."""
    order = list(dict.fromkeys(h.story_id for h in hits if h.story_id is not None))[:limit]
    if not order:
        return []
    rows = await session.execute(
        select(Story.id, Story.title, Story.first_seen_at, Story.source_count).where(
            Story.id.in_(order)
        )
    )
    found = {row[0]: StoryHit(*row) for row in rows.tuples()}
    return [found[i] for i in order if i in found]


async def search_stories(
    session: AsyncSession,
    terms: Sequence[str],
    *,
    since: datetime | None = None,
    limit: int = 10,
    match: Match = "all_then_any",
    exclude_story_id: int | None = None,
    language: str | None = None,
) -> list[StoryHit]:
    """Stories with an article matching `terms`, best first (for /search and "Related")."""
    hits = await search_articles(
        session,
        terms,
        since=since,
        limit=limit * 4,
        match=match,
        exclude_story_id=exclude_story_id,
        language=language,
    )
    return await stories_of_hits(session, hits, limit)


async def topic_stories(
    session: AsyncSession, topic_id: int, *, since: datetime, limit: int = 8
) -> list[StoryHit]:
    """A topic's stories with news since `since`, the most recent news first (/more <topic>)."""
    latest = func.max(Article.news_at)
    rows = await session.execute(
        select(Story.id, Story.title, Story.first_seen_at, Story.source_count)
        .join(Article, Article.story_id == Story.id)
        .join(ArticleTopic, ArticleTopic.article_id == Article.id)
        .where(ArticleTopic.topic_id == topic_id, Article.news_at >= since)
        .group_by(Story.id, Story.title, Story.first_seen_at, Story.source_count)
        .order_by(latest.desc(), Story.id.desc())
        .limit(limit)
    )
    return [StoryHit(*row) for row in rows.tuples()]


async def story_articles(
    session: AsyncSession, story_ids: Collection[int], limit: int = 20
) -> list[ArticleHit]:
    """The articles of these stories, earliest first (the material of a pooled summary)."""
    if not story_ids:
        return []
    when = func.coalesce(Article.published_at, Article.fetched_at)
    rows = await session.execute(
        select(Article, when)
        .where(Article.story_id.in_(list(story_ids)))
        .order_by(when, Article.id)
        .limit(limit)
    )
    return [
        ArticleHit(a.id, a.story_id, a.title, a.url, a.source_name, a.text, at, 0.0)
        for a, at in rows.tuples()
    ]


async def compact_search_index(session: AsyncSession, pages: int = 2000) -> bool:
    """One step of merging SQLite's FTS5 index (about `pages` pages written); True if there
    was work. Deleting an article only adds a delete marker to the index: the space of deleted
    articles comes back when the markers are merged with the segments holding the originals,
    which this does, a bounded step per call, until one segment is left. PostgreSQL: nothing
    to do (False): its tsvector goes with the row, and VACUUM reuses the space."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    before = await session.scalar(text("SELECT total_changes()"))
    await session.execute(
        text(
            f"INSERT INTO {SEARCH_TABLE_PREFIX}({SEARCH_TABLE_PREFIX}, rank) "
            "VALUES ('merge', :pages)"
        ),
        {"pages": -abs(pages)},  # negative: merge across levels, down to one segment
    )
    after = await session.scalar(text("SELECT total_changes()"))
    return int(after or 0) - int(before or 0) > 1  # the INSERT itself counts one change
