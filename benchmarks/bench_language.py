"""Language detection on every article of the evaluation data, against its known language.

    .venv/bin/python benchmarks/bench_language.py [--json results.json]

Reads `$NEWSBRIEF_EVAL_DATA` (or ../shared/data; never copied into the repository): BBC and
CNN-Corpus (English), CSTNews (Portuguese), MultiLing 2011 (Arabic, Czech, Greek, English,
French, Hebrew, Hindi), VietnameseMDS, and the UCI headlines (English, titles only). Each
article is told from its title and text with no hint (the feed's declared language is not in
the data), by `summarizer.language.detect_language` (py3langid) and, in the same run, by the
heuristic it replaces for stored articles (`summarizer.words.text_language`: script and
function words). Reports accuracy per dataset and language, the articles missed, and the cost
per article (median of per-article times, the model already loaded).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from summarizer.evaluation import eval_data_dir
from summarizer.language import detect_language
from summarizer.words import text_language

DATASETS = {  # file -> the language of records that do not name theirs
    "bbc_news_summary.jsonl": "en",
    "cnn_corpus.jsonl": "en",
    "cstnews.jsonl": "pt",
    "multiling2011.jsonl": None,
    "vietnamese_mds.jsonl": "vi",
    "uci_news_headlines.jsonl": "en",
}


def records(folder: Path) -> list[tuple[str, str, str]]:
    """(dataset, expected language, title + text) of every record."""
    found = []
    for name, default in DATASETS.items():
        path = folder / name
        if not path.is_file():
            continue
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                language = row.get("language") or default
                text = f"{row.get('title') or ''}\n\n{row.get('text') or ''}".strip()
                found.append((name.split(".")[0], str(language), text))
    return found


def measure(
    detect: Callable[[str], str | None], rows: list[tuple[str, str, str]]
) -> dict[str, object]:
    """Accuracy by dataset and language, misses, and the median cost per article."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    by_language: defaultdict[str, Counter[str]] = defaultdict(Counter)
    misses: Counter[tuple[str, str]] = Counter()
    times = []
    for dataset, expected, text in rows:
        started = time.perf_counter()
        got = detect(text)
        times.append(time.perf_counter() - started)
        total[dataset] += 1
        by_language[expected]["total"] += 1
        if got == expected:
            right[dataset] += 1
            by_language[expected]["right"] += 1
        else:
            misses[(expected, str(got))] += 1
    articles = [d for d in total if d != "uci_news_headlines"]
    return {
        "by_dataset": {d: round(right[d] / total[d], 4) for d in total},
        "by_language": {
            code: round(c["right"] / c["total"], 4) for code, c in sorted(by_language.items())
        },
        "articles": round(
            sum(right[d] for d in articles) / max(sum(total[d] for d in articles), 1), 4
        ),
        "headlines": round(right["uci_news_headlines"] / max(total["uci_news_headlines"], 1), 4),
        "headlines_answered": round(
            1 - misses_of(misses, "en", "None") / max(total["uci_news_headlines"], 1), 4
        ),
        "misses": {f"{e}->{g}": n for (e, g), n in misses.most_common(12)},
        "ms_per_article": round(statistics.median(times) * 1000, 3),
    }


def misses_of(misses: Counter[tuple[str, str]], expected: str, got: str) -> int:
    """How many of `expected` were answered `got`."""
    return misses.get((expected, got), 0)


def main() -> int:
    """Run both detectors over the data and print (and optionally save) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    try:
        rows = records(eval_data_dir())
    except Exception as exc:  # no data: say why, the way the other benchmarks do
        print(f"no evaluation data: {exc}", file=sys.stderr)
        return 1
    if not rows:
        print("no evaluation data found", file=sys.stderr)
        return 1
    detect_language("warm the model up before timing")
    headlines = [row for row in rows if row[0] == "uci_news_headlines"]
    results = {
        "articles": len(rows),
        "py3langid": measure(lambda text: detect_language(text), rows),
        # A feed declares its language: what the headline-only items get in the collector.
        "py3langid, headlines with the feed's hint": measure(
            lambda text: detect_language(text, hint="en-US"), headlines
        ),
        "heuristic (before)": measure(lambda text: text_language(text[:2000]), rows),
    }
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
