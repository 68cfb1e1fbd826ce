"""Topic matching: an admin topic's keywords against an article's title and lead (the rules are
summarizer/keywords.py's, shared with the chats' /follow and /mute phrases)."""

from __future__ import annotations

from collections.abc import Iterable

from summarizer.keywords import KeywordRule, build_rule, haystack, rule_matches

TopicRule = KeywordRule  # a topic's rule: its id is the topic's

__all__ = ["TopicRule", "build_rule", "matching_topics"]


def matching_topics(
    rules: Iterable[TopicRule], title: str, text: str, language: str | None = None
) -> set[int]:
    """Ids of the topics whose keywords match the title or the text's lead and whose
    exclusions do not, both stemmed by the rules of the text's `language` (ISO code; None:
    English), so "eleições" finds "eleição" in a Portuguese article."""
    stack = haystack(title, text, language)
    return {rule.rule_id for rule in rules if rule_matches(rule, stack, language)}
