"""Topic matching: a topic's keywords against an article's title and text, stemmed, whole words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from summarizer.words import stems


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


def matching_topics(rules: Iterable[TopicRule], title: str, text: str) -> set[int]:
    """Ids of the topics whose keywords match the title or text and whose exclusions do not."""
    # The "|" keeps a phrase from spanning the end of the title and the start of the text.
    haystack = f" {' '.join(stems(title))} | {' '.join(stems(text))} "
    return {
        rule.topic_id
        for rule in rules
        if any(p in haystack for p in rule.include) and not any(p in haystack for p in rule.exclude)
    }
