"""A story's summary pooled across its articles: what several sources agree on, said once.

Each sentence is scored by three things: the news model's salience within its own article
(which already weighs position, title overlap and centrality there), its support across the
other sources (the mean over other sources of its best cosine with one of their sentences: a
fact two outlets report is the news), and its position in its source. Sentences are then
picked greedily with a redundancy penalty, and a sentence too close to one already picked is
never picked, so no two chosen sentences say the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from summarizer.document import Sentence, prepare_document
from summarizer.features import content_terms
from summarizer.news import score_sentences

SALIENCE_WEIGHT = 0.5
SUPPORT_WEIGHT = 0.35
POSITION_WEIGHT = 0.15
REDUNDANCY = 1.0  # how much similarity to a picked sentence costs
SAME_FACT = 0.3  # cosine at which two sentences state the same fact: never both picked
MAX_ARTICLES = 12
MAX_SENTENCES_PER_ARTICLE = 40


@dataclass(frozen=True, slots=True)
class StoryArticle:
    """One source's article of a story."""

    source: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class _Candidate:
    text: str
    source: int  # index of its source
    article: int
    index: int  # position in its article
    salience: float


def _candidates(articles: Sequence[StoryArticle]) -> tuple[list[_Candidate], list[Sentence]]:
    sources: dict[str, int] = {}
    found: list[_Candidate] = []
    sentences: list[Sentence] = []
    for number, article in enumerate(articles[:MAX_ARTICLES]):
        document = prepare_document(article.text, article.title)
        kept = document.sentences[:MAX_SENTENCES_PER_ARTICLE]
        if not kept:
            continue
        scores = np.asarray(score_sentences(document)[: len(kept)], dtype=float)
        spread = scores.max() - scores.min()
        salience = (scores - scores.min()) / spread if spread > 0 else np.ones(len(kept))
        source = sources.setdefault(article.source.strip().lower(), len(sources))
        for index, sentence in enumerate(kept):
            found.append(_Candidate(sentence.text, source, number, index, float(salience[index])))
            sentences.append(sentence)
    return found, sentences


def _unit_vectors(sentences: Sequence[Sentence]) -> np.ndarray:
    """TF-ISF unit vectors of the pooled sentences (rows)."""
    terms = [content_terms(s.words) for s in sentences]
    vocabulary: dict[str, int] = {}
    for row in terms:
        for t in row:
            vocabulary.setdefault(t, len(vocabulary))
    matrix = np.zeros((len(sentences), max(len(vocabulary), 1)))
    for i, row in enumerate(terms):
        for t in row:
            matrix[i, vocabulary[t]] += 1.0
    frequency = (matrix > 0).sum(axis=0)
    matrix *= np.log1p(len(sentences) / np.maximum(frequency, 1))
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def _support(candidates: Sequence[_Candidate], similarity: np.ndarray) -> np.ndarray:
    """Per sentence: the mean over the other sources of its best similarity to one of theirs."""
    sources = np.asarray([c.source for c in candidates])
    count = sources.max() + 1 if len(sources) else 0
    support = np.zeros(len(candidates))
    if count < 2:
        return support
    for other in range(count):
        best = np.where(sources == other, similarity, 0.0).max(axis=1)
        support += np.where(sources == other, 0.0, best)
    return support / (count - 1)


def summarize_story(articles: Sequence[StoryArticle], sentences: int = 3) -> list[str]:
    """The `sentences` best sentences pooled across a story's articles, no fact twice."""
    candidates, parsed = _candidates(articles)
    if not candidates or sentences <= 0:
        return []
    vectors = _unit_vectors(parsed)
    similarity = vectors @ vectors.T
    support = _support(candidates, similarity)
    top = support.max()
    support = support / top if top > 0 else support
    salience = np.asarray([c.salience for c in candidates])
    position = 1.0 / (1.0 + np.asarray([c.index for c in candidates], dtype=float))
    scores = SALIENCE_WEIGHT * salience + SUPPORT_WEIGHT * support + POSITION_WEIGHT * position
    chosen: list[int] = []
    highest = np.zeros(len(candidates))  # each candidate's top similarity to a chosen one
    open_ = np.ones(len(candidates), dtype=bool)
    while len(chosen) < sentences:
        open_ &= highest < SAME_FACT
        if not open_.any():
            break
        value = np.where(open_, scores - REDUNDANCY * highest, -np.inf)
        best = int(np.argmax(value))  # ties: the earlier sentence
        chosen.append(best)
        open_[best] = False
        highest = np.maximum(highest, similarity[:, best])
    # Read in the order a reader expects: the first source's lead first.
    chosen.sort(key=lambda i: (candidates[i].article, candidates[i].index))
    return [candidates[i].text for i in chosen]
