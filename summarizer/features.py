"""Sentence features for news scoring: position, centrality, title overlap, length, style.

Everything here is linear in the article's length: centrality is the cosine "degree" of each
sentence, computed against the sum of all unit sentence vectors instead of pairwise.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from summarizer.document import Document
from summarizer.sentences import words

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
    "log_length",
    "short",
    "long",
    "quote",
    "number",
    "dangling_start",
    "question",
    "inverse_position_x_log_sentences",
    "centrality_x_log_sentences",
    "overlap_degree",
    "overlap_density",
    "overlap_rank",
    "overlap_x_log_sentences",
    "log_length_x_log_sentences",
    "inverse_position_x_paragraph_size",
    "overlap_x_paragraph_size",
    "log_length_x_paragraph_size",
    "frequency_sum",
    "frequency_mean",
    "textrank_overlap",
    "title_hits",
)
Vector = dict[str, float]

_STEM_CACHE_LIMIT = 200_000
_QUOTES = re.compile(r"^[\"'“‘]|[\"“”]")
_NUMBER = re.compile(r"\d")
_DANGLING = re.compile(
    r"^(but|and|or|so|also|however|meanwhile|still|yet|this|that|these|those|it|its|he|she|"
    r"they|his|her|their|we|i|such|there|then|instead|moreover|furthermore|besides)\b",
    re.IGNORECASE,
)


@cache
def _stop_words() -> frozenset[str]:
    from sumy.utils import get_stop_words

    return frozenset(get_stop_words("english"))


@cache
def _porter():  # type: ignore[no-untyped-def]
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


_stems: dict[str, str] = {}


def stem(word: str) -> str:
    """Porter stem of a lower-case word, memoised (the vocabulary of news repeats a lot)."""
    cached = _stems.get(word)
    if cached is None:
        if len(_stems) >= _STEM_CACHE_LIMIT:
            _stems.clear()  # bounded memory in a long-running worker
        cached = _stems[word] = _porter().stem(word) if len(word) > 3 else word
    return cached


def content_terms(text: str) -> list[str]:
    """Stemmed content words of a text: stop words and one-letter tokens dropped."""
    stop = _stop_words()
    terms = []
    for word in words(text):
        lowered = word.lower()
        if len(lowered) > 1 and lowered not in stop:
            terms.append(stem(lowered))
    return terms


@dataclass(frozen=True, slots=True)
class SentenceVectors:
    """Unit TF-ISF vectors of the sentences and of the title, plus word counts."""

    sentences: list[Vector]
    title: Vector
    word_counts: list[int]
    overlap: list[float]  # how many other sentences share each term, summed over its terms
    term_counts: list[int]
    frequency: list[float]  # article frequency of each of its terms, summed (Luhn, SumBasic)
    title_hits: list[float]  # share of the title's terms the sentence contains


def sentence_vectors(document: Document) -> SentenceVectors:
    """TF-ISF unit vectors (inverse sentence frequency within this article)."""
    term_lists = [content_terms(s.text) for s in document.sentences]
    count = len(term_lists)
    sentence_frequency: Counter[str] = Counter()
    for terms in term_lists:
        sentence_frequency.update(set(terms))
    weight = {t: math.log(1.0 + count / f) for t, f in sentence_frequency.items()}
    vectors = [_unit({t: c * weight[t] for t, c in Counter(terms).items()}) for terms in term_lists]
    title_terms = content_terms(document.title or "")
    title = _unit({t: weight.get(t, math.log(1.0 + count)) for t in set(title_terms)})
    word_counts = [len(words(s.text)) for s in document.sentences]
    overlap = [float(sum(sentence_frequency[t] - 1 for t in set(terms))) for terms in term_lists]
    term_counts = [len(terms) for terms in term_lists]
    term_frequency = Counter(t for terms in term_lists for t in terms)
    frequency = [float(sum(term_frequency[t] - 1 for t in terms)) for terms in term_lists]
    title_set = set(title_terms)
    title_hits = [
        len(title_set.intersection(terms)) / len(title_set) if title_set else 0.0
        for terms in term_lists
    ]
    return SentenceVectors(
        vectors, title, word_counts, overlap, term_counts, frequency, title_hits
    )


def _unit(vector: Vector) -> Vector:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {t: v / norm for t, v in vector.items()} if norm else {}


def cosine(a: Vector, b: Vector) -> float:
    """Dot product of two unit vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def sentence_features(document: Document, vectors: SentenceVectors) -> list[list[float]]:
    """One row of FEATURE_NAMES values per sentence of the document."""
    count = len(document.sentences)
    if not count:
        return []
    centroid: Vector = {}
    for vector in vectors.sentences:
        for term, value in vector.items():
            centroid[term] = centroid.get(term, 0.0) + value
    degree = [cosine(v, centroid) - (1.0 if v else 0.0) for v in vectors.sentences]
    top_degree = max(degree) or 1.0
    ranks = {i: r for r, i in enumerate(sorted(range(count), key=lambda i: -degree[i]))}
    first = vectors.sentences[0]
    log_sentences = math.log(count + 1)
    # Word overlap with the other sentences, not length-normalised: the long sentences that
    # share the article's vocabulary are the ones that cover most of a reference summary.
    overlap = vectors.overlap
    top_overlap = max(overlap) or 1.0
    density = [o / math.sqrt(1 + n) for o, n in zip(overlap, vectors.term_counts, strict=True)]
    top_density = max(density) or 1.0
    overlap_ranks = {i: r for r, i in enumerate(sorted(range(count), key=lambda i: -density[i]))}
    # Long multi-sentence paragraphs and short one-sentence ones call for different balances
    # of position and overlap; this lets the linear model learn the difference.
    paragraph_size = math.log(count / (document.sentences[-1].paragraph + 1) + 1)
    frequency = vectors.frequency
    top_frequency = max(frequency) or 1.0
    mean_frequency = [f / max(1, n) for f, n in zip(frequency, vectors.term_counts, strict=True)]
    top_mean_frequency = max(mean_frequency) or 1.0
    # TextRank's similarity divides shared words by the sentences' log lengths.
    mean_log_terms = sum(math.log(2 + n) for n in vectors.term_counts) / count
    textrank = [
        o / (math.log(2 + n) + mean_log_terms)
        for o, n in zip(overlap, vectors.term_counts, strict=True)
    ]
    top_textrank = max(textrank) or 1.0
    rows = []
    for i, sentence in enumerate(document.sentences):
        n_words = vectors.word_counts[i]
        centrality = degree[i] / top_degree
        inverse_position = 1.0 / (i + 1)
        rows.append(
            [
                1.0,
                float(i == 0),
                float(i == 1),
                float(i == 2),
                inverse_position,
                i / count,
                1.0 / (sentence.paragraph + 1),
                float(sentence.position == 0),
                centrality,
                1.0 / (ranks[i] + 1),
                cosine(vectors.sentences[i], first) if i else 1.0,
                cosine(vectors.sentences[i], vectors.title),
                math.log(1 + n_words),
                float(n_words < 8),
                float(n_words > 45),
                float(bool(_QUOTES.search(sentence.text))),
                float(bool(_NUMBER.search(sentence.text))),
                float(bool(_DANGLING.match(sentence.text))),
                float(sentence.text.rstrip("\"'”’ ").endswith("?")),
                inverse_position * log_sentences,
                centrality * log_sentences,
                overlap[i] / top_overlap,
                density[i] / top_density,
                1.0 / (overlap_ranks[i] + 1),
                overlap[i] / top_overlap * log_sentences,
                math.log(1 + n_words) * log_sentences,
                inverse_position * paragraph_size,
                overlap[i] / top_overlap * paragraph_size,
                math.log(1 + n_words) * paragraph_size,
                frequency[i] / top_frequency,
                mean_frequency[i] / top_mean_frequency,
                textrank[i] / top_textrank,
                vectors.title_hits[i],
            ]
        )
    return rows
