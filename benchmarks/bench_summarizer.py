"""Summarizer speed, growth and memory, each against its baseline in the same run.

    .venv/bin/python benchmarks/bench_summarizer.py [--articles 300] [--rounds 5]

1. Speed: articles per second of `news` and of sumy's LexRank (both through our pipeline:
   cleaning, nupunkt splitting, the algorithm) on the same CNN-Corpus test articles, one core
   (BLAS threads pinned to 1, the process pinned to one CPU), CPU time (the machine is shared):
   the first pass, then the median of interleaved rounds.
2. Growth: time per article for articles 10x longer (ten different articles joined) against the
   originals, for `news`, `lead` and sumy's LexRank and KL, with our input caps and without.
3. Memory: peak RSS of a fresh process that summarises 1,000 articles with `news`.

Reads $NEWSBRIEF_EVAL_DATA or ../shared/data; without it, falls back to fictional articles
composed from the sentences in benchmarks/fictional_news.txt (say so in any figure you quote).
"""

from __future__ import annotations

import os

# One core, honestly: numpy (LexRank, LSA) must not borrow the second core through BLAS threads.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer import summarize  # noqa: E402
from summarizer.document import prepare_document  # noqa: E402
from summarizer.evaluation import eval_data_dir  # noqa: E402
from summarizer.sumy_algorithms import summarize_with_sumy  # noqa: E402

Article = tuple[str, str | None]  # text, title
FICTIONAL = Path(__file__).with_name("fictional_news.txt")


def load_articles(limit: int) -> tuple[list[Article], str]:
    """Up to `limit` CNN-Corpus test articles, or fictional ones when the data is absent."""
    directory = eval_data_dir()
    corpus, split_file = directory / "cnn_corpus.jsonl", directory / "cnn_corpus.split.json"
    if corpus.is_file() and split_file.is_file():
        wanted = set(json.loads(split_file.read_text(encoding="utf-8"))["test"])
        articles: list[Article] = []
        with corpus.open(encoding="utf-8") as lines:
            for line in lines:
                raw = json.loads(line)
                if raw["id"] in wanted:
                    articles.append((raw["text"], raw["title"]))
                if len(articles) >= limit:
                    break
        return articles, f"CNN-Corpus test, first {len(articles)} articles"
    return fictional_articles(limit), f"{limit} fictional articles ({FICTIONAL.name})"


def fictional_articles(count: int, seed: int = 7) -> list[Article]:
    """Articles of 8-14 paragraphs drawn from the fictional sentence bank (seeded)."""
    sentences = [s for s in FICTIONAL.read_text(encoding="utf-8").splitlines() if s.strip()]
    rng = random.Random(seed)
    articles = []
    for _ in range(count):
        paragraphs = [
            " ".join(rng.sample(sentences, rng.randint(1, 3))) for _ in range(rng.randint(8, 14))
        ]
        articles.append(("\n\n".join(paragraphs), None))
    return articles


def seconds_per_article(run: Callable[[Article], object], articles: Sequence[Article]) -> float:
    """Wall time of one pass over the articles, per article."""
    started = time.process_time()
    for article in articles:
        run(article)
    return (time.process_time() - started) / len(articles)


def runner(algorithm: str, *, capped: bool = True) -> Callable[[Article], object]:
    """A function summarising one article with `algorithm` (sumy ones optionally uncapped)."""
    if capped or algorithm in ("news", "lead"):
        return lambda article: summarize(article[0], title=article[1], algorithm=algorithm)
    return lambda article: summarize_with_sumy(
        prepare_document(article[0], article[1]), algorithm, 3, cap=1_000_000
    )


