"""How stories rank in a briefing: a pure rule, beside the builder that applies it."""

from __future__ import annotations

import math

# Half the importance is lost every this many hours: this morning's story beats yesterday's.
RECENCY_HALF_LIFE_HOURS = 12.0


def importance(
    source_count: int, age_hours: float, topic_matches: int = 1, weight: float = 1.0
) -> float:
    """A story's rank score: more distinct sources, fresher, more followed topics, weightier
    feeds rank higher. Sources count by their logarithm: the tenth outlet adds less than the
    second."""
    sources = 1.0 + math.log2(max(source_count, 1))
    topics = 1.0 + 0.25 * max(topic_matches - 1, 0)
    decay = 0.5 ** (max(age_hours, 0.0) / RECENCY_HALF_LIFE_HOURS)
    return max(weight, 0.0) * sources * topics * decay
