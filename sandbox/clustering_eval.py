"""The edited-copy regression for story clustering (a regression, not the target: the real
multi-outlet streams are in `sandbox/clustering_streams.py`).

Real articles from the shared evaluation data (never stored in the repository; read from
`$NEWSBRIEF_EVAL_DATA` or `../shared/data`) are republished as if by several outlets: each
copy gets its own headline style, a truncated, trimmed or reordered body and the outlet's
boilerplate, and arrives up to a day after the first. Many events get a single report, so
every clustering also faces unrelated articles on neighbouring subjects (BBC's running
subjects of 2004-05 among them, each article labelled its own event).
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from collector.clustering import StoryClusterer
from summarizer.evaluation import eval_data_dir

DATASETS = ("bbc_news_summary", "cnn_corpus")
_START = datetime(2026, 1, 5, tzinfo=UTC)
# About 1,500 articles a day: a busy instance with a few hundred feeds.
_EVENTS_PER_HOUR = 30

_PREFIXES = ("LIVE: ", "Analysis: ", "UPDATE 2-", "Breaking: ", "WATCH: ", "")
_SUFFIXES = (" | World News", " - report", " (video)", " - Reuters", "")
_LEAD_BOILERPLATE = (
    "By a staff reporter",
    "Updated 14:02 GMT, posted 09:15 GMT",
    "Share this article on Facebook, Twitter or by email",
    "Listen to this article. 4 min",
)
_TAIL_BOILERPLATE = (
    "Sign up for our morning newsletter to get the day's top stories in your inbox.",
    "Copyright 2026 The Daily Example. All rights reserved.",
    "Reporting by our correspondents; editing by the news desk.",
    "Read more: the week's other big stories, and what to watch next.",
    "Follow us on social media for the latest updates as this story develops.",
)


@dataclass(frozen=True, slots=True)
class ClusterInput:
    """An article to cluster offline: identity, time and words."""

    article_id: int
    title: str
    text: str
    at: datetime


def data_dir() -> Path | None:
    """The shared evaluation data (`summarizer.evaluation.eval_data_dir`), None if absent."""
    folder = eval_data_dir()
    return folder if (folder / f"{DATASETS[0]}.jsonl").is_file() else None


@dataclass(frozen=True)
class Source:
    """One real article, with the ids of its exact duplicates in the data."""

    id: str
    title: str
    text: str


def load_split(folder: Path, split: str) -> list[list[Source]]:
    """Articles of `split` ("dev"/"test") of every dataset, grouped by exact-duplicate group."""
    groups: list[list[Source]] = []
    for name in DATASETS:
        split_file = json.loads((folder / f"{name}.split.json").read_text(encoding="utf-8"))
        wanted = set(split_file[split])
        root = {a: group[0] for group in split_file.get("duplicate_groups", []) for a in group}
        by_root: dict[str, list[Source]] = {}
        with (folder / f"{name}.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                if row["id"] in wanted and row.get("text", "").strip():
                    source = Source(row["id"], row.get("title") or "", row["text"])
                    by_root.setdefault(root.get(row["id"], row["id"]), []).append(source)
        groups.extend(by_root.values())
    return groups


def _headline(rng: random.Random, title: str, text: str) -> str:
    style = rng.randrange(4)
    if style == 0:
        return title
    if style == 1:
        return rng.choice(_PREFIXES) + title + rng.choice(_SUFFIXES)
    if style == 2:  # a new headline from the lead's opening words
        words = text.split()[: rng.randint(8, 14)]
        return " ".join(words).rstrip(",;:") if words else title
    words = title.split()
    if len(words) > 4:  # a rewrite: a word or two dropped, the rest shuffled
        for _ in range(rng.randint(1, 2)):
            words.pop(rng.randrange(len(words)))
        rng.shuffle(words)
    return " ".join(words)


def _body(rng: random.Random, text: str) -> str:
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    if len(paragraphs) > 3 and rng.random() < 0.5:  # truncated to the first 50-90%
        keep = max(2, round(len(paragraphs) * rng.uniform(0.5, 0.9)))
        paragraphs = paragraphs[:keep]
    if len(paragraphs) > 3 and rng.random() < 0.5:  # the body after the lead reordered
        rest = paragraphs[1:]
        rng.shuffle(rest)
        paragraphs = [paragraphs[0], *rest]
    if len(paragraphs) > 2 and rng.random() < 0.3:  # the lead rewritten away: second goes first
        paragraphs[0], paragraphs[1] = paragraphs[1], paragraphs[0]
    if len(paragraphs) > 4 and rng.random() < 0.4:  # one paragraph cut
        paragraphs.pop(rng.randrange(1, len(paragraphs)))
    if rng.random() < 0.6:
        paragraphs.insert(0, rng.choice(_LEAD_BOILERPLATE))
    if rng.random() < 0.8:
        paragraphs.extend(rng.sample(_TAIL_BOILERPLATE, rng.randint(1, 2)))
    return "\n\n".join(paragraphs)


def republish(
    groups: Iterable[list[Source]], seed: int = 6
) -> tuple[list[ClusterInput], dict[int, int]]:
    """Each event reported by 1-4 outlets with variation; returns articles and true labels."""
    rng = random.Random(seed)
    events = list(groups)
    rng.shuffle(events)
    articles: list[ClusterInput] = []
    truth: dict[int, int] = {}
    for number, group in enumerate(events):
        start = _START + timedelta(hours=number / _EVENTS_PER_HOUR)
        # About 40% single reports, the rest two to four outlets.
        copies = rng.choices((1, 2, 3, 4), weights=(4, 3, 2, 1))[0]
        reports = [(group[0], False)] + [(rng.choice(group), True) for _ in range(copies - 1)]
        reports += [(duplicate, False) for duplicate in group[1:]]
        for source, vary in reports:
            article_id = len(articles) + 1
            delay = timedelta(hours=rng.uniform(0, 24)) if articles and vary else timedelta()
            title = _headline(rng, source.title, source.text) if vary else source.title
            text = _body(rng, source.text) if vary else source.text
            articles.append(ClusterInput(article_id, title, text, start + delay))
            truth[article_id] = number
    return articles, truth


def cluster_articles(
    articles: Iterable[ClusterInput], clusterer: StoryClusterer | None = None
) -> dict[int, int]:
    """Story label of every article, fed in time order as the collector would see them."""
    clusterer = StoryClusterer() if clusterer is None else clusterer
    labels: dict[int, int] = {}
    merged: dict[int, int] = {}
    for article in sorted(articles, key=lambda a: (a.at, a.article_id)):
        story, match = clusterer.assign(
            article.article_id, article.title, article.text, article.at, article.article_id
        )
        labels[article.article_id] = story
        for other in match.also if match is not None else ():
            merged[other] = story

    def final(story: int) -> int:
        while story in merged:
            story = merged[story]
        return story

    return {article: final(story) for article, story in labels.items()}


def pairwise_scores(truth: dict[int, int], predicted: dict[int, int]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of a clustering against the true grouping."""
    both = Counter((truth[a], predicted[a]) for a in truth)
    true_groups = Counter(truth.values())
    predicted_groups = Counter(predicted[a] for a in truth)

    def pairs(sizes: Sequence[int]) -> int:
        return sum(n * (n - 1) // 2 for n in sizes)

    agree = pairs(list(both.values()))
    true_pairs = pairs(list(true_groups.values()))
    predicted_pairs = pairs(list(predicted_groups.values()))
    precision = agree / predicted_pairs if predicted_pairs else 1.0
    recall = agree / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
