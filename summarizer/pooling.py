"""The sentences of several articles about one story, pooled: what a story summary and a
follow-up answer both choose from.

Each article is cleaned and split (`prepare_document`), its sentences scored by the news model
within their own article (salience: position, title overlap, centrality there), and every
pooled sentence gets a unit TF-ISF vector over stemmed content words, so support across
sources, centrality and redundancy are all cosines of one matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from summarizer.document import prepare_document
from summarizer.news import score_sentences
from summarizer.words import content_terms

# The substance of a news article is in its first few thousand characters; a cut keeps one
# huge page from dominating the pool or the time it takes.
MAX_ARTICLES = 12
MAX_ARTICLE_CHARS = 12_000
MAX_SENTENCES_PER_ARTICLE = 40
# Fragments (a dateline, "Watch:") and run-ons (a flattened table) are not summary material.
MIN_WORDS, MAX_WORDS = 5, 70


@dataclass(frozen=True, slots=True)
class StoryArticle:
    """One source's article of a story: the outlet's name, the title and the clean text."""

    source: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class CitedSentence:
    """A chosen sentence and the index (in the given articles) of the article it comes from."""

    text: str
    source: int


@dataclass(frozen=True, slots=True)
class SentencePool:
    """Pooled sentences with where they come from, their salience and unit term vectors."""

    texts: list[str]
    article: np.ndarray  # index of the sentence's article among those given
    outlet: np.ndarray  # the article's source, numbered by distinct outlet name
    position: np.ndarray  # index of the sentence within its article
    salience: np.ndarray  # the news model's score within its article, scaled to 0-1
    vectors: np.ndarray  # unit TF-ISF rows
    terms: list[frozenset[str]]

    def __len__(self) -> int:
        return len(self.texts)

    def similarity(self) -> np.ndarray:
        """Cosine similarity of every pair of pooled sentences."""
        return self.vectors @ self.vectors.T


def pool_sentences(articles: Sequence[StoryArticle]) -> SentencePool:
    """The usable sentences of up to MAX_ARTICLES articles, in article order."""
    texts: list[str] = []
    rows: list[tuple[int, int, int, float]] = []  # article, outlet, position, salience
    terms: list[list[str]] = []
    outlets: dict[str, int] = {}
    for number, article in enumerate(articles[:MAX_ARTICLES]):
        document = prepare_document(article.text[:MAX_ARTICLE_CHARS], article.title)
        kept = document.sentences[:MAX_SENTENCES_PER_ARTICLE]
        if not kept:
            continue
        scores = np.asarray(score_sentences(document)[: len(kept)], dtype=float)
        spread = scores.max() - scores.min()
        salience = (scores - scores.min()) / spread if spread > 0 else np.ones(len(kept))
        outlet = outlets.setdefault(article.source.strip().lower(), len(outlets))
        for index, sentence in enumerate(kept):
            if MIN_WORDS <= len(sentence.words) <= MAX_WORDS:
                texts.append(sentence.text)
                rows.append((number, outlet, index, float(salience[index])))
                terms.append(content_terms(sentence.words))
    columns = np.asarray(rows, dtype=float).reshape(-1, 4)
    return SentencePool(
        texts=texts,
        article=columns[:, 0].astype(int),
        outlet=columns[:, 1].astype(int),
        position=columns[:, 2].astype(int),
        salience=columns[:, 3],
        vectors=_unit_vectors(terms),
        terms=[frozenset(t) for t in terms],
    )


def _unit_vectors(terms: Sequence[Sequence[str]]) -> np.ndarray:
    """TF-ISF unit vectors (rows) of tokenised sentences."""
    vocabulary: dict[str, int] = {}
    for row in terms:
        for t in row:
            vocabulary.setdefault(t, len(vocabulary))
    matrix = np.zeros((len(terms), max(len(vocabulary), 1)))
    for i, row in enumerate(terms):
        for t in row:
            matrix[i, vocabulary[t]] += 1.0
    frequency = (matrix > 0).sum(axis=0)
    matrix *= np.log1p(len(terms) / np.maximum(frequency, 1))
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def support(pool: SentencePool, similarity: np.ndarray) -> np.ndarray:
    """Per sentence: the mean over the other outlets of its best similarity to one of theirs,
    scaled so the best supported is 1 (a fact two outlets report is the news)."""
    count = int(pool.outlet.max()) + 1 if len(pool) else 0
    found = np.zeros(len(pool))
    if count < 2:
        return found
    for other in range(count):
        theirs = pool.outlet == other
        best = np.where(theirs, similarity, 0.0).max(axis=1)
        found += np.where(theirs, 0.0, best)
    found /= count - 1
    top = found.max()
    return found / top if top > 0 else found


def centrality(similarity: np.ndarray) -> np.ndarray:
    """Each sentence's summed similarity to the others, scaled so the most central is 1."""
    raw = np.maximum(similarity.sum(axis=1) - 1.0, 0.0)
    top = raw.max() if len(raw) else 0.0
    return raw / top if top > 0 else raw
