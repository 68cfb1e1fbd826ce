"""Story clustering (issue 12): quality on real multi-outlet news, and speed as it grows.

    nice -n 10 .venv/bin/python benchmarks/bench_clustering.py [--train] [--loco]
        [--sizes 1000,10000] [--workers 2] [--quick]

1. Quality. Every stream of `sandbox/clustering_streams.py` (multiling2011 in seven languages,
   cstnews and vietnamese_mds as burst / spread / real-time streams, the dense multilingual
   day among BBC and CNN articles, the uci headlines at real and spread times, and the
   edited-copy regression), each half: pairwise precision, recall, F1 and B-cubed F1 of
   - `previous`: the clusterer shipped before issue 12 (`sandbox/clustering_previous.py`),
   - `single-link`: plain TF-IDF single-link, its threshold chosen on dev (text and headlines
     apart) in the same run,
   - `product`: `collector.clustering.StoryClusterer` with its shipped model
     (`collector/story_model.json`); `--train` trains one on the dev halves first.
2. `--loco`: leave one corpus out: the model trained on every other corpus's dev half (the
   dense stream left out too when it holds the corpus), scored on the held-out one.
3. Speed: clustering N articles of the dense day (tokenising and telling the language
   included), repeated a week apart, on one core; CPU time per article.

Reads $NEWSBRIEF_EVAL_DATA or ../shared/data and exits with a message when it is absent.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from collector import story_model
from sandbox import clustering_baselines as baselines
from sandbox import clustering_train as trainer
from sandbox.clustering_measure import (
    Result,
    evaluate,
    event_f1,
    text_objective,
    title_objective,
    tune_single_link,
)
from sandbox.clustering_streams import Item, Stream, data_dir, dense_stream, streams

SINGLE_LINK_THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6)


# --- tables ----------------------------------------------------------------------------------


def _row(r: Result) -> str:
    s = r.scores
    extra = ""
    if r.corpus in ("dense", "republished"):
        extra = f" ev.P {s.event_precision:.2f} ev.F1 {event_f1(s):.2f} largest {s.largest}"
    return (
        f"P {s.precision:.2f} R {s.recall:.2f} F1 {s.f1:.2f} B3 {s.b3_f1:.2f}"
        f" ({s.stories} stories){extra}"
    )


def _target(r: Result) -> str:
    s = r.scores
    if r.corpus == "uci":
        return "ok" if s.f1 >= 0.7 and s.precision >= 0.9 else "MISS"
    if r.corpus in ("multiling", "cstnews", "vietnamese_mds"):
        return "ok" if s.f1 >= 0.85 and s.b3_f1 >= 0.9 else "MISS"
    return ""


def print_table(results: dict[str, list[Result]]) -> None:
    """One line per stream and half: every method side by side."""
    by_key: dict[tuple[str, str], dict[str, Result]] = defaultdict(dict)
    for method, found in results.items():
        for r in found:
            by_key[(r.split, r.stream)][method] = r
    methods = list(results)
    for (split, stream), row in sorted(by_key.items()):
        print(f"{split:<4} {stream:<15} {row['product'].scores.articles:>5} articles")
        for method in methods:
            if method in row:
                target = _target(row[method]) if method == "product" else ""
                print(f"       {method:<12} {_row(row[method])} {target}")


def print_summary(results: dict[str, list[Result]]) -> None:
    """Means per corpus and stream kind (pairwise F1 / B-cubed F1 / pairwise precision)."""
    print("\nmeans per corpus and stream kind: pairwise F1 / B-cubed F1 (pairwise precision)")
    for method, found in results.items():
        groups: dict[tuple[str, str], list[Result]] = defaultdict(list)
        for r in found:
            kind = r.stream.split("/")[-1] if "/" in r.stream else r.stream
            groups[(r.split, f"{r.corpus}/{kind}")].append(r)
        for split in ("dev", "test"):
            cells = [
                f"{name} {statistics.fmean(r.scores.f1 for r in v):.2f}/"
                f"{statistics.fmean(r.scores.b3_f1 for r in v):.2f}"
                f"({statistics.fmean(r.scores.precision for r in v):.2f})"
                for (s, name), v in sorted(groups.items())
                if s == split
            ]
            if cells:
                print(f"  {method:<12} {split:<4} " + "  ".join(cells))
        for split in ("dev", "test"):
            splits = [r for r in found if r.split == split]
            if splits:
                print(
                    f"  {method:<12} {split:<4} objective: full text "
                    f"{text_objective(splits):.3f}, headlines {title_objective(splits):.3f}"
                )


# --- leave one corpus out --------------------------------------------------------------------


def leave_one_out(everything: Sequence[Stream], workers: int) -> None:
    """The model trained without each corpus (its dev half, and the dense day that holds
    it), scored on both of its halves."""
    print("\nleave one corpus out (model trained on the other corpora's dev halves)")
    for held in ("cstnews", "vietnamese_mds", "multiling", "uci"):
        train = [
            s
            for s in everything
            if s.split == "dev" and s.corpus != held and not (s.corpus == "dense" and held != "uci")
        ]
        model = trainer.train(train, workers, verbose=False)
        held_out = [s for s in everything if s.corpus == held]
        found = evaluate("product", held_out, {"model": model}, {"model": model}, workers)
        print(f"  without {held}: join at {model.join}, headlines at {model.title_join}")
        for r in sorted(found, key=lambda r: (r.stream, r.split)):
            print(f"     {r.split:<4} {r.stream:<15} {_row(r)} {_target(r)}")


# --- speed -----------------------------------------------------------------------------------


def flow(base: Sequence[Item], size: int) -> list[Item]:
    """`size` articles: the dense days repeated, a week later each time, with new ids."""
    out: list[Item] = []
    repeat = 0
    while len(out) < size:
        for item in base:
            if len(out) >= size:
                break
            shifted = item.at + timedelta(days=7 * repeat)
            out.append(replace(item, article_id=len(out) + 1, at=shifted))
        repeat += 1
    return sorted(out, key=lambda i: (i.at, i.article_id))


def speed(folder: Path, sizes: Sequence[int]) -> None:
    """CPU time per article of the product and of the previous clusterer."""
    base = sorted(dense_stream(folder, "test") + dense_stream(folder, "dev"), key=lambda i: i.at)
    baselines.product(flow(base, 1500))  # warm the stemmers' caches, as a running collector has
    print("\nspeed: the dense day (1,500 articles a day, language told from the text), one core")
    for name, method in (("product", baselines.product), ("previous", baselines.previous)):
        for size in sizes:
            items = flow(base, size)
            started, cpu = time.perf_counter(), time.process_time()
            method(items)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - started
            print(
                f"  {name:<8} {size:>6} articles: {cpu / size * 1e3:.2f} ms/article CPU "
                f"({wall:.1f} s wall)",
                flush=True,
            )


def main() -> int:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--train", action="store_true", help="train the model first (dev)")
    parser.add_argument("--loco", action="store_true", help="leave one corpus out")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="product only, no single-link")
    args = parser.parse_args()
    folder = data_dir()
    if folder is None:
        print("no evaluation data: set NEWSBRIEF_EVAL_DATA or provide ../shared/data")
        return 1
    everything = streams(folder)
    dev = [s for s in everything if s.split == "dev"]
    started = time.time()
    model = story_model.load()
    if args.train:
        print("training on the dev halves (sandbox/clustering_train.py)")
        model = trainer.train(dev, args.workers)
    product: dict[str, object] = {"model": model}
    results: dict[str, list[Result]] = {}
    results["product"] = evaluate("product", everything, product, product, args.workers)
    if not args.quick:
        results["previous"] = evaluate("previous", everything, {}, {}, args.workers)
        text, title = tune_single_link(dev, SINGLE_LINK_THRESHOLDS, args.workers)
        print(f"single-link thresholds chosen on dev: full text {text}, headlines {title}")
        results["single-link"] = evaluate(
            "single-link", everything, {"threshold": text}, {"threshold": title}, args.workers
        )
    print(f"\nproduct: joins at {model.join}, headlines at {model.title_join}\n")
    print_table(results)
    print_summary(results)
    if args.loco:
        leave_one_out(everything, args.workers)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, honestly
    speed(folder, [int(s) for s in args.sizes.split(",") if s])
    print(f"\n({time.time() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
