"""Multi-document extractive answers: a question's best sentences, or a story's pooled summary.

Sentences of every source article are pooled (boilerplate dropped by `prepare_document`) and
described by unit TF-ISF vectors of stemmed content words. A sentence scores by

- relevance: the share of the question's words (weighted by rarity in the pool) it contains,
- centrality: its similarity to the pool's centroid, i.e. what the sources agree on,
- position: how early it stands in its article (news puts the substance first),

and is picked greedily, skipping any sentence too similar to one already picked, so no two
chosen sentences say the same thing. Each chosen sentence keeps the index of its source.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.document import prepare_document
from summarizer.features import content_terms
from summarizer.sentences import words

# Long pages are cut: the substance of a news article is in its first few thousand characters.
MAX_SOURCE_CHARS = 12_000
MAX_SOURCE_SENTENCES = 60
MIN_WORDS, MAX_WORDS = 5, 70
# Two sentences at least this similar (cosine) say the same thing: keep the better one.
DUPLICATE_SIMILARITY = 0.5
ANSWER_WEIGHTS = (0.6, 0.25, 0.15)  # relevance, centrality, position
SUMMARY_WEIGHTS = (0.0, 0.6, 0.4)


@dataclass(frozen=True, slots=True)
class SourceText:
    """One article given to the answerer: its title and clean text."""

    title: str
    text: str


@dataclass(frozen=True, slots=True)
class CitedSentence:
    """A chosen sentence and the index (in the given sources) of the article it comes from."""

    text: str
    source: int


@dataclass(slots=True)
class _Candidate:
    text: str
    source: int
    position: int
    vector: dict[str, float]
    terms: frozenset[str]


def _candidates(sources: Sequence[SourceText]) -> list[_Candidate]:
    pooled: list[tuple[str, int, int, list[str]]] = []
    for index, source in enumerate(sources):
        document = prepare_document(source.text[:MAX_SOURCE_CHARS], source.title)
        for position, sentence in enumerate(document.sentences[:MAX_SOURCE_SENTENCES]):
            if MIN_WORDS <= len(sentence.words) <= MAX_WORDS:
                pooled.append((sentence.text, index, position, content_terms(sentence.words)))
    frequency = Counter(t for *_, terms in pooled for t in set(terms))
    total = len(pooled)
    candidates = []
    for text, index, position, terms in pooled:
        counts = Counter(terms)
        vector = {t: c * math.log(1 + total / frequency[t]) for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        unit = {t: v / norm for t, v in vector.items()}
        candidates.append(_Candidate(text, index, position, unit, frozenset(counts)))
    return candidates


def _similarity(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def _centrality(candidates: Sequence[_Candidate]) -> list[float]:
    """Each sentence's mean similarity to the others, scaled so the most central is 1."""
    centroid: Counter[str] = Counter()
    for candidate in candidates:
        centroid.update(candidate.vector)
    raw = [max(_similarity(c.vector, centroid) - 1.0, 0.0) for c in candidates]
    top = max(raw, default=0.0) or 1.0
    return [r / top for r in raw]


def _relevance(question: str, candidates: Sequence[_Candidate]) -> list[float]:
    """The rarity-weighted share of the question's content words each sentence contains."""
    wanted = set(content_terms(words(question)))
    if not wanted:
        return [0.0] * len(candidates)
    frequency = Counter(t for c in candidates for t in c.terms if t in wanted)
    weight = {t: math.log(1 + (len(candidates) + 1) / (frequency[t] + 1)) for t in wanted}
    total = sum(weight.values())
    return [sum(weight[t] for t in wanted & c.terms) / total for c in candidates]


def _select(
    candidates: Sequence[_Candidate], scores: Sequence[float], count: int
) -> list[CitedSentence]:
    chosen: list[_Candidate] = []
    for i in sorted(range(len(candidates)), key=lambda i: -scores[i]):
        candidate = candidates[i]
        if any(_similarity(candidate.vector, c.vector) >= DUPLICATE_SIMILARITY for c in chosen):
            continue
        chosen.append(candidate)
        if len(chosen) == count:
            break
    return [CitedSentence(c.text, c.source) for c in chosen]


def _scores(
    candidates: Sequence[_Candidate], relevance: Sequence[float], weights: Sequence[float]
) -> list[float]:
    w_relevance, w_centrality, w_position = weights
    centrality = _centrality(candidates)
    return [
        w_relevance * r + w_centrality * c + w_position / (1 + candidate.position)
        for candidate, r, c in zip(candidates, relevance, centrality, strict=True)
    ]


def pooled_summary(sources: Sequence[SourceText], count: int = 6) -> list[CitedSentence]:
    """A story's `count` most central, early, mutually distinct sentences across its sources."""
    candidates = _candidates(sources)
    if not candidates or count <= 0:
        return []
    scores = _scores(candidates, [0.0] * len(candidates), SUMMARY_WEIGHTS)
    return _select(candidates, scores, count)


def answer_question(
    question: str, sources: Sequence[SourceText], count: int = 4
) -> list[CitedSentence]:
    """The `count` sentences of `sources` that best answer `question`, best first.

    Only sentences sharing a content word with the question qualify; when none does (the
    sources matched on their titles alone), the answer is their pooled summary.
    """
    candidates = _candidates(sources)
    if not candidates or count <= 0:
        return []
    relevance = _relevance(question, candidates)
    scores = _scores(candidates, relevance, ANSWER_WEIGHTS)
    relevant = [i for i, r in enumerate(relevance) if r > 0]
    if not relevant:
        return pooled_summary(sources, count)
    return _select([candidates[i] for i in relevant], [scores[i] for i in relevant], count)
