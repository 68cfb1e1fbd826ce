"""Topic matching: a topic's keywords against an article's title and lead, stemmed, whole words.

Only the title and the lead count: a World report that names a chip maker in its ninth
paragraph is not a Tech story, and a keyword in passing must not pull it into Tech briefings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from summarizer.words import stems, word_pieces

# The lead: what the report is about is said in its first sentences.
LEAD_WORDS = 60


@dataclass(frozen=True, slots=True)
class TopicRule:
    """A topic's keywords as stemmed phrases: any `include` pulls an article in, `exclude` wins."""

    topic_id: int
    include: tuple[str, ...]  # each phrase as " stem stem " (spaces mark word boundaries)
    exclude: tuple[str, ...]


def build_rule(topic_id: int, keywords: str) -> TopicRule:
    """Read a space-separated keyword list ("ukraine ai-safety -sport") into a rule."""
    include, exclude = [], []
    for keyword in keywords.split():
        negative = keyword.startswith("-")
        phrase = stems(keyword.lstrip("-"))  # "ai-safety" is the phrase "ai safety"
        if phrase:
            (exclude if negative else include).append(f" {' '.join(phrase)} ")
    return TopicRule(topic_id, tuple(include), tuple(exclude))


def lead(text: str, words: int = LEAD_WORDS) -> str:
    """The opening `words` words of a text."""
    return " ".join(word_pieces(text[: words * 20])[:words])


def haystack(title: str, text: str) -> str:
    """The stemmed title and lead that keywords are looked for in (build once, match many)."""
    # The "|" keeps a phrase from spanning the end of the title and the start of the text.
    return f" {' '.join(stems(title))} | {' '.join(stems(lead(text)))} "


def rule_matches(rule: TopicRule, stack: str) -> bool:
    """Whether any of the rule's phrases is in `stack` (from `haystack`) and none it excludes."""
    return any(p in stack for p in rule.include) and not any(p in stack for p in rule.exclude)


def matching_topics(rules: Iterable[TopicRule], title: str, text: str) -> set[int]:
    """Ids of the topics whose keywords match the title or the text's lead and whose
    exclusions do not."""
    stack = haystack(title, text)
    return {rule.topic_id for rule in rules if rule_matches(rule, stack)}
