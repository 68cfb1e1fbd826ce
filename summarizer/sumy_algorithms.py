"""sumy's algorithms run on our cleaned sentences, with our tokenizer (no NLTK data needed)."""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Callable
from functools import cache
from typing import Any

from summarizer.document import Document
from summarizer.sentences import split_sentences
from summarizer.words import DEFAULT_LANGUAGE, stemmer, stop_words, words

LANGUAGE = "english"
SUMY_ALGORITHMS: tuple[str, ...] = (
    "lexrank",
    "textrank",
    "lsa",
    "luhn",
    "edmundson",
    "kl",
    "sumbasic",
    "reduction",
)
# Quadratic and worse algorithms see only the first sentences of a huge page, so one giant
# input cannot stall a worker; the linear ones get a generous cap for the same reason.
SENTENCE_CAPS: dict[str, int] = {
    "lexrank": 250,
    "textrank": 250,
    "lsa": 250,
    "reduction": 250,
    "kl": 120,
    "sumbasic": 400,
    "luhn": 1000,
    "edmundson": 1000,
}
# Edmundson's cue method needs stigma words: words of page furniture lower a sentence's rank.
STIGMA_WORDS = ("advertisement", "subscribe", "newsletter", "click", "copyright", "caption")
# sumy's stock tokenizer keeps only alphabetic words (with inner ' and -); so do we.
_SUMY_WORD = re.compile(r"^[^\W\d_](?:[^\W\d_]|['-])*$")


class SumyTokenizer:
    """The tokenizer interface sumy expects (`to_sentences`, `to_words`), on our sentence rules."""

    language = LANGUAGE

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        """The sentences of a paragraph."""
        return tuple(split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """The alphabetic words of a sentence, as sumy's own tokenizer would keep them."""
        return tuple(w for w in words(sentence) if _SUMY_WORD.match(w))


@cache
def _tokenizer() -> SumyTokenizer:
    return SumyTokenizer()


@cache
def _summarizer(name: str) -> Callable[[Any, int], Any]:
    """A configured sumy summarizer instance (all but Edmundson), built once per process."""
    from sumy.summarizers.kl import KLSummarizer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.reduction import ReductionSummarizer
    from sumy.summarizers.sum_basic import SumBasicSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    classes = {
        "lexrank": LexRankSummarizer,
        "textrank": TextRankSummarizer,
        "lsa": LsaSummarizer,
        "luhn": LuhnSummarizer,
        "kl": KLSummarizer,
        "sumbasic": SumBasicSummarizer,
        "reduction": ReductionSummarizer,
    }
    summarizer = classes[name](stemmer(DEFAULT_LANGUAGE))
    summarizer.stop_words = stop_words(DEFAULT_LANGUAGE)
    return summarizer


def _edmundson(document: Document) -> Callable[[Any, int], Any]:
    """Edmundson's summarizer for one document; its bonus (cue) words are the title's."""
    from sumy.summarizers.edmundson import EdmundsonSummarizer

    summarizer = EdmundsonSummarizer(stemmer(DEFAULT_LANGUAGE))
    summarizer.null_words = stop_words(DEFAULT_LANGUAGE)
    summarizer.stigma_words = STIGMA_WORDS
    summarizer.bonus_words = _bonus_words(document)
    return summarizer


def _bonus_words(document: Document) -> list[str]:
    """The title's content words, or the article's most frequent ones when it has no title."""
    stop, to_words = stop_words(DEFAULT_LANGUAGE), _tokenizer().to_words
    title_words = [w for w in to_words(document.title or "") if w.lower() not in stop]
    if title_words:
        return title_words
    counts = Counter(
        w.lower() for s in document.sentences for w in to_words(s.text) if w.lower() not in stop
    )
    return [w for w, _ in counts.most_common(10)] or ["news"]


def _sumy_document(document: Document, cap: int) -> Any:
    from sumy.models.dom import ObjectDocumentModel, Paragraph
    from sumy.models.dom import Sentence as SumySentence

    tokenizer = _tokenizer()
    paragraphs: list[list[SumySentence]] = []
    if document.title:
        paragraphs.append([SumySentence(document.title, tokenizer, is_heading=True)])
    for index, sentence in enumerate(document.sentences[:cap]):
        if sentence.position == 0 or index == 0:
            paragraphs.append([])
        paragraphs[-1].append(SumySentence(sentence.text, tokenizer))
    return ObjectDocumentModel(Paragraph(p) for p in paragraphs if p)


def summarize_with_sumy(
    document: Document, name: str, count: int, *, cap: int | None = None
) -> list[str]:
    """The `count` sentences sumy's algorithm `name` picks, in document order.

    Only the first `cap` sentences are seen (default: SENTENCE_CAPS[name]).
    """
    if not document.sentences or count <= 0:
        return []
    summarizer = _edmundson(document) if name == "edmundson" else _summarizer(name)
    sumy_document = _sumy_document(document, SENTENCE_CAPS[name] if cap is None else cap)
    with warnings.catch_warnings():
        # LexRank's power method divides by a zero norm when no two sentences share a word.
        warnings.simplefilter("ignore", RuntimeWarning)
        return [str(s) for s in summarizer(sumy_document, count)]
