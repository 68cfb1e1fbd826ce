"""The sentences of several articles about one story, pooled: what a story summary and a
follow-up answer both choose from, in any language.

Each article's first MAX_ARTICLE_CHARS are split by the language's rules
(`summarizer.sentences`); headings, captions, fragments and run-ons are dropped (and, in
English, the page furniture `summarizer.boilerplate` knows). Every kept sentence gets its words
(Unicode, `summarizer.words.unicode_words`), its content terms (stop words out, Snowball-stemmed
where the language has a stemmer) and its concepts (content terms and word pairs), plus a unit
TF-ISF vector over the terms on demand (centrality and redundancy of an answer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import regex

from summarizer.boilerplate import boilerplate_kind
from summarizer.sentences import split_paragraph, split_paragraphs
from summarizer.words import (
    frequent_words,
    guess_language,
    language_code,
    language_stop_words,
    unicode_stem,
    unicode_words,
    words,
)

# The substance of a news article is in its first few thousand characters; a cut keeps one
# huge page from dominating the pool or the time it takes.
MAX_ARTICLES = 12
MAX_ARTICLE_CHARS = 12_000
MAX_SENTENCES_PER_ARTICLE = 60
# Fragments (a dateline, "Watch:") and run-ons (a flattened table) are not summary material.
MIN_WORDS, MAX_WORDS = 8, 120
_FINAL = regex.compile(r"[.!?…।॥؟;。][\"'”’»)\]]*$")
_TEASER = regex.compile(r"(\.\.\.|…)[\"'”’»)\]]*$")
# A wire dateline opening an article ("WASHINGTON (Reuters) - ", "LONDON, England (CNN) -- ",
# "(CNN) -- "): who filed it from where, not what happened. A reader does not need it, and it
# makes one outlet's lead look unlike another's report of the same fact. A bare place
# ("SÃO PAULO - ") stays: without the agency it is as often the news's only "where".
_DATELINE = regex.compile(
    r"^(?:\p{Lu}[\p{Lu}\p{M}'’.\- ]{1,40}(?:,\s*[\p{L}\p{M} .]{1,30})?\s*)?"
    r"\([^()]{1,40}\)\s*[-–—]{1,2}\s+(?=\p{Lu})"
)
_CREDIT = regex.compile(
    r"(?:\b(?:Ảnh|Photo|Foto|Φωτογραφία|Image|Crédit photo|Fotografia|Đồ họa)\s*:"
    r"|\((?:AP|AFP|Reuters) Photo)",
    regex.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class StoryArticle:
    """One source's article of a story: the outlet's name, the title and the clean text; its
    language (ISO code or name; "" = guess among a few, else English) and when it was
    published (any sortable value: datetime, ISO string; None = order of the list)."""

    source: str
    title: str
    text: str
    language: str = ""
    published: object | None = None


@dataclass(frozen=True, slots=True)
class CitedSentence:
    """A chosen sentence and the index (in the given articles) of the article it comes from."""

    text: str
    source: int


@dataclass(slots=True)
class PooledSentence:
    """One candidate sentence and where it stands in its article."""

    text: str
    article: int  # index among the given articles
    index: int  # position among its article's kept sentences
    raw: int  # position among all its article's sentences (kept or not): adjacency
    tokens: list[str]  # lower-cased Unicode words
    count: int = 0  # sentences kept in its article
    terms: list[str] = field(default_factory=list)  # content terms, in order
    concepts: set[str] = field(default_factory=set)  # content terms and word pairs


@dataclass(slots=True)
class SentencePool:
    """Pooled sentences in article order, their language and its stop words."""

    sentences: list[PooledSentence]
    language: str
    stop: frozenset[str]

    def __len__(self) -> int:
        return len(self.sentences)

    @property
    def texts(self) -> list[str]:
        return [s.text for s in self.sentences]

    @property
    def article(self) -> np.ndarray:
        return np.asarray([s.article for s in self.sentences], dtype=int)

    @property
    def position(self) -> np.ndarray:
        return np.asarray([s.index for s in self.sentences], dtype=int)

    @property
    def terms(self) -> list[frozenset[str]]:
        return [frozenset(s.terms) for s in self.sentences]

    def similarity(self) -> np.ndarray:
        """Cosine similarity of every pair of pooled sentences (unit TF-ISF vectors)."""
        vectors = _unit_vectors([s.terms for s in self.sentences])
        return vectors @ vectors.T

    def text_terms(self, text: str) -> set[str]:
        """The content terms of any text (a question, a title), as the pool's are made."""
        return set(content_of(unicode_words(text), self.language, self.stop)[0])


