"""Summarizer quality, readability, speed, growth and memory, each against its baselines in the
same run.

    .venv/bin/python benchmarks/bench_summarizer.py [--articles 300] [--rounds 5]
    nice -n 10 .venv/bin/python benchmarks/bench_summarizer.py --only quality \
        [--cache DIR] [--jobs 2] [--lodo] [--json out.json]

0. Quality (`--only quality`, not part of the default run: about 30 minutes on 2 cores): the
   test splits of BBC and CNN-Corpus (against its gold extract and its highlights), each as
   given, with every paragraph break removed, and without paragraph breaks and title (as
   CNN/DailyMail-style text comes); ROUGE-1/2/Lsum F1 of `news`, Lead-3 and sumy's eight
   methods at 3 sentences, and the share of summaries breaking each readability rule
   (`summarizer.readability`). `--lodo` adds `news` retrained without each dataset
   (`python -m summarizer.train --exclude ...`) on the one left out. Summaries are cached per
   (dataset, variant, algorithm, weights) in `--cache`, so a rerun after a change to `news`
   recomputes only `news`.

1. Speed: articles per second of `news` and of sumy's LexRank (both through our pipeline:
   cleaning, sentence splitting, the algorithm) on the same CNN-Corpus test articles, one core
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
import bisect  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from functools import cache  # noqa: E402
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
    summarize("Warm up the models. This loads the stop words and the weights.")
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
    print(f"| after loading stop words and weights | {figures['loaded_kb'] / 1024:.0f} MB |")
    print(f"| after summarising {count} articles with news | {figures['peak_kb'] / 1024:.0f} MB |")
    print()


# --- quality: ROUGE and readability on the test splits ----------------------------------------

DATASETS = {"bbc": "bbc_news_summary", "cnn": "cnn_corpus"}
# text as given; every paragraph break removed; no paragraph break and no title.
VARIANTS = ("given", "flat", "bare")
SUMY = ("lexrank", "textrank", "lsa", "luhn", "edmundson", "kl", "sumbasic", "reduction")
_LINE_BREAKS = re.compile(r"\s*\n\s*")


def variant_of(text: str, title: str | None, variant: str) -> tuple[str, str | None]:
    """The article as given, without paragraph breaks, or without them and its title."""
    if variant == "given":
        return text, title
    return _LINE_BREAKS.sub(" ", text), (title if variant == "flat" else None)


@cache
def _test_articles(dataset: str) -> list[dict[str, object]]:
    """Test articles with their gold extract and (CNN) highlights."""
    from summarizer.evaluation import load_articles as load_eval

    directory = eval_data_dir()
    name = DATASETS[dataset]
    common = {
        "split_file": directory / f"{name}.split.json",
        "split": "test",
    }
    gold = load_eval(directory / f"{name}.jsonl", reference="summary", **common)
    highlights = {}
    if dataset == "cnn":
        highlights = {
            a.id: a.reference
            for a in load_eval(directory / f"{name}.jsonl", reference="highlights", **common)
        }
    return [
        {
            "id": a.id,
            "text": a.text,
            "title": a.title,
            "summary": list(a.reference),
            "highlights": list(highlights.get(a.id, ())),
        }
        for a in gold
    ]


def _code_key(name: str, weights: Path | None = None) -> str:
    """A hash of what an algorithm's summaries depend on: the pipeline's modules, and for
    `news` its own modules and weights (cached summaries of an older version are not reused)."""
    from summarizer.news import WEIGHTS_FILE

    modules = ["sentences", "boilerplate", "document", "api"]
    if name.startswith("news"):
        modules += ["features", "news", "readability", "selection"]
    else:
        modules += ["sumy_algorithms"]
    digest = hashlib.md5()
    for module in modules:
        digest.update((ROOT / "summarizer" / f"{module}.py").read_bytes())
    if name.startswith("news"):
        digest.update((weights or ROOT / "summarizer" / WEIGHTS_FILE).read_bytes())
    return digest.hexdigest()[:10]


def _summaries_job(job: tuple[str, str, str, str | None, Path]) -> tuple[str, list[list[str]]]:
    """One (dataset, variant, algorithm) run over the test articles, cached as JSON."""
    dataset, variant, algorithm, weights, cache_file = job
    if cache_file.is_file():
        return str(cache_file), json.loads(cache_file.read_text(encoding="utf-8"))
    from summarizer.api import summarize_document
    from summarizer.news import model_from_json, summarize_news

    model = model_from_json(json.loads(Path(weights).read_text("utf-8"))) if weights else None
    out = []
    for article in _test_articles(dataset):
        text, title = variant_of(str(article["text"]), article["title"], variant)  # type: ignore[arg-type]
        document = prepare_document(text, title)
        if model is not None:
            out.append(summarize_news(document, 3, model))
        else:
            out.append(summarize_document(document, 3, algorithm))
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    cache_file.write_text(json.dumps(out), encoding="utf-8")
    return str(cache_file), out


@cache
def _sentence_starts(dataset: str, variant: str) -> list[tuple[str, list[int]]]:
    """Per test article: the variant's text and where each of its cleaned sentences starts."""
    out = []
    for article in _test_articles(dataset):
        text, title = variant_of(str(article["text"]), article["title"], variant)  # type: ignore[arg-type]
        starts, at = [], 0
        for sentence in prepare_document(text, title).texts:
            found = text.find(sentence, at)
            if found >= 0:
                starts.append(found)
                at = found + len(sentence)
        out.append((text, starts))
    return out


