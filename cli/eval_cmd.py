"""`newsbrief eval DATASET.jsonl [...]`: ROUGE of the summarizer's algorithms on a dataset."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from cli.common import format_table
from summarizer import ALGORITHMS, UnknownAlgorithmError
from summarizer.api import check_algorithm
from summarizer.evaluation import ORACLE, DatasetError, EvalResult, evaluate, load_articles

DEFAULT_ALGORITHMS = ("news", "lead")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `eval` subcommand."""
    parser = subparsers.add_parser(
        "eval",
        help="score summarization algorithms with ROUGE on a JSONL dataset",
        description=(
            "ROUGE-1/2/L F1 (rouge-score, Porter stemming, rougeLsum) of each algorithm against "
            "the human reference summaries, with articles per second of CPU time; the greedy "
            "extractive oracle is printed as the ceiling."
        ),
    )
    parser.add_argument("dataset", help="JSON Lines file: id, title, text, summary_sentences")
    parser.add_argument("--split-file", help="JSON file mapping split names to article ids")
    parser.add_argument("--split", help="which split of --split-file to use (dev or test)")
    parser.add_argument(
        "-a",
        "--algorithm",
        action="append",
        dest="algorithms",
        metavar="NAME",
        help=f"repeatable; one of {', '.join(ALGORITHMS)} (default: news and lead)",
    )
    parser.add_argument(
        "-n",
        "--sentences",
        default="3",
        help="sentences per summary, or 'ref' for the reference's own length (default 3)",
    )
    parser.add_argument("--limit", type=int, help="use only the first N articles")
    parser.add_argument(
        "--reference",
        default="summary",
        help="the reference field: summary (default) or highlights (CNN-Corpus)",
    )
    parser.add_argument("--no-oracle", action="store_true", help="skip the oracle ceiling row")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.set_defaults(handler=eval_command)


def _parse_sentences(value: str) -> int | None:
    if value.strip().lower() == "ref":
        return None
    count = int(value)
    if count < 1:
        raise ValueError(value)
    return count


def _progress_bar() -> Callable[[str, int, int], None] | None:
    """A one-line progress bar on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(name: str, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done == total else ""
        bar = "#" * filled + "-" * (width - filled)
        print(f"\r{name:<10} [{bar}] {done}/{total}", end=end, file=sys.stderr, flush=True)

    return show


def _table(result: EvalResult) -> str:
    rows = []
    for name, score in result.as_json()["results"].items():
        rate = score["articles_per_s"]
        label = f"{name} (ceiling)" if name == ORACLE else name
        rows.append(
            [
                label,
                f"{score['rouge1']:.2f}",
                f"{score['rouge2']:.2f}",
                f"{score['rougeL']:.2f}",
                "-" if rate is None else f"{rate:.1f}",
            ]
        )
    heading = (
        f"{result.dataset}: {result.n} articles, {result.sentences} sentences, "
        f"reference {result.reference}"
    )
    return heading + "\n" + format_table(["algorithm", "R-1", "R-2", "R-L", "articles/s"], rows)


def eval_command(args: argparse.Namespace) -> int:
    """Score the algorithms and print a table (or JSON)."""
    try:
        algorithms = [check_algorithm(a) for a in args.algorithms or DEFAULT_ALGORITHMS]
    except UnknownAlgorithmError as exc:
        print(f"newsbrief: {exc}", file=sys.stderr)
        return 2
    try:
        sentences = _parse_sentences(args.sentences)
    except ValueError:
        print(
            f"newsbrief: --sentences must be a positive number or 'ref', not {args.sentences!r}",
            file=sys.stderr,
        )
        return 2
    if args.limit is not None and args.limit < 1:
        print("newsbrief: --limit must be at least 1", file=sys.stderr)
        return 2
    try:
        articles = load_articles(
            args.dataset,
            split_file=args.split_file,
            split=args.split,
            reference=args.reference,
            limit=args.limit,
        )
    except DatasetError as exc:
        print(f"newsbrief: {exc}", file=sys.stderr)
        return 1
    if not articles:
        print(
            f"newsbrief: no articles with a {args.reference!r} reference in {args.dataset}",
            file=sys.stderr,
        )
        return 1
    result = evaluate(
        articles,
        list(dict.fromkeys(algorithms)),
        sentences=sentences,
        dataset=args.dataset,
        reference=args.reference,
        oracle=not args.no_oracle,
        progress=_progress_bar(),
    )
    if args.json:
        print(json.dumps(result.as_json()))
    else:
        print(_table(result))
    return 0
