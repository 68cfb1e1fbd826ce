"""Sentence features for news scoring: position, centrality, word overlap, title, length, style.

Everything is linear in the article's length. Centrality is each sentence's cosine "degree" (its
summed similarity to every other sentence), computed against the sum of all unit sentence
vectors instead of pairwise; all per-term statistics are numpy bincounts over one flat list of
(sentence, term) pairs, so an article costs a few dozen numpy calls, not nested Python loops.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from summarizer.document import Document
from summarizer.words import DEFAULT_LANGUAGE, content_terms, terms_of, words

FEATURE_NAMES: tuple[str, ...] = (
    "bias",
    "first_sentence",
    "second_sentence",
    "third_sentence",
    "inverse_position",
    "relative_position",
    "inverse_paragraph",
    "paragraph_start",
    "centrality",
    "centrality_rank",
    "first_sentence_similarity",
    "title_similarity",
    "title_hits",
    "overlap_degree",
    "overlap_density",
    "overlap_rank",
    "textrank_overlap",
    "frequency_sum",
    "frequency_mean",
    "log_length",
    "short",
    "long",
    "quote",
    "number",
    "dangling_start",
    "question",
)
# The article's shape: a sentence's weights are W0 + paragraph_size * W1 + log_sentences * W2,
# so one linear model can weigh position against word overlap differently in short articles of
# long paragraphs and in long articles of one-sentence paragraphs.
SHAPE_NAMES: tuple[str, ...] = ("base", "paragraph_size", "log_sentences")

_OPENING_QUOTES = ('"', "'", "“", "‘")
_NUMBER = re.compile(r"\d")
_DANGLING = re.compile(
    r"^(but|and|or|so|also|however|meanwhile|still|yet|this|that|these|those|it|its|he|she|"
    r"they|his|her|their|we|i|such|there|then|instead|moreover|furthermore|besides)\b",
    re.IGNORECASE,
)


@dataclass(slots=True)
class ArticleFeatures:
    """Feature rows (sentences x FEATURE_NAMES) and the sentences' TF-ISF unit vectors."""

    rows: np.ndarray
    shape: tuple[float, float, float]
    _starts: np.ndarray  # unit-vector entries of sentence i are _starts[i]:_starts[i + 1]
    _terms: np.ndarray
    _values: np.ndarray
    _vectors: dict[int, dict[int, float]] = field(default_factory=dict)

    def vector(self, i: int) -> dict[int, float]:
        """Sentence i's unit TF-ISF vector as {term id: weight}, built on first use."""
        found = self._vectors.get(i)
        if found is None:
            a, b = self._starts[i], self._starts[i + 1]
            found = dict(zip(self._terms[a:b].tolist(), self._values[a:b].tolist(), strict=True))
            self._vectors[i] = found
        return found

    def similarity(self, i: int, j: int) -> float:
        """Cosine similarity of sentences i and j (0 to 1)."""
        a, b = self.vector(i), self.vector(j)
        if len(a) > len(b):
            a, b = b, a
        return sum(v * b.get(t, 0.0) for t, v in a.items())


def document_shape(document: Document) -> tuple[float, float, float]:
    """The article-level multipliers of SHAPE_NAMES (1, log sentences per paragraph, ...)."""
    count = len(document.sentences)
    if not count:
        return (1.0, 0.0, 0.0)
    paragraphs = document.sentences[-1].paragraph + 1
    return (1.0, math.log(count / paragraphs + 1), math.log(count + 1))


def _scaled(values: np.ndarray) -> np.ndarray:
    top = values.max()
    return values / top if top > 0 else values


def _inverse_ranks(values: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(values))
    ranks[np.argsort(-values, kind="stable")] = 1.0 / np.arange(1, len(values) + 1)
    return ranks


