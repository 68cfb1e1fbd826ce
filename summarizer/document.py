"""An article prepared for scoring: cleaned sentences with their place in the text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from summarizer.boilerplate import clean_paragraphs
from summarizer.words import language_code

# Larger inputs are cut here: a real article is far shorter, and the cut keeps one huge
# scraped page from stalling a worker.
MAX_INPUT_CHARS = 400_000


class Sentence(NamedTuple):
    """One candidate sentence, where it stands in the article, and its words."""

    text: str
    paragraph: int  # index of its paragraph among the kept paragraphs
    position: int  # index in its paragraph
    words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    """The article's title and its candidate sentences in document order."""

    title: str | None
    sentences: tuple[Sentence, ...]
    language: str = ""  # ISO 639-1 code when the caller gave one; "" = unknown (guessed)

    @property
    def texts(self) -> list[str]:
        """The sentence texts in document order."""
        return [s.text for s in self.sentences]

    @property
    def paragraphs(self) -> list[list[str]]:
        """The sentence texts grouped by paragraph."""
        grouped: list[list[str]] = []
        for sentence in self.sentences:
            if sentence.paragraph >= len(grouped):
                grouped.append([])
            grouped[-1].append(sentence.text)
        return grouped


def prepare_document(text: str, title: str | None = None, language: str | None = None) -> Document:
    """Clean the text (boilerplate, repeated title) and split it into candidate sentences by
    the rules of `language` (ISO code or name; None: unknown, split as English)."""
    if not isinstance(text, str):
        text = str(text or "")
    title = title.strip() or None if isinstance(title, str) else None
    paragraphs = clean_paragraphs(text[:MAX_INPUT_CHARS], title, language)
    sentences = tuple(
        Sentence(text=s, paragraph=p, position=i, words=tuple(tokens))
        for p, paragraph in enumerate(paragraphs)
        for i, (s, tokens) in enumerate(paragraph)
    )
    return Document(title=title, sentences=sentences, language=language_code(language))
