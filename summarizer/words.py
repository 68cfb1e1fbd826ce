"""Words, stems and stop words: the one place where text becomes comparable terms, per language.

The summarizers, the story clusterer, topic matching, duplicate detection and search all read
words through this module, so "the same word" means the same thing everywhere. Languages are
ISO 639-1 codes ("en", "pt", ...). Stemming is Snowball (through sumy, which adds Czech, Greek,
Polish and Ukrainian stemmers to NLTK's Snowball set; no downloaded data); a language without a
stemmer is compared by lower-cased words, never by English rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache

DEFAULT_LANGUAGE = "en"
# Words as written: letters and digits, keeping inner ' . - as in U.S., don't or e-mail.
_WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")
# The same words cut at their inner punctuation: "ai-safety" is the phrase "ai safety".
_WORD_PIECE = re.compile(r"[^\W_]+")
# Bounded caches: news vocabulary repeats a lot, but a long-running worker must not grow forever.
_CACHE_LIMIT = 300_000

# ISO 639-1 code -> the language name sumy and NLTK use.
LANGUAGE_NAMES = {
    "ar": "arabic",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "he": "hebrew",
    "hu": "hungarian",
    "it": "italian",
    "ja": "japanese",
    "ko": "korean",
    "nb": "norwegian",
    "nl": "dutch",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sk": "slovak",
    "sv": "swedish",
    "th": "thai",
    "uk": "ukrainian",
    "zh": "chinese",
}

# Words of a question that say nothing about its subject ("what's new on ...").
_QUESTION_FILLER_WORDS = """
    a an and are about any anything as at be been but by can could did do does for from
    going had has have he her his how i if in into is it its latest me more my near new news
    not of on or our please s she so some t tell than that the their them there these they
    this those to up update updates us was we were what whats when where which who why will
    with would you your happening happened say said should shall may might must been being
    because very just also only other after before over under again then once here all both
    each few most such no nor own same too now am off out down through during while whom
    him himself herself itself themselves ourselves yours doing having than
"""
_QUESTION_FILLER = frozenset(_QUESTION_FILLER_WORDS.split())
MAX_QUERY_TERMS = 10
MAX_QUERY_TERM_LENGTH = 40


def words(text: str) -> list[str]:
    """The words of a text as written (letters and digits, inner ' . - kept: U.S., don't)."""
    return _WORD.findall(text)


def word_pieces(text: str) -> list[str]:
    """The runs of letters and digits of a text ("AI-safety" gives "AI", "safety")."""
    return _WORD_PIECE.findall(text)


def language_name(language: str | None) -> str | None:
    """The sumy/NLTK name of an ISO 639-1 code ("pt" -> "portuguese"), or None if unknown."""
    if not language:
        return None
    code = language.strip().lower().replace("_", "-").split("-", 1)[0]
    return LANGUAGE_NAMES.get(code)


@cache
def stemmer(language: str = DEFAULT_LANGUAGE) -> Callable[[str], str]:
    """The language's stemmer (lower-cases too); plain lower-casing when it has none."""
    from sumy.nlp.stemmers import Stemmer

    name = language_name(language)
    if name is not None:
        try:
            return Stemmer(name)  # type: ignore[no-any-return]
        except LookupError:
            pass
    return str.lower


@cache
def stop_words(language: str = DEFAULT_LANGUAGE) -> frozenset[str]:
    """The language's stop words (sumy's lists), lower case; empty when there is no list."""
    from sumy.utils import get_stop_words

    name = language_name(language)
    if name is None:
        return frozenset()
    try:
        return frozenset(w.lower() for w in get_stop_words(name))
    except LookupError:
        return frozenset()


class _Vocabulary:
    """One language's caches: word as written -> stem, and word as written -> term."""

    __slots__ = ("stem_word", "stems", "stop", "terms")

    def __init__(self, language: str) -> None:
        self.stem_word = stemmer(language)
        self.stop = stop_words(language)
        self.stems: dict[str, str] = {}
        self.terms: dict[str, str] = {}

    def stem(self, word: str) -> str:
        found = self.stems.get(word)
        if found is None:
            if len(self.stems) >= _CACHE_LIMIT:
                self.stems.clear()
            found = self.stems[word] = self.stem_word(word.lower())
        return found

    def term(self, word: str) -> str:
        found = self.terms.get(word)
        if found is None:
            if len(self.terms) >= _CACHE_LIMIT:
                self.terms.clear()
            lowered = word.lower()
            if len(lowered) < 2 or lowered in self.stop:
                found = ""
            else:
                # Short words are names and acronyms more often than inflected forms.
                found = self.stem(word) if len(lowered) > 3 else lowered
            self.terms[word] = found
        return found


@cache
def _vocabulary(language: str) -> _Vocabulary:
    return _Vocabulary(language)


def stem(word: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The lower-case stem of one word."""
    return _vocabulary(language).stem(word)


def stems(text: str, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Every word piece of the text, stemmed, in order (stop words kept: phrases need them)."""
    vocabulary = _vocabulary(language)
    return [vocabulary.stem(piece) for piece in word_pieces(text)]


def term(word: str, language: str = DEFAULT_LANGUAGE) -> str:
    """A word's comparable term: its lower-case stem, or "" for a stop word or single letter."""
    return _vocabulary(language).term(word)


def content_terms(tokens: Sequence[str], language: str = DEFAULT_LANGUAGE) -> list[str]:
    """The terms of tokenised text, stop words and single letters dropped, in order."""
    vocabulary = _vocabulary(language)
    get = vocabulary.terms.get
    found = [get(word) for word in tokens]
    if None in found:  # the fast path above is a plain dict lookup for known words
        found = [vocabulary.term(word) for word in tokens]
    return [t for t in found if t]


def terms_of(tokens: Iterable[str], language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Each token's term ("" kept for stop words), for callers that need positions."""
    vocabulary = _vocabulary(language)
    tokens = list(tokens)
    found = list(map(vocabulary.terms.get, tokens))
    if None in found:  # the fast path above is a plain dict lookup for known words
        found = [vocabulary.term(word) for word in tokens]
    return found  # type: ignore[return-value]


def query_terms(text: str) -> list[str]:
    """The subject words of a query or question: lower-case, no filler, at most 10."""
    found: list[str] = []
    for word in word_pieces(text.lower()):
        if word in _QUESTION_FILLER or len(word) > MAX_QUERY_TERM_LENGTH or word in found:
            continue
        if len(word) == 1 and not word.isdigit():
            continue
        found.append(word)
    return found[:MAX_QUERY_TERMS]
