"""Sentence features for news scoring: position, centrality, word overlap, title, length, style.

Everything is linear in the article's length. Centrality is each sentence's cosine "degree" (its
summed similarity to every other sentence), computed against the sum of all unit sentence
vectors instead of pairwise; all per-term statistics are numpy bincounts over one flat list of
(sentence, term) pairs, so an article costs a few dozen numpy calls, not nested Python loops.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from summarizer.document import Document
from summarizer.readability import depends_on_previous
from summarizer.words import DEFAULT_LANGUAGE, content_terms, guess_language, terms_of, words

FEATURE_NAMES: tuple[str, ...] = (
    "bias",
    # Position, counted in sentences: paragraphs are not used anywhere, so an article whose
    # paragraph breaks were lost (a feed's one-block description, CNN/DailyMail's text) scores
    # exactly like the same article with them.
    "first_sentence",
    "second_sentence",
    "third_sentence",
    "inverse_position",
    "log_position",
    "relative_position",
    "centrality",
    "centrality_rank",
    "first_sentence_similarity",
    "lead_similarity",
    "title_similarity",
    "title_hits",
    "overlap_degree",
    "overlap_density",
    "overlap_rank",
    "textrank_overlap",
    "frequency_sum",
    "frequency_mean",
    "log_length",
    "relative_length",
    "short",
    "long",
    "quote_start",
    "quote",
    "attribution",
    "number",
    "dependent",
    "antecedent",
    "question",
    "first_person",
    "colon_end",
)
# The article's shape: a sentence's weights are W0 + log_sentences * W1 + log_words * W2, so one
# linear model can weigh position against word overlap differently in short and long articles
# and in articles of short (wire) and long sentences. No paragraph statistic: a missing
# paragraph structure must not move the weights.
SHAPE_NAMES: tuple[str, ...] = ("base", "log_sentences", "log_words")

_OPENING_QUOTES = ('"', "'", "“", "‘", "«")
_QUOTE_CHARS = ('"', "“", "”", "«", "»")
_NUMBER = re.compile(r"\d")
# English attribution and first-person words, matched against a sentence's words (a set
# intersection per sentence, much cheaper than a regular expression search).
_ATTRIBUTION = frozenset(
    [
        "said",
        "says",
        "told",
        "tells",
        "added",
        "adds",
        "according",
        "explained",
        "stated",
        "announced",
        "warned",
        "claimed",
    ]
)
_FIRST_PERSON = frozenset(["I", "I'm", "I've", "we", "We", "my", "My", "our", "Our", "me", "us"])


@dataclass(slots=True)
class ArticleFeatures:
    """Feature rows (sentences x FEATURE_NAMES) and the sentences' TF-ISF unit vectors."""

    rows: np.ndarray
    shape: tuple[float, float, float]
    _starts: np.ndarray  # unit-vector entries of sentence i are _starts[i]:_starts[i + 1]
    _terms: np.ndarray
    _values: np.ndarray
    language: str = DEFAULT_LANGUAGE
    _vectors: dict[int, dict[int, float]] = field(default_factory=dict)

    def vector(self, i: int) -> dict[int, float]:
        """Sentence i's unit TF-ISF vector as {term id: weight}, built on first use."""
        found = self._vectors.get(i)
        if found is None:
            a, b = self._starts[i], self._starts[i + 1]
            found = dict(zip(self._terms[a:b].tolist(), self._values[a:b].tolist(), strict=True))
            self._vectors[i] = found
        return found

    def pair_matrices(self, indices: Sequence[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For the given sentences: their pairwise cosines, shared content terms, and each one's
        number of distinct content terms (one small matrix product, for selection)."""
        position = {s: k for k, s in enumerate(indices)}
        rows, cols, vals = [], [], []
        for s in indices:
            a, b = self._starts[s], self._starts[s + 1]
            rows.extend([position[s]] * int(b - a))
            cols.extend(self._terms[a:b].tolist())
            vals.extend(self._values[a:b].tolist())
        columns = {t: k for k, t in enumerate(dict.fromkeys(cols))}
        dense = np.zeros((len(indices), max(len(columns), 1)))
        if rows:
            dense[rows, [columns[t] for t in cols]] = vals
        present = (dense > 0).astype(float)
        return dense @ dense.T, present @ present.T, present.sum(axis=1)

    def similarity(self, i: int, j: int) -> float:
        """Cosine similarity of sentences i and j (0 to 1)."""
        a, b = self.vector(i), self.vector(j)
        if len(a) > len(b):
            a, b = b, a
        return sum(v * b.get(t, 0.0) for t, v in a.items())


def document_shape(document: Document) -> tuple[float, float, float]:
    """The article-level multipliers of SHAPE_NAMES (1, log sentences, log words per sentence).

    Centred on a typical news article (30 sentences of 22 words) so that the base weights are
    those of a typical article and the shape terms stay small corrections.
    """
    count = len(document.sentences)
    if not count:
        return (1.0, 0.0, 0.0)
    words_per = sum(len(s.words) for s in document.sentences) / count
    # Clipped to the range seen in training (5-150 sentences, 8-60 words a sentence), so a
    # 1,000-sentence page or a table of 3-word lines cannot extrapolate the weights.
    sentences_term = min(max(math.log(count + 1), math.log(6)), math.log(151)) - math.log(31)
    words_term = min(max(math.log(words_per + 1), math.log(9)), math.log(61)) - math.log(23)
    return (1.0, sentences_term, words_term)


def _scaled(values: np.ndarray) -> np.ndarray:
    top = values.max() if len(values) else 0.0
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
    language = document.language or guess_language(flat)
    found = terms_of(flat, language)
    unique = dict.fromkeys(found)  # in order of first appearance
    unique.pop("", None)
    vocabulary = {t: i for i, t in enumerate(unique)}
    term_ids = np.fromiter(
        map({**vocabulary, "": -1}.__getitem__, found), dtype=np.intp, count=len(found)
    )
    word_counts = np.asarray([len(s.words) for s in sentences], dtype=float)
    word_sentence = np.repeat(np.arange(n), word_counts.astype(np.intp))
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
    # Similarity to the lead (the first three sentences' summed unit vectors), the sentence's
    # own contribution removed: how much a later sentence restates or continues the lead.
    lead = np.zeros(size)
    in_lead = pair_sentence < 3
    np.add.at(lead, pair_term[in_lead], unit[in_lead])
    lead_similarity = np.bincount(
        pair_sentence, weights=unit * lead[pair_term], minlength=n
    ).astype(float)
    lead_similarity[:3] -= has_terms[:3]
    lead_similarity /= max(1, min(n, 3) - 1)
    title_vector, title_share = _title_vectors(document, vocabulary, weight, n, language)
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
    texts = [s.text for s in sentences]
    english = language == "en"
    # An article's first sentence has nothing before it and never leans (readability rule 1).
    dependent = [i > 0 and depends_on_previous(t, language) for i, t in enumerate(texts)]
    mean_words = word_counts.mean() if n else 1.0
    columns = [
        np.ones(n),
        position == 0,
        position == 1,
        position == 2,
        1.0 / (position + 1),
        np.log1p(position),
        position / max(n, 1),
        _scaled(degree),
        _inverse_ranks(degree),
        first_similarity,
        lead_similarity,
        title_similarity,
        title_hits,
        _scaled(overlap),
        _scaled(density),
        _inverse_ranks(density),
        _scaled(textrank),
        _scaled(frequency),
        _scaled(frequency / np.maximum(term_counts, 1)),
        np.log1p(word_counts),
        np.log((word_counts + 1) / (mean_words + 1)),
        word_counts < 8,
        word_counts > 45,
        [t.startswith(_OPENING_QUOTES) for t in texts],
        [any(q in t for q in _QUOTE_CHARS) for t in texts],
        [not _ATTRIBUTION.isdisjoint(map(str.lower, s.words)) for s in sentences]
        if english
        else np.zeros(n),
        [bool(_NUMBER.search(t)) for t in texts],
        dependent,
        [*dependent[1:], False],  # the next sentence leans on this one
        [t.rstrip("\"'”’ ").endswith("?") for t in texts],
        [not _FIRST_PERSON.isdisjoint(s.words) for s in sentences] if english else np.zeros(n),
        [t.rstrip("\"'”’ ").endswith(":") for t in texts],
    ]
    rows = np.empty((n, len(FEATURE_NAMES)))
    for index, column in enumerate(columns):
        rows[:, index] = column
    starts = np.searchsorted(pair_sentence, np.arange(n + 1))
    return ArticleFeatures(
        rows, document_shape(document), starts, pair_term, unit, language=language
    )


def _title_vectors(
    document: Document, vocabulary: dict[str, int], weight: np.ndarray, n: int, language: str
) -> tuple[np.ndarray, np.ndarray]:
    """Over the article's terms: the title's unit vector, and 1/len(title terms) per title term."""
    title_vector = np.zeros(len(weight))
    title_terms = set(content_terms(words(document.title or ""), language))
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
