"""The clusterings story clustering is measured against, and the runner of the product's.

- `previous`: the clusterer shipped before issue 12 (`sandbox/clustering_previous.py`);
- `single_link`: plain TF-IDF single-link, the textbook baseline: words as written, lower
  case; smooth IDF of the stream so far (per language); an article joins the story of every
  earlier article within 48 hours whose cosine with it reaches the threshold, bridging them;
- `product`: `collector.clustering.StoryClusterer` fed as the collector feeds it.

Each takes a stream's items in time order and returns article id -> final story.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import timedelta

from collector.clustering import StoryClusterer
from sandbox.clustering_previous import StoryClusterer as PreviousClusterer
from sandbox.clustering_streams import Item, Merges
from summarizer.words import unicode_words

SINGLE_LINK_WINDOW = timedelta(hours=48)
# Speed only: a term in more than this share of the documents so far (after 100) is left out
# of the dot products (its IDF is near 0: it moves a cosine by a few thousandths at most).
_COMMON_SHARE = 0.2


def product(items: Sequence[Item], language: bool = True, **settings: object) -> dict[int, int]:
    """The product's clusterer; `language=False` hides the language (the collector's case
    until stored articles carry one: the clusterer then tells it from the text)."""
    clusterer = StoryClusterer(**settings)  # type: ignore[arg-type]
    labels: dict[int, int] = {}
    merges = Merges()
    for item in items:
        story, match = clusterer.assign(
            item.article_id,
            item.title,
            item.text,
            item.at,
            item.article_id,
            (item.language or None) if language else None,
        )
        labels[item.article_id] = story
        if match is not None:
            merges.merged(story, match.also)
    return {a: merges.final(s) for a, s in labels.items()}


def previous(items: Sequence[Item]) -> dict[int, int]:
    """The previous clusterer with its shipped thresholds."""
    clusterer = PreviousClusterer()
    labels: dict[int, int] = {}
    merges = Merges()
    for item in items:
        story, match = clusterer.assign(
            item.article_id, item.title, item.text, item.at, item.article_id
        )
        labels[item.article_id] = story
        if match is not None:
            merges.merged(story, match.also)
    return {a: merges.final(s) for a, s in labels.items()}


def single_link(items: Sequence[Item], threshold: float = 0.4) -> dict[int, int]:
    """Plain TF-IDF single-link (see the module's docstring)."""
    frequency: dict[str, Counter[str]] = defaultdict(Counter)
    documents: Counter[str] = Counter()
    postings: dict[tuple[str, str], list[int]] = defaultdict(list)
    vectors: dict[int, dict[str, float]] = {}
    when = {}
    story: dict[int, int] = {}
    merges = Merges()
    for item in items:
        language = item.language
        counts = Counter(unicode_words(f"{item.title}\n{item.text[:6000]}"))
        df = frequency[language]
        df.update(counts.keys())
        documents[language] += 1
        n = documents[language]
        vector = {
            t: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in counts.items()
        }
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        vector = {t: w / norm for t, w in vector.items()}
        common = _COMMON_SHARE * n if n > 100 else math.inf
        dots: Counter[int] = Counter()
        for t, w in vector.items():
            if df[t] > common:
                continue
            for other in postings[(language, t)]:
                dots[other] += w * vectors[other][t]
        oldest = item.at - SINGLE_LINK_WINDOW
        close = {
            merges.final(story[o]) for o, d in dots.items() if d >= threshold and when[o] >= oldest
        }
        if close:
            keep = min(close)
            merges.merged(keep, close)
            story[item.article_id] = keep
        else:
            story[item.article_id] = item.article_id
        vectors[item.article_id] = vector
        when[item.article_id] = item.at
        for t in vector:
            postings[(language, t)].append(item.article_id)
    return {a: merges.final(s) for a, s in story.items()}