def _readability(
    dataset: str, variant: str, summaries: Sequence[list[str]]
) -> tuple[float, float, float]:
    """Shares (%) of summaries with an unresolved opener, a repeated fact, sentences out of
    document order. A summary sentence is placed by where it starts in the text (so another
    splitter's sentences are placed too); one found nowhere is left out of the checks."""
    from summarizer.readability import out_of_order, repeated_facts, unresolved_openers

    dangling = repeated = reversed_ = 0
    for (text, starts), summary in zip(_sentence_starts(dataset, variant), summaries, strict=True):
        located = []
        for sentence in summary:
            offset = text.find(sentence)
            if offset >= 0:
                located.append((0, bisect.bisect_right(starts, offset) - 1, sentence))
        dangling += unresolved_openers(located) > 0
        repeated += repeated_facts(summary) > 0
        reversed_ += out_of_order(located) > 0
    n = max(len(summaries), 1)
    return 100 * dangling / n, 100 * repeated / n, 100 * reversed_ / n


def _score_job(
    job: tuple[str, str, str, Path],
) -> tuple[str, str, str, dict[str, list[float]]]:
    """ROUGE against each reference, and readability, of one cached run."""
    from summarizer.evaluation import rouge

    dataset, variant, name, cache_file = job
    summaries = json.loads(Path(cache_file).read_text(encoding="utf-8"))
    articles = _test_articles(dataset)
    rows: dict[str, list[float]] = {}
    for reference in ["summary", "highlights"] if dataset == "cnn" else ["summary"]:
        scores = [
            rouge(s, a[reference])  # type: ignore[arg-type]
            for s, a in zip(summaries, articles, strict=True)
        ]
        rows[reference] = [
            round(100 * sum(x[k] for x in scores) / len(scores), 2) for k in range(3)
        ]
    rows["readability"] = [round(x, 2) for x in _readability(dataset, variant, summaries)]
    return dataset, variant, name, rows


# Run inside another checkout (`--today-tree`): its `summarize(..., algorithm="news")` on the
# articles given as JSON on stdin.
_TODAY_SCRIPT = r"""
import json, sys
from summarizer import summarize
print(json.dumps([summarize(t, title=h, sentences=3) for t, h in json.load(sys.stdin)]))
"""


