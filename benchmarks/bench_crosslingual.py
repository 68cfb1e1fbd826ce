"""Story clustering across languages on MultiLing 2011: the same WikiNews reports in Arabic,
Czech, Greek, English, French, Hebrew and Hindi, arriving together.

    .venv/bin/python benchmarks/bench_crosslingual.py [--json results.json]

Each half of MultiLing's 10 events (`sandbox.clustering_streams.half_of`, the split the
clustering benchmark uses; the cross-language thresholds were set before looking at the test
half) becomes one stream: all seven languages of each of its events, every report at a random
time within 18 hours of its event's start, in one clusterer with each article's language given.
Measured against the true events: pairwise precision, recall and F1 over all pairs, over pairs
of different languages only, and the share of translation pairs (one report in two languages)
put in one story. Baseline in the same run: the same clusterer with `cross_language=False`
(stories within each language only, as before issue 15).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from collector.clustering import StoryClusterer
from sandbox.clustering_streams import DAY0, Doc, data_dir, full_text_sets, half_of


def stream(docs: list[Doc], split: str, seed: int = 0) -> list[tuple[Doc, object]]:
    """The half's reports in every language, each at a random time of its event's 18 hours."""
    rng = random.Random(f"crosslingual-{split}-{seed}")
    side = half_of(docs)
    starts: dict[str, object] = {}
    timed = []
    for doc in docs:
        if side[doc.event] != split:
            continue
        start = starts.setdefault(doc.event, DAY0 + timedelta(hours=rng.uniform(0, 48)))
        timed.append((start + timedelta(hours=rng.uniform(0, 18)), doc))  # type: ignore[operator]
    timed.sort(key=lambda pair: (pair[0], pair[1].id))
    return [(doc, at) for at, doc in timed]


def scores(docs: list[Doc], story: dict[str, int]) -> dict[str, float]:
    """Pairwise P/R/F1 (all pairs, pairs across languages) and translation-pair recall."""
    counts = defaultdict(lambda: [0, 0, 0])  # kind -> [true positive, predicted, true]
    translations = [0, 0]
    for a, b in itertools.combinations(docs, 2):
        same_event = a.event == b.event
        same_story = story[a.id] == story[b.id]
        kinds = ["all"] + ([] if a.language == b.language else ["across"])
        for kind in kinds:
            counts[kind][0] += same_event and same_story
            counts[kind][1] += same_story
            counts[kind][2] += same_event
        if a.language != b.language and a.id.rsplit("-", 1)[-1] == b.id.rsplit("-", 1)[-1]:
            translations[0] += same_story
            translations[1] += 1
    found: dict[str, float] = {}
    for kind, (tp, predicted, true) in counts.items():
        precision = tp / predicted if predicted else 0.0
        recall = tp / true if true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        found[f"{kind} P"], found[f"{kind} R"], found[f"{kind} F1"] = precision, recall, f1
    found["translations joined"] = translations[0] / max(translations[1], 1)
    return {k: round(v, 3) for k, v in found.items()}


def run(items: list[tuple[Doc, object]], cross_language: bool) -> dict[str, float]:
    """Cluster the stream and score it."""
    clusterer = StoryClusterer(cross_language=cross_language)
    story: dict[str, int] = {}
    for number, (doc, at) in enumerate(items, start=1):
        story[doc.id], _ = clusterer.assign(number, doc.title, doc.text, at, number, doc.language)  # type: ignore[arg-type]
    return scores([doc for doc, _ in items], story)


def main() -> int:
    """Both halves, with and without joining across languages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    folder = data_dir()
    if folder is None:
        print("no evaluation data (NEWSBRIEF_EVAL_DATA or ../shared/data)", file=sys.stderr)
        return 1
    docs = [d for key, found in full_text_sets(folder).items() if key.startswith("ml-")
            for d in found]  # fmt: skip
    results = {}
    for split in ("dev", "test"):
        items = stream(docs, split)
        results[split] = {
            "articles": len(items),
            "across languages": run(items, True),
            "within each language (before)": run(items, False),
        }
        print(split, json.dumps(results[split]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
