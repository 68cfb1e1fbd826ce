"""The public entry point: `summarize(text, ...)` with any algorithm by name."""

from __future__ import annotations

import logging

from summarizer.boilerplate import UNSPACED_SCRIPT
from summarizer.document import Document, prepare_document
from summarizer.news import summarize_news
from summarizer.sumy_algorithms import SUMY_ALGORITHMS, summarize_with_sumy

logger = logging.getLogger(__name__)

ALGORITHMS: tuple[str, ...] = ("news", "lead", *SUMY_ALGORITHMS)
MAX_SENTENCES = 100


class UnknownAlgorithmError(ValueError):
    """The algorithm name is not one of ALGORITHMS."""

    def __init__(self, name: object) -> None:
        super().__init__(f"unknown algorithm {name!r}; choose one of: {', '.join(ALGORITHMS)}")
        self.name = name


def check_algorithm(name: str) -> str:
    """The algorithm name normalised (case, spaces, dashes), or UnknownAlgorithmError."""
    normalized = str(name).strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    if normalized not in ALGORITHMS:
        raise UnknownAlgorithmError(name)
    return normalized


def _clamp(count: int) -> int:
    return max(0, min(int(count), MAX_SENTENCES))


def summarize_document(document: Document, count: int, algorithm: str = "news") -> list[str]:
    """The `count` best sentences of a prepared document by `algorithm`, in document order."""
    algorithm = check_algorithm(algorithm)
    count = _clamp(count)
    if count == 0 or not document.sentences:
        return []
    if algorithm == "news" and is_unspaced(document):
        # The model's features count words; a script written without spaces has none to
        # count (a sentence is one "word"), so its summary is the opening, as editors write it.
        return document.texts[:count]
    if algorithm == "news":
        return summarize_news(document, count)
    if algorithm == "lead":
        return document.texts[:count]
    return summarize_with_sumy(document, algorithm, count)


def is_unspaced(document: Document) -> bool:
    """Whether the document is written in a script without spaces between words (Chinese,
    Japanese, Thai, Lao, Khmer, Burmese): most of its letters are of such a script."""
    sample = "".join(document.texts[:5])[:2000]
    letters = sum(1 for c in sample if c.isalpha())
    return bool(letters) and len(UNSPACED_SCRIPT.findall(sample)) * 2 >= letters


def summarize(
    text: str,
    *,
    title: str | None = None,
    sentences: int = 3,
    algorithm: str = "news",
    language: str | None = None,
) -> list[str]:
    """The `sentences` best sentences of an article (boilerplate dropped), in document order.

    `language`: ISO code or name of the text; None: guessed (`news`), English otherwise."""
    algorithm = check_algorithm(algorithm)
    try:
        document = prepare_document(text, title, language)
    except Exception:
        logger.exception("could not split a %d-character text into sentences", len(str(text)))
        return []
    try:
        return summarize_document(document, sentences, algorithm)
    except Exception:
        # A summary is best effort: one odd page must never take a collector worker down.
        logger.exception(
            "%s failed on a %d-sentence text; using the lead", algorithm, len(document.sentences)
        )
        return document.texts[: _clamp(sentences)]