def interleaved_medians(
    runs: dict[str, Callable[[Article], object]], articles: Sequence[Article], rounds: int
) -> dict[str, float]:
    """Median seconds per article of each runner, rounds interleaved so load hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            samples[name].append(seconds_per_article(run, articles))
    return {name: statistics.median(values) for name, values in samples.items()}


def bench_speed(articles: Sequence[Article], rounds: int) -> None:
    """Articles per second of news and LexRank on the same articles: first pass, then steady."""
    runs = {"news": runner("news"), "lexrank": runner("lexrank")}
    # The first pass pays for stemming every word news has not met yet (memoised afterwards,
    # as in a long-running collector worker); sumy stems every word on every call.
    first = {name: seconds_per_article(run, articles) for name, run in runs.items()}
    medians = interleaved_medians(runs, articles, rounds)
    print("| algorithm | first pass: articles/s | then: articles/s (median) | ms/article |")
    print("|---|---|---|---|")
    for name, seconds in medians.items():
        print(f"| {name} | {1 / first[name]:.1f} | {1 / seconds:.1f} | {1000 * seconds:.2f} |")
    print(
        f"\nnews / LexRank speed: **{medians['lexrank'] / medians['news']:.1f}x** "
        f"(first pass {first['lexrank'] / first['news']:.1f}x)\n"
    )


def bench_growth(articles: Sequence[Article], rounds: int, count: int = 20) -> None:
    """Time per article for 10x longer articles against the originals."""
    base = list(articles[: count * 10])
    short = base[:count]
    long = [
        ("\n\n".join(text for text, _ in base[i * 10 : i * 10 + 10]), base[i * 10][1])
        for i in range(count)
    ]
    mean_chars = (
        statistics.mean(len(t) for t, _ in short),
        statistics.mean(len(t) for t, _ in long),
    )
    print(
        f"{count} articles of {mean_chars[0]:.0f} characters on average vs {count} of "
        f"{mean_chars[1]:.0f} (ten articles joined):\n"
    )
    print("| algorithm | ms/article | ms/article 10x longer | growth |")
    print("|---|---|---|---|")
    cases = [
        ("news", runner("news")),
        ("lead", runner("lead")),
        ("lexrank (capped, as shipped)", runner("lexrank")),
        ("lexrank (uncapped)", runner("lexrank", capped=False)),
        ("kl (capped, as shipped)", runner("kl")),
        ("kl (uncapped)", runner("kl", capped=False)),
    ]
    for name, run in cases:
        # The slow ones get one round, and uncapped KL three articles: it takes about a minute
        # for each long one.
        rounds_here = rounds if name in ("news", "lead") else 1
        subset = 3 if name == "kl (uncapped)" else count
        one = interleaved_medians({name: run}, short[:subset], rounds_here)[name]
        ten = interleaved_medians({name: run}, long[:subset], rounds_here)[name]
        note = f" ({subset} articles)" if subset != count else ""
        print(f"| {name}{note} | {1000 * one:.2f} | {1000 * ten:.2f} | {ten / one:.1f}x |")
    print()


def memory_child(count: int, limit: int) -> None:
    """Summarise `count` articles with news in this process; print peak RSS figures as JSON."""
    articles, _ = load_articles(limit)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    summarize("Warm up the models. This loads nupunkt and the weights.")
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for i in range(count):
        text, title = articles[i % len(articles)]
        summarize(text, title=title)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"before_kb": before, "loaded_kb": loaded, "peak_kb": peak}))


def bench_memory(count: int, limit: int) -> None:
    """Peak RSS of a fresh process summarising `count` articles."""
    output = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(count), "--articles", str(limit)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    print("| process | peak RSS |")
    print("|---|---|")
    print(f"| after imports | {figures['before_kb'] / 1024:.0f} MB |")
    print(f"| after loading nupunkt, stop words, weights | {figures['loaded_kb'] / 1024:.0f} MB |")
    print(f"| after summarising {count} articles with news | {figures['peak_kb'] / 1024:.0f} MB |")
    print()


def pin_to_one_cpu() -> str:
    """Run on one CPU when the OS allows it; say which."""
    if hasattr(os, "sched_setaffinity"):
        cpu = sorted(os.sched_getaffinity(0))[-1]
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the three benchmarks and print Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=300, help="articles for the speed test")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved timing rounds")
    parser.add_argument("--memory-articles", type=int, default=1000)
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--only", choices=("speed", "growth", "memory"), help="run one benchmark only"
    )
    args = parser.parse_args(argv)
    if args.memory_child is not None:
        memory_child(args.memory_child, args.articles)
        return 0
    articles, source = load_articles(max(args.articles, 200))
    print(f"Data: {source}; {pin_to_one_cpu()}; Python {sys.version.split()[0]}\n")
    summarize("Warm up the models. This loads nupunkt and the weights.", algorithm="lexrank")
    if args.only in (None, "speed"):
        print(f"### Speed ({args.articles} articles, {args.rounds} interleaved rounds)\n")
        bench_speed(articles[: args.articles], args.rounds)
    if args.only in (None, "growth"):
        print("### Growth with 10x longer articles\n")
        bench_growth(articles, args.rounds)
    if args.only in (None, "memory"):
        print("### Peak memory\n")
        bench_memory(args.memory_articles, args.articles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
