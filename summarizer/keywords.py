"""Keyword rules: a list of words ("ukraine ai-safety -sport") matched against a title and the
lead of a text, stemmed, whole words. The one matcher behind admin topics (collector/topics.py)
and a chat's /follow and /mute phrases (bot/personal.py).

Only the title and the lead count: a World report that names a chip maker in its ninth
paragraph is not a Tech story, and a keyword in passing must not pull it into Tech briefings.
Matching is substring search over stemmed words with spaces marking word boundaries, never a
pattern the user wrote: no keyword can be made slow or unsafe.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from summarizer.words import DEFAULT_LANGUAGE, stems, word_pieces

# The lead: what the report is about is said in its first sentences.
LEAD_WORDS = 60


@dataclass(frozen=True, slots=True)
class KeywordRule:
    """Keywords as written: any `include_words` pulls a text in, `exclude_words` wins. Each
    language stems them its own way (`phrases`)."""

    rule_id: int
    include_words: tuple[str, ...]  # e.g. ("ukraine", "ai-safety")
    exclude_words: tuple[str, ...]  # without their "-"

    @property
    def include(self) -> tuple[str, ...]:
        """The include phrases in the default language (empty: nothing to look for)."""
        return _phrases(self.include_words, None)


def build_rule(rule_id: int, keywords: str) -> KeywordRule:
    """Read a space-separated keyword list ("ukraine ai-safety -sport") into a rule."""
    include, exclude = [], []
    for keyword in keywords.split():
        negative = keyword.startswith("-")
        word = keyword.lstrip("-")
        if word:
            (exclude if negative else include).append(word)
    return KeywordRule(rule_id, tuple(include), tuple(exclude))


@functools.lru_cache(maxsize=4096)
def _phrases(words: tuple[str, ...], language: str | None) -> tuple[str, ...]:
    """Each keyword as " stem stem " in `language` ("ai-safety" is the phrase "ai safety");
    a language without a stemmer keeps the lower-case words, never English rules."""
    found = []
    for word in words:
        phrase = stems(word, language or DEFAULT_LANGUAGE)
        if phrase:
            found.append(f" {' '.join(phrase)} ")
    return tuple(found)


def lead(text: str, words: int = LEAD_WORDS) -> str:
    """The opening `words` words of a text."""
    return " ".join(word_pieces(text[: words * 20])[:words])


def haystack(title: str, text: str, language: str | None = None) -> str:
    """The stemmed title and lead that keywords are looked for in (build once, match many),
    stemmed by the rules of the text's `language` (None: the default, English)."""
    code = language or DEFAULT_LANGUAGE
    # The "|" keeps a phrase from spanning the end of the title and the start of the text.
    return f" {' '.join(stems(title, code))} | {' '.join(stems(lead(text), code))} "


def rule_matches(rule: KeywordRule, stack: str, language: str | None = None) -> bool:
    """Whether any of the rule's phrases is in `stack` (from `haystack`, in the same
    `language`) and none it excludes."""
    include = _phrases(rule.include_words, language)
    return any(p in stack for p in include) and not any(
        p in stack for p in _phrases(rule.exclude_words, language)
    )