def article_features(document: Document) -> ArticleFeatures:
    """Every sentence's FEATURE_NAMES values, plus what MMR needs for similarities."""
    sentences = document.sentences
    n = len(sentences)
    # Every word of the article in one flat pass: its term id, or -1 for a stop word.
    flat = [word for sentence in sentences for word in sentence.words]
    found = terms_of(flat, DEFAULT_LANGUAGE)
    unique = dict.fromkeys(found)  # in order of first appearance
    unique.pop("", None)
    vocabulary = {t: i for i, t in enumerate(unique)}
    term_ids = np.fromiter(
        map({**vocabulary, "": -1}.__getitem__, found), dtype=np.intp, count=len(found)
    )
    word_sentence = np.repeat(np.arange(n), [len(s.words) for s in sentences])
    content = term_ids >= 0
    tokens_term, tokens_sentence = term_ids[content], word_sentence[content]
    size = max(len(vocabulary), 1)
    # One entry per distinct (sentence, term), sorted by sentence, with its count.
    pairs, counts = np.unique(tokens_sentence * size + tokens_term, return_counts=True)
    pair_sentence, pair_term = pairs // size, pairs % size
    sentence_frequency = np.bincount(pair_term, minlength=size)
    term_frequency = np.bincount(tokens_term, minlength=size)
    weight = np.log1p(n / np.maximum(sentence_frequency, 1))
    raw = counts * weight[pair_term]
    norms = np.sqrt(np.bincount(pair_sentence, weights=raw * raw, minlength=n))
    has_terms = norms > 0
    unit = raw / np.where(has_terms, norms, 1.0)[pair_sentence]
    centroid = np.bincount(pair_term, weights=unit, minlength=size)
    degree = np.bincount(pair_sentence, weights=unit * centroid[pair_term], minlength=n)
    degree -= has_terms  # a sentence's similarity to itself
    first = np.zeros(size)
    in_first = pair_sentence == 0
    first[pair_term[in_first]] = unit[in_first]
    first_similarity = np.bincount(pair_sentence, weights=unit * first[pair_term], minlength=n)
    if n:
        first_similarity[0] = 1.0
    title_vector, title_share = _title_vectors(document, vocabulary, weight, n)
    title_similarity = np.bincount(
        pair_sentence, weights=unit * title_vector[pair_term], minlength=n
    )
    title_hits = np.bincount(pair_sentence, weights=title_share[pair_term], minlength=n)
    # Word overlap with the other sentences, not length-normalised: long sentences sharing the
    # article's vocabulary cover most of a reference summary.
    overlap = np.bincount(pair_sentence, weights=sentence_frequency[pair_term] - 1, minlength=n)
    term_counts = np.bincount(tokens_sentence, minlength=n).astype(float)
    frequency = np.bincount(
        tokens_sentence, weights=term_frequency[tokens_term] - 1, minlength=n
    ).astype(float)
    density = overlap / np.sqrt(1 + term_counts)
    log_terms = np.log(2 + term_counts)
    # TextRank's similarity divides the shared words by the sentences' log lengths.
    textrank = overlap / (log_terms + (log_terms.mean() if n else 0.0))
    position = np.arange(n, dtype=float)
    word_counts = np.asarray([len(s.words) for s in sentences], dtype=float)
    texts = [s.text for s in sentences]
    columns = [
        np.ones(n),
        position == 0,
        position == 1,
        position == 2,
        1.0 / (position + 1),
        position / max(n, 1),
        1.0 / (np.asarray([s.paragraph for s in sentences], dtype=float) + 1),
        np.asarray([s.position == 0 for s in sentences], dtype=float),
        _scaled(degree),
        _inverse_ranks(degree),
        first_similarity,
        title_similarity,
        title_hits,
        _scaled(overlap),
        _scaled(density),
        _inverse_ranks(density),
        _scaled(textrank),
        _scaled(frequency),
        _scaled(frequency / np.maximum(term_counts, 1)),
        np.log1p(word_counts),
        word_counts < 8,
        word_counts > 45,
        [t.startswith(_OPENING_QUOTES) or '"' in t or "“" in t or "”" in t for t in texts],
        [bool(_NUMBER.search(t)) for t in texts],
        [bool(_DANGLING.match(t)) for t in texts],
        [t.rstrip("\"'”’ ").endswith("?") for t in texts],
    ]
    rows = np.empty((n, len(FEATURE_NAMES)))
    for index, column in enumerate(columns):
        rows[:, index] = column
    starts = np.searchsorted(pair_sentence, np.arange(n + 1))
    return ArticleFeatures(rows, document_shape(document), starts, pair_term, unit)


def _title_vectors(
    document: Document, vocabulary: dict[str, int], weight: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Over the article's terms: the title's unit vector, and 1/len(title terms) per title term."""
    title_vector = np.zeros(len(weight))
    title_terms = set(content_terms(words(document.title or "")))
    if not title_terms:
        return title_vector, title_vector.copy()
    # A title word the article never uses still counts in the title's norm (weight of sf = 0).
    missing = math.log1p(n) ** 2 * sum(1 for t in title_terms if t not in vocabulary)
    ids = [vocabulary[t] for t in title_terms if t in vocabulary]
    title_vector[ids] = weight[ids]
    norm = math.sqrt(float(title_vector @ title_vector) + missing)
    hits_vector = (title_vector > 0) / len(title_terms)
    title_vector /= norm
    return title_vector, hits_vector
