"""Story clustering (issue 6): quality on data with a known grouping, and speed as it grows.

    .venv/bin/python benchmarks/bench_clustering.py [--sizes 1000,10000,50000] [--tune]

1. Quality: the shared evaluation articles republished by 1-4 outlets each with realistic
   variation (collector/clustering_eval.py), 30 events an hour; pairwise precision, recall and
   F1 of the shipped thresholds on the `dev` ids (where they were tuned) and on the `test` ids.
   `--tune` prints the dev grid the thresholds were chosen from.
2. Speed: clustering N articles (tokenising, vectors, index lookups, merges) on one core; the
   articles are the republished data repeated with the clock moved on by a week per repeat, so
   the 48-hour window always holds a realistic day or two of news. Time per article at each size
   against the smallest shows the growth.

Reads $NEWSBRIEF_EVAL_DATA or ../shared/data and exits with a message when it is absent.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from datetime import timedelta

from collector.clustering import BODY_THRESHOLD, LEAD_THRESHOLD, StoryClusterer
from sandbox.clustering_eval import (
    ClusterInput,
    cluster_articles,
    data_dir,
    load_split,
    pairwise_scores,
    republish,
)


def quality(folder: os.PathLike[str], tune: bool) -> None:
    """Print pairwise precision/recall/F1 on dev and test."""
    for split in ("dev", "test"):
        articles, truth = republish(load_split(folder, split))  # type: ignore[arg-type]
        grid = [(BODY_THRESHOLD, LEAD_THRESHOLD)]
        if tune and split == "dev":
            grid = [(b, lead) for b in (0.5, 0.6, 0.7) for lead in (0.45, 0.5, 0.55, 1.1)]
        for body, lead in grid:
            clusterer = StoryClusterer(body_threshold=body, lead_threshold=lead)
            labels = cluster_articles(articles, clusterer)
            p, r, f1 = pairwise_scores(truth, labels)
            print(
                f"{split:<5} articles {len(articles):>5} events {len(set(truth.values())):>5} "
                f"body {body:.2f} lead {lead:.2f}: precision {p:.3f} recall {r:.3f} F1 {f1:.3f}"
            )


def articles_for(size: int, base: list[ClusterInput]) -> list[ClusterInput]:
    """`size` articles: the base set repeated, a week later and with new ids each time."""
    out: list[ClusterInput] = []
    repeat = 0
    while len(out) < size:
        shift = timedelta(days=7 * repeat)
        for article in base:
            if len(out) >= size:
                break
            out.append(replace(article, article_id=len(out) + 1, at=article.at + shift))
        repeat += 1
    return out


def speed(folder: os.PathLike[str], sizes: list[int]) -> None:
    """Print the time to cluster each size, and time per article against the smallest."""
    base, _ = republish(load_split(folder, "test") + load_split(folder, "dev"))  # type: ignore[arg-type]
    cluster_articles(base[:2000])  # warm the stemmer's cache, as a running collector has it
    first = None
    for size in sizes:
        articles = articles_for(size, base)
        started, cpu = time.perf_counter(), time.process_time()
        cluster_articles(articles)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        # CPU time is the honest figure on a machine shared with other work; wall time beside.
        per = cpu / size * 1e3
        first = first or per
        print(
            f"{size:>6} articles: {cpu:6.2f} s CPU ({seconds:.2f} s wall), {per:.3f} ms/article, "
            f"{per / first:.2f}x the {sizes[0]}-article rate"
        )


def main() -> int:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--tune", action="store_true")
    args = parser.parse_args()
    folder = data_dir()
    if folder is None:
        print("no evaluation data: set NEWSBRIEF_EVAL_DATA or provide ../shared/data")
        return 1
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, honestly
    quality(folder, args.tune)
    speed(folder, [int(s) for s in args.sizes.split(",")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
