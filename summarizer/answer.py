"""Query-focused answers: the sentences of a story's (or a search's) articles that answer a
question, each citing its article.

Sentences are pooled as for a story summary (`summarizer.pooling`) and scored by

- relevance: the share of the question's words (weighted by rarity in the pool) they contain,
- centrality: their similarity to the rest of the pool, i.e. what the sources agree on,
- position: how early they stand in their article (news puts the substance first),

then picked by the shared selector, skipping any sentence too similar to one already picked.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from summarizer.multidoc import story_sentences
from summarizer.pooling import CitedSentence, StoryArticle, centrality, pool_sentences
from summarizer.selection import select_sentences
from summarizer.words import content_terms, words

# Two sentences at least this similar (cosine) say the same thing: keep the better one.
DUPLICATE_SIMILARITY = 0.5
RELEVANCE_WEIGHT, CENTRALITY_WEIGHT, POSITION_WEIGHT = 0.6, 0.25, 0.15

__all__ = ["CitedSentence", "StoryArticle", "answer_question"]


def _relevance(question: str, terms: Sequence[frozenset[str]]) -> list[float]:
    """The rarity-weighted share of the question's content words each sentence contains."""
    wanted = set(content_terms(words(question)))
    if not wanted:
        return [0.0] * len(terms)
    frequency = Counter(t for sentence in terms for t in sentence if t in wanted)
    weight = {t: math.log(1 + (len(terms) + 1) / (frequency[t] + 1)) for t in wanted}
    total = sum(weight.values())
    return [sum(weight[t] for t in wanted & sentence) / total for sentence in terms]


def answer_question(
    question: str, articles: Sequence[StoryArticle], count: int = 4
) -> list[CitedSentence]:
    """The `count` sentences of `articles` that best answer `question`, best first.

    Only sentences sharing a content word with the question qualify; when none does (the
    articles matched on their titles alone), the answer is the story summary of the articles.
    """
    pool = pool_sentences(articles)
    if not len(pool) or count <= 0:
        return []
    relevance = _relevance(question, pool.terms)
    relevant = [i for i, r in enumerate(relevance) if r > 0]
    if not relevant:
        return story_sentences(articles, count)
    similarity = pool.similarity()
    central = centrality(similarity)
    scores = [
        RELEVANCE_WEIGHT * relevance[i]
        + CENTRALITY_WEIGHT * central[i]
        + POSITION_WEIGHT / (1 + pool.position[i])
        for i in relevant
    ]
    chosen = select_sentences(
        scores,
        lambda a, b: float(similarity[relevant[a], relevant[b]]),
        count,
        redundancy=0.0,
        duplicate=DUPLICATE_SIMILARITY,
    )
    return [CitedSentence(pool.texts[relevant[i]], int(pool.article[relevant[i]])) for i in chosen]
