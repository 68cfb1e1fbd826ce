"""Story clustering (issue 12): quality on real multi-outlet news, and speed as it grows.

    nice -n 10 .venv/bin/python benchmarks/bench_clustering.py [--tune] [--loco]
        [--sizes 1000,10000] [--workers 2] [--quick]

1. Quality. Every stream of `sandbox/clustering_streams.py` (multiling2011 in seven languages,
   cstnews and vietnamese_mds as burst / spread / real-time streams, the dense multilingual
   day among BBC and CNN articles, the uci headlines at real and spread times, and the
   edited-copy regression), each half: pairwise precision, recall, F1 and B-cubed F1 of
   - `previous`: the clusterer shipped before issue 12 (`sandbox/clustering_previous.py`),
   - `single-link`: plain TF-IDF single-link, its threshold chosen on dev (text and headlines
     apart) in the same run,
   - `product`: `collector.clustering.StoryClusterer` with its shipped settings.
   `--tune` first prints the dev grid the shipped settings were chosen from (and uses its best).
2. `--loco`: leave one corpus out: the product's settings chosen on every other corpus (both
   halves; the dense stream left out too when it holds the corpus), scored on the held-out one.
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
from dataclasses import asdict, fields, replace
from datetime import timedelta
from pathlib import Path

from collector.clustering import SETTINGS, Settings
from sandbox import clustering_baselines as baselines
from sandbox.clustering_measure import (
    Result,
    evaluate,
    event_f1,
    grid,
    text_objective,
    title_objective,
    tune,
    tune_single_link,
)
from sandbox.clustering_streams import Item, Stream, data_dir, dense_stream, streams

TEXT_GRID = {
    "threshold": (0.2, 0.25, 0.3),
    "near_factor": (0.75, 1.0),
    "average_floor": (0.2, 0.25, 0.3),
    "story_weight": (0.0, 1.0),
}
TITLE_GRID = {"title_threshold": (0.15, 0.2, 0.25, 0.3)}
LOCO_GRID = {
    "threshold": (0.2, 0.25, 0.3),
    "average_floor": (0.2, 0.25),
    "story_weight": (0.0, 1.0),
}
SINGLE_LINK_THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6)
TUNED = ("threshold", "near_factor", "average_floor", "story_weight", "title_threshold")


def shipped() -> dict[str, object]:
    """The shipped values of the tuned settings."""
    return {k: v for k, v in asdict(SETTINGS).items() if k in TUNED}


def _merge_average(settings: dict[str, object]) -> dict[str, object]:
    """Stories merge at the same member floor as articles join (one parameter in the grid)."""
    if "average_floor" in settings:
        return {**settings, "merge_average": settings["average_floor"]}
    return settings


def tuned_settings(dev: Sequence[Stream], workers: int, verbose: bool) -> dict[str, object]:
    """The best full-text grid point on dev, then the best headline threshold with it."""

    def report(settings: dict[str, object], value: float) -> None:
        if verbose:
            shown = ", ".join(f"{k}={v}" for k, v in settings.items() if k in TUNED)
            print(f"  dev grid: {shown}: objective {value:.3f}", flush=True)

    text = [s for s in dev if s.kind == "text"]
    titles = [s for s in dev if s.kind == "title"]
    if not titles:  # headlines held out: their threshold is chosen on the texts' titles
        titles = [
            replace(s, kind="title", items=tuple(replace(i, text="") for i in s.items))
            for s in text
            if s.corpus not in ("dense", "republished")
        ]
    candidates = [_merge_average(c) for c in grid(TEXT_GRID if verbose else LOCO_GRID)]
    best, _ = tune(text, candidates, text_objective, None, workers, report)
    best, _ = tune(titles, grid(TITLE_GRID), title_objective, best, workers, report)
    return best


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
    """Settings chosen without each corpus, scored on it (both halves)."""
    print("\nleave one corpus out (settings chosen on the other corpora, both halves)")
    for held in ("cstnews", "vietnamese_mds", "multiling", "uci"):
        train = [
            s
            for s in everything
            if s.corpus != held and not (s.corpus == "dense" and held != "uci")
        ]
        chosen = tuned_settings(train, workers, verbose=False)
        held_out = [s for s in everything if s.corpus == held]
        found = evaluate("product", held_out, chosen, chosen, workers)
        shown = ", ".join(f"{k}={v}" for k, v in chosen.items() if k in TUNED)
        print(f"  without {held}: {shown}")
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
    parser.add_argument("--tune", action="store_true", help="print the dev grid and use its best")
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
    settings = shipped()
    if args.tune:
        print("dev grid (full-text objective: clustering_measure.text_objective)")
        settings = tuned_settings(dev, args.workers, verbose=True)
        print(f"chosen on dev: {settings}")
    product = _merge_average(settings)
    results: dict[str, list[Result]] = {}
    results["product"] = evaluate("product", everything, product, product, args.workers)
    if not args.quick:
        results["previous"] = evaluate("previous", everything, {}, {}, args.workers)
        text, title = tune_single_link(dev, SINGLE_LINK_THRESHOLDS, args.workers)
        print(f"single-link thresholds chosen on dev: full text {text}, headlines {title}")
        results["single-link"] = evaluate(
            "single-link", everything, {"threshold": text}, {"threshold": title}, args.workers
        )
    shown = {k: v for k, v in product.items() if k in {f.name for f in fields(Settings)}}
    print(f"\nproduct settings: {shown}\n")
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
