"""Keyword rules: a list of words ("ukraine ai-safety -sport") matched against a title and the
lead of a text, stemmed, whole words. The one matcher behind admin topics (collector/topics.py)
and a chat's /follow and /mute phrases (bot/personal.py).

Only the title and the lead count: a World report that names a chip maker in its ninth
paragraph is not a Tech story, and a keyword in passing must not pull it into Tech briefings.
Matching is substring search over stemmed words with spaces marking word boundaries, never a
pattern the user wrote: no keyword can be made slow or unsafe.
"""

from __future__ import annotations

from dataclasses import dataclass

from summarizer.words import stems, word_pieces

# The lead: what the report is about is said in its first sentences.
LEAD_WORDS = 60


@dataclass(frozen=True, slots=True)
class KeywordRule:
    """Keywords as stemmed phrases: any `include` pulls a text in, `exclude` wins."""

    rule_id: int
    include: tuple[str, ...]  # each phrase as " stem stem " (spaces mark word boundaries)
    exclude: tuple[str, ...]


def build_rule(rule_id: int, keywords: str) -> KeywordRule:
    """Read a space-separated keyword list ("ukraine ai-safety -sport") into a rule."""
    include, exclude = [], []
    for keyword in keywords.split():
        negative = keyword.startswith("-")
        phrase = stems(keyword.lstrip("-"))  # "ai-safety" is the phrase "ai safety"
        if phrase:
            (exclude if negative else include).append(f" {' '.join(phrase)} ")
    return KeywordRule(rule_id, tuple(include), tuple(exclude))


def lead(text: str, words: int = LEAD_WORDS) -> str:
    """The opening `words` words of a text."""
    return " ".join(word_pieces(text[: words * 20])[:words])


def haystack(title: str, text: str) -> str:
    """The stemmed title and lead that keywords are looked for in (build once, match many)."""
    # The "|" keeps a phrase from spanning the end of the title and the start of the text.
    return f" {' '.join(stems(title))} | {' '.join(stems(lead(text)))} "


def rule_matches(rule: KeywordRule, stack: str) -> bool:
    """Whether any of the rule's phrases is in `stack` (from `haystack`) and none it excludes."""
    return any(p in stack for p in rule.include) and not any(p in stack for p in rule.exclude)
