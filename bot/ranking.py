"""How stories rank in a briefing and how a briefing shares its items between topics: pure
rules, beside the builder that applies them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

# Half the importance is lost every this many hours: this morning's story beats yesterday's.
RECENCY_HALF_LIFE_HOURS = 12.0


def importance(
    source_count: int, age_hours: float, topic_matches: int = 1, weight: float = 1.0
) -> float:
    """A story's rank score: more distinct sources, fresher (by its publication time), more
    followed topics, weightier feeds rank higher. Sources count by their logarithm: the tenth
    outlet adds less than the second."""
    sources = 1.0 + math.log2(max(source_count, 1))
    topics = 1.0 + 0.25 * max(topic_matches - 1, 0)
    decay = 0.5 ** (max(age_hours, 0.0) / RECENCY_HALF_LIFE_HOURS)
    return max(weight, 0.0) * sources * topics * decay


@dataclass(frozen=True)
class Offer:
    """A story a chat may be shown: the followed topic it goes under, how fresh it is, and how
    it ranks within that topic (`score`, feed weight counted) and across topics (`rank`)."""

    story_id: int
    topic_id: int
    news_at: datetime
    source_count: int
    is_update: bool
    score: float
    rank: float


def fair_share(offers: Sequence[Offer], limit: int) -> tuple[list[Offer], int]:
    """The offers a briefing of `limit` items shows, and how many it leaves out.

    Each topic takes its turn: the topics in order of their best story (by `rank`, so a heavy
    feed weight cannot carry one topic past the others), then round after round each topic's
    best remaining story (by `score`), until the briefing is full. Every followed topic with
    news gets a fair share, not whatever wins one global ranking. The result is grouped by
    topic in that order, best first within each.
    """
    by_topic: dict[int, list[Offer]] = {}
    for offer in sorted(offers, key=lambda o: (-o.score, -o.news_at.timestamp(), o.story_id)):
        by_topic.setdefault(offer.topic_id, []).append(offer)
    order = sorted(by_topic, key=lambda t: (-max(o.rank for o in by_topic[t]), t))
    taken: dict[int, list[Offer]] = {topic: [] for topic in order}
    count, depth = 0, 0
    while count < limit and any(depth < len(by_topic[t]) for t in order):
        for topic in order:
            if count < limit and depth < len(by_topic[topic]):
                taken[topic].append(by_topic[topic][depth])
                count += 1
        depth += 1
    chosen = [offer for topic in order for offer in taken[topic]]
    return chosen, len(offers) - len(chosen)
