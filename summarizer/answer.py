"""Query-focused answers: the sentences of a story's (or a search's) articles that answer a
question, each citing its article.

Sentences are pooled as for a story summary (`summarizer.pooling`, in the story's language:
the question's words are stemmed and stop-worded the same way) and scored by

- relevance: the share of the question's words (weighted by rarity in the pool) they contain,
- centrality: their similarity to the rest of the pool, i.e. what the sources agree on,
- position: how early they stand in their article (news puts the substance first),

then picked by the maximal-marginal-relevance picker (`summarizer.selection`), skipping any
sentence too similar to one already picked, best first. A sentence that leans on the one before
it ("He said…", `summarizer.readability`) is not an answer on its own: it needs its antecedent,
which an answer does not show.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from summarizer.multidoc import story_sentences
from summarizer.pooling import (
    CitedSentence,
    SentencePool,
    StoryArticle,
    centrality,
    pool_sentences,
)
from summarizer.readability import depends_on_previous
from summarizer.selection import select_sentences
from summarizer.words import query_terms

# Two sentences at least this similar (cosine) say the same thing: keep the better one.
DUPLICATE_SIMILARITY = 0.5
# An answer sentence holds at least this share of the question's content words: one shared
# word of a long question does not make a sentence an answer.
RELEVANCE_FLOOR = 0.5
RELEVANCE_WEIGHT, CENTRALITY_WEIGHT, POSITION_WEIGHT = 0.6, 0.25, 0.15

__all__ = ["CitedSentence", "StoryArticle", "answer_question"]


def _coverage(wanted: set[str], terms: Sequence[frozenset[str]]) -> list[float]:
    """The share of the question's distinct content words each sentence contains."""
    if not wanted:
        return [0.0] * len(terms)
    return [len(wanted & sentence) / len(wanted) for sentence in terms]


def _relevance(wanted: set[str], terms: Sequence[frozenset[str]]) -> list[float]:
    """The rarity-weighted share of the question's content words each sentence contains."""
    if not wanted:
        return [0.0] * len(terms)
    frequency = Counter(t for sentence in terms for t in sentence if t in wanted)
    weight = {t: math.log(1 + (len(terms) + 1) / (frequency[t] + 1)) for t in wanted}
    total = sum(weight.values())
    return [sum(weight[t] for t in wanted & sentence) / total for sentence in terms]


def _about_in_titles(
    wanted: set[str], pool: SentencePool, articles: Sequence[StoryArticle], count: int
) -> list[CitedSentence]:
    """The answer when no sentence is about the question: the story summary of the articles
    whose titles are (their titles themselves, for headline-only items), else nothing."""
    titles = _coverage(wanted, [frozenset(pool.text_terms(a.title)) for a in articles])
    about = [i for i, share in enumerate(titles) if share >= RELEVANCE_FLOOR]
    if not about:
        return []
    summary = story_sentences([articles[i] for i in about], count)
    if summary:
        return [CitedSentence(s.text, about[s.source]) for s in summary]
    return [CitedSentence(articles[i].title, i) for i in about[:count]]


def answer_question(
    question: str, articles: Sequence[StoryArticle], count: int = 4
) -> list[CitedSentence]:
    """The `count` sentences of `articles` that best answer `question`, best first.

    Only sentences holding at least RELEVANCE_FLOOR of the question's words qualify. When none
    does, the articles whose titles do are the answer's subject, and their story summary is the
    answer; when no title does either, there is no answer (an empty list), never unrelated news.
    """
    if count <= 0:
        return []
    pool = pool_sentences(articles)
    # The question's subject, its own words ("o que há de novo sobre") left out in the
    # story's language as in English.
    subject = query_terms(question, pool.language)
    wanted = pool.text_terms(" ".join(subject) if subject else question)
    terms = pool.terms
    relevance = _relevance(wanted, terms)
    coverage = _coverage(wanted, terms)
    relevant = [
        i
        for i, c in enumerate(coverage)
        if c >= RELEVANCE_FLOOR
        and not (
            pool.sentences[i].raw > 0 and depends_on_previous(pool.sentences[i].text, pool.language)
        )
    ]
    if not relevant:
        return _about_in_titles(wanted, pool, articles, count)
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