def _today_job(tree: Path, dataset: str, variant: str, cache_file: Path) -> list[list[str]]:
    if cache_file.is_file():
        return json.loads(cache_file.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    payload = [
        variant_of(str(a["text"]), a["title"], variant)  # type: ignore[arg-type]
        for a in _test_articles(dataset)
    ]
    result = subprocess.run(
        [sys.executable, "-c", _TODAY_SCRIPT],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
    )
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    cache_file.write_text(result.stdout, encoding="utf-8")
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def quality(
    cache: Path,
    jobs: int,
    lodo: bool,
    algorithms: Sequence[str] | None,
    out: Path | None,
    today: Path | None = None,
) -> None:
    """ROUGE and readability tables of every algorithm, dataset and variant (test splits)."""
    from multiprocessing import Pool

    cache.mkdir(parents=True, exist_ok=True)
    names = list(algorithms or ("news", "lead", *SUMY))
    plan: list[tuple[str, str, str, str | None, Path]] = []
    for dataset in DATASETS:
        for variant in VARIANTS:
            for name in names:
                if variant == "bare" and name not in ("news", "lead", "lexrank", "textrank"):
                    continue
                key = _code_key(name)
                plan.append(
                    (dataset, variant, name, None, cache / f"{dataset}-{variant}-{name}-{key}.json")
                )
    if lodo:
        for left_out in DATASETS:
            weights = cache / f"weights-without-{left_out}.json"
            if not weights.is_file():
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "summarizer.train",
                        "--exclude",
                        left_out,
                        "--output",
                        str(weights),
                    ],
                    check=True,
                    cwd=ROOT,
                )
            key = _code_key("news", weights)
            for variant in ("given", "flat"):
                plan.append(
                    (
                        left_out,
                        variant,
                        f"news-without-{left_out}",
                        str(weights),
                        cache / f"{left_out}-{variant}-lodo-{key}.json",
                    )
                )
    # The cheap and the strongest first: a partial run (cached) already answers most targets.
    order = ["news", "lead", "reduction", "textrank", "edmundson", "luhn", "lexrank", "lsa"]
    plan.sort(key=lambda job: order.index(job[2]) if job[2] in order else len(order))
    with Pool(jobs) as pool:
        done = dict(pool.imap_unordered(_summaries_job, plan))
    if today is not None:  # another checkout's `news`, e.g. `git archive HEAD summarizer`
        for dataset in DATASETS:
            for variant in VARIANTS:
                tree_key = hashlib.md5(str(today.resolve()).encode()).hexdigest()[:6]
                cache_file = cache / f"{dataset}-{variant}-today-{tree_key}.json"
                done[str(cache_file)] = _today_job(today, dataset, variant, cache_file)
                plan.append((dataset, variant, "news (today)", None, cache_file))
    figures: dict[str, dict[str, object]] = {}
    with Pool(jobs) as pool:
        scored = pool.map(_score_job, [(job[0], job[1], job[2], job[4]) for job in plan])
    for dataset, variant, name, rows in scored:
        for reference, values in rows.items():
            figures.setdefault(f"{dataset}:{reference}:{variant}", {})[name] = values
    for key, rows in figures.items():
        dataset, reference, variant = key.split(":")
        if reference == "readability":
            print(
                f"\n#### {dataset}, {variant}: % of summaries with an unresolved opener / "
                "a repeated fact / sentences out of document order\n"
            )
        else:
            print(f"\n#### {dataset} vs {reference}, {variant} (R-1 / R-2 / R-L F1)\n")
        print("| algorithm | figures |\n|---|---|")
        for name, values in rows.items():  # type: ignore[union-attr]
            print(f"| {name} | {' / '.join(f'{v:.2f}' for v in values)} |")
    if out:
        out.write_text(json.dumps(figures, indent=1), encoding="utf-8")


def splitting() -> None:
    """Sentence boundaries against CNN-Corpus's gold segmentation (all 2,000 articles), as given
    and with every paragraph break removed: precision, recall and F1 of exact sentences."""
    from summarizer.sentences import split_sentences
    from summarizer.words import unicode_words

    path = eval_data_dir() / "cnn_corpus.jsonl"
    for variant in ("given", "flat"):
        found = gold_count = right = 0
        started = time.process_time()
        with path.open(encoding="utf-8") as lines:
            for raw in map(json.loads, lines):
                gold = {" ".join(unicode_words(s["text"])) for s in raw["sentences"]}
                text, _ = variant_of(raw["text"], None, variant)
                got = {" ".join(unicode_words(s)) for s in split_sentences(text)}
                found += len(got)
                gold_count += len(gold)
                right += len(gold & got)
        precision, recall = right / found, right / gold_count
        print(
            f"{variant}: precision {precision:.4f}, recall {recall:.4f}, "
            f"F1 {2 * precision * recall / (precision + recall):.4f}, "
            f"{time.process_time() - started:.1f} s CPU"
        )


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
        "--only",
        choices=("quality", "splitting", "speed", "growth", "memory"),
        help="run one benchmark only (quality and splitting run only when asked)",
    )
    parser.add_argument("--cache", type=Path, default=Path("/tmp/newsbrief-bench-cache"))
    parser.add_argument("--jobs", type=int, default=2, help="processes for --only quality")
    parser.add_argument("--lodo", action="store_true", help="add leave-one-dataset-out runs")
    parser.add_argument("--algorithms", help="comma-separated subset for --only quality")
    parser.add_argument("--json", type=Path, help="write the quality figures here")
    parser.add_argument(
        "--today-tree", type=Path, help="--only quality: also another checkout's news"
    )
    args = parser.parse_args(argv)
    if args.memory_child is not None:
        memory_child(args.memory_child, args.articles)
        return 0
    if args.only == "quality":
        algorithms = args.algorithms.split(",") if args.algorithms else None
        quality(args.cache, args.jobs, args.lodo, algorithms, args.json, args.today_tree)
        return 0
    if args.only == "splitting":
        splitting()
        return 0
    articles, source = load_articles(max(args.articles, 200))
    print(f"Data: {source}; {pin_to_one_cpu()}; Python {sys.version.split()[0]}\n")
    summarize("Warm up the models. This loads the stop words and the weights.", algorithm="lexrank")
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
