"""A story's summary pooled across its articles: what several sources agree on, said once.

Each pooled sentence (`summarizer.pooling`) is scored by the news model's salience within its
own article, its support across the other sources (a fact two outlets report is the news), and
its position in its source. Sentences are then picked with the shared redundancy-aware selector,
and a sentence too close to one already picked is never picked, so no two chosen sentences say
the same thing. The same summary serves the briefing item and the longer "More" view.
"""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.pooling import (
    CitedSentence,
    StoryArticle,
    pool_sentences,
    support,
)
from summarizer.selection import select_sentences

SALIENCE_WEIGHT = 0.5
SUPPORT_WEIGHT = 0.35
POSITION_WEIGHT = 0.15
REDUNDANCY = 1.0  # how much similarity to a picked sentence costs
SAME_FACT = 0.3  # cosine at which two sentences state the same fact: never both picked

__all__ = ["CitedSentence", "StoryArticle", "story_sentences", "summarize_story"]


def story_sentences(articles: Sequence[StoryArticle], count: int = 3) -> list[CitedSentence]:
    """The `count` best sentences pooled across a story's articles, in reading order (the
    first source's lead first), each citing its article."""
    pool = pool_sentences(articles)
    if not len(pool) or count <= 0:
        return []
    similarity = pool.similarity()
    scores = (
        SALIENCE_WEIGHT * pool.salience
        + SUPPORT_WEIGHT * support(pool, similarity)
        + POSITION_WEIGHT / (1.0 + pool.position)
    )
    chosen = select_sentences(
        scores.tolist(),
        lambda i, j: float(similarity[i, j]),
        count,
        redundancy=REDUNDANCY,
        duplicate=SAME_FACT,
    )
    chosen.sort(key=lambda i: (pool.article[i], pool.position[i]))
    return [CitedSentence(pool.texts[i], int(pool.article[i])) for i in chosen]


def summarize_story(articles: Sequence[StoryArticle], sentences: int = 3) -> list[str]:
    """The texts of `story_sentences`: the story's summary, no fact twice."""
    return [s.text for s in story_sentences(articles, sentences)]