def story_language(articles: Sequence[StoryArticle], language: str | None = None) -> str:
    """The story's ISO code: `language` if given, else the articles' most common one, else the
    best guess from the first article's words (English when nothing fits)."""
    if language:
        return language_code(language)
    codes = [language_code(a.language) for a in articles if a.language]
    codes = [c for c in codes if c]
    if codes:
        return max(sorted(set(codes)), key=codes.count)
    sample = words(" ".join(a.text[:2000] for a in articles[:3]))
    return guess_language(sample)


def _article_sentences(article: StoryArticle, number: int, language: str) -> list[PooledSentence]:
    kept: list[PooledSentence] = []
    raw = -1
    english = language == "en"
    for paragraph in split_paragraphs(article.text[:MAX_ARTICLE_CHARS]):
        for sentence in split_paragraph(paragraph, language):
            raw += 1
            if raw == 0:
                sentence = _DATELINE.sub("", sentence, count=1)
            tokens = unicode_words(sentence)
            if not MIN_WORDS <= len(tokens) <= MAX_WORDS:
                continue
            if not _FINAL.search(sentence) or _TEASER.search(sentence) or _CREDIT.search(sentence):
                continue  # headings, captions with a photo credit, "Read more..." teasers
            if english and boilerplate_kind(sentence) is not None:
                continue
            kept.append(PooledSentence(sentence, number, len(kept), raw, tokens))
            if len(kept) >= MAX_SENTENCES_PER_ARTICLE:
                for s in kept:
                    s.count = len(kept)
                return kept
    for s in kept:
        s.count = len(kept)
    return kept


def content_of(
    tokens: Sequence[str], language: str, stop: frozenset[str]
) -> tuple[list[str], set[str]]:
    """Content terms (in order) and concepts (content terms + word pairs that are not two stop
    words) of lower-cased tokens."""
    stems = [unicode_stem(t, language) for t in tokens]
    # Single letters are initials or particles; digits are facts and stay.
    content = [
        s
        for s, t in zip(stems, tokens, strict=True)
        if t not in stop and (len(t) > 1 or not t.isalpha())
    ]
    concepts = set(content)
    for a, b, sa, sb in zip(tokens, tokens[1:], stems, stems[1:], strict=False):
        if not (a in stop and b in stop):  # "of the" says nothing about the story
            concepts.add(f"{sa} {sb}")
    return content, concepts


def pool_sentences(articles: Sequence[StoryArticle], language: str | None = None) -> SentencePool:
    """The usable sentences of up to MAX_ARTICLES articles, in article order.

    Stop words: the language's list (`summarizer.words.language_stop_words`), or, for a
    language without one, the words in 30 % of the story's own sentences."""
    code = story_language(articles, language)
    sentences: list[PooledSentence] = []
    for number, article in enumerate(articles[:MAX_ARTICLES]):
        sentences.extend(_article_sentences(article, number, code))
    stop = language_stop_words(code) or frequent_words([s.tokens for s in sentences])
    for s in sentences:
        s.terms, s.concepts = content_of(s.tokens, code, stop)
    return SentencePool(sentences, code, stop)


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


def centrality(similarity: np.ndarray) -> np.ndarray:
    """Each sentence's summed similarity to the others, scaled so the most central is 1."""
    raw = np.maximum(similarity.sum(axis=1) - 1.0, 0.0)
    top = raw.max() if len(raw) else 0.0
    return raw / top if top > 0 else raw
