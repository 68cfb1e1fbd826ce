"""A chat's /follow and /mute words applied to a briefing's candidates.

A followed phrase works like a topic of the chat's own: stories it matches (title and lead,
stemmed, as admin topics match: summarizer/keywords.py) join the candidates under a heading of its
words, with the id -filter_id so they never collide with a real topic. A muted phrase drops every
story it matches, whatever topic carries it. Matching is plain substring search over stemmed
words, never a pattern the user wrote: a filter cannot be made slow or unsafe.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.i18n import _
from bot.ranking import Offer
from storage.briefings import Candidate, RecentStory
from storage.preferences import FOLLOW, MUTE, Filter
from summarizer.keywords import KeywordRule, build_rule, haystack, rule_matches


@functools.lru_cache(maxsize=20_000)
def story_haystack(title: str, summary: str) -> str:
    """A story's stemmed title and lead; cached: every chat's filters meet the same stories."""
    return haystack(title, summary)


def follow_heading(keywords: str) -> str:
    """The topic heading of a followed phrase's stories (in the current language)."""
    return _("Following “{keywords}”", keywords=keywords)


@dataclass(frozen=True)
class PersonalRules:
    """One chat's filters as matching rules."""

    follows: tuple[KeywordRule, ...] = ()
    mutes: tuple[KeywordRule, ...] = ()
    phrases: dict[int, str] = field(default_factory=dict)  # -filter_id -> its words

    @classmethod
    def of(cls, entries: Iterable[Filter]) -> PersonalRules:
        """The rules of a chat's stored filters."""
        follows, mutes, phrases = [], [], {}
        for entry in entries:
            rule = build_rule(-entry.id, entry.keywords)
            if entry.kind == FOLLOW:
                follows.append(rule)
                phrases[-entry.id] = entry.keywords
            elif entry.kind == MUTE:
                mutes.append(rule)
        return cls(tuple(follows), tuple(mutes), phrases)

    @property
    def follow_ids(self) -> set[int]:
        """The pseudo-topic ids of the followed phrases."""
        return {rule.rule_id for rule in self.follows}

    def followed_candidates(self, recent: Sequence[RecentStory]) -> list[Candidate]:
        """A candidate for every (recent story, followed phrase) that matches."""
        if not self.follows:
            return []
        found = []
        for story in recent:
            stack = story_haystack(story.title, story.summary)
            for rule in self.follows:
                if rule_matches(rule, stack):
                    found.append(
                        Candidate(
                            story.story_id,
                            rule.rule_id,
                            story.news_at,
                            story.source_count,
                            via_feed=False,
                            weight=story.weight,
                        )
                    )
        return found

    def without_muted(
        self, offers: list[Offer], texts: Mapping[int, tuple[str, str]]
    ) -> list[Offer]:
        """The offers whose story (title, summary in `texts`) no muted phrase matches."""
        if not self.mutes:
            return offers
        return [offer for offer in offers if not self.muted(texts.get(offer.story_id))]

    def muted(self, text: tuple[str, str] | None) -> bool:
        """Whether a muted phrase matches a story's (title, summary)."""
        if not self.mutes or text is None:
            return False
        stack = story_haystack(*text)
        return any(rule_matches(rule, stack) for rule in self.mutes)

    def follows_text(self, text: tuple[str, str] | None) -> bool:
        """Whether a followed phrase matches a story's (title, summary)."""
        if not self.follows or text is None:
            return False
        stack = story_haystack(*text)
        return any(rule_matches(rule, stack) for rule in self.follows)


NO_RULES = PersonalRules()
