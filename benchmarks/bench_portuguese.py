"""Single-article summaries in Portuguese: `news` against Lead-3 and every sumy method on the
131 CSTNews articles that have a human single-document summary.

    .venv/bin/python benchmarks/bench_portuguese.py [--sentences 3] [--json results.json]

Reads `$NEWSBRIEF_EVAL_DATA` (or ../shared/data; never copied into the repository). Every
algorithm summarises each article in Portuguese (`language="pt"`: Portuguese sentence rules,
stemmer and stop words; sumy's methods get the same) at the same sentence count, and is scored
with ROUGE-1, ROUGE-2 and ROUGE-Lsum F1 over Unicode tokens Snowball-stemmed in Portuguese
(`summarizer.evaluation.unicode_rouge_tokens`: rouge-score's own tokenizer keeps only [a-z0-9],
which cuts "eleições" in two). Also run without the language (`news`, guessed), to show what
telling it is worth. CSTNews was never used to tune `news` (trained on BBC and CNN-Corpus).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from summarizer import summarize
from summarizer.api import ALGORITHMS
from summarizer.evaluation import EvalArticle, eval_data_dir, load_articles, unicode_rouge_tokens


class PortugueseTokens:
    """rouge-score's tokenizer interface over Portuguese Unicode tokens."""

    def tokenize(self, text: str) -> list[str]:
        """Lower-case NFC words, Snowball-stemmed in Portuguese."""
        return unicode_rouge_tokens(text, "pt")


def scorer() -> Any:
    """ROUGE-1/2/Lsum over Portuguese tokens."""
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(
        ["rouge1", "rouge2", "rougeLsum"], tokenizer=PortugueseTokens()
    )


def score_all(
    articles: list[EvalArticle], algorithm: str, sentences: int, language: str | None
) -> dict[str, float]:
    """Mean ROUGE F1 (×100) of one algorithm over the articles."""
    rouge = scorer()
    r1, r2, rl = [], [], []
    for article in articles:
        summary = summarize(
            article.text,
            title=article.title,
            sentences=sentences,
            algorithm=algorithm,
            language=language,
        )
        scores = rouge.score("\n".join(article.reference), "\n".join(summary))
        r1.append(scores["rouge1"].fmeasure)
        r2.append(scores["rouge2"].fmeasure)
        rl.append(scores["rougeLsum"].fmeasure)
    return {
        "R-1": round(100 * statistics.fmean(r1), 2),
        "R-2": round(100 * statistics.fmean(r2), 2),
        "R-L": round(100 * statistics.fmean(rl), 2),
    }


def main() -> int:
    """Score every algorithm and print the table (and optionally save it)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    try:
        path = eval_data_dir() / "cstnews.jsonl"
        articles = load_articles(path, reference="summary")
    except Exception as exc:  # no data: say why, as the other benchmarks do
        print(f"no evaluation data: {exc}", file=sys.stderr)
        return 1
    results: dict[str, dict[str, float]] = {}
    for algorithm in ALGORITHMS:
        results[algorithm] = score_all(articles, algorithm, args.sentences, "pt")
        print(algorithm, results[algorithm], flush=True)
    results["news, language guessed"] = score_all(articles, "news", args.sentences, None)
    print("news, language guessed", results["news, language guessed"], flush=True)
    news = results["news"]
    beaten = {
        name: [m for m in ("R-1", "R-2", "R-L") if figures[m] > news[m]]
        for name, figures in results.items()
        if name != "news"
    }
    summary = {
        "articles": len(articles),
        "sentences": args.sentences,
        "results": results,
        "news is beaten on": {k: v for k, v in beaten.items() if v},
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
