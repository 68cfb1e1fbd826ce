"""Retrain the `news` weights on the `dev` splits: `python -m summarizer.train [--data DIR]`.

Only `dev` is read (`test` stays untouched for reporting):
1. a listwise model: within each article, a softmax over the sentences' linear scores (features
   times the article's shape multipliers) is fitted to the reference sentences, weighted by their
   length (Newton's method, L2-regularised, each target weighted equally);
2. a fixed length bonus, and the redundancy penalty chosen by mean ROUGE-1/2 F1 (computed
   exactly on cached n-gram counts) at 3 sentences and at the reference's length on every target.
The result goes to `summarizer/news_weights.json`, which ships with the package.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from summarizer.document import prepare_document
from summarizer.evaluation import (
    EvalArticle,
    eval_data_dir,
    load_articles,
    oracle_indices,
    rouge_tokens,
)
from summarizer.features import FEATURE_NAMES, article_features
from summarizer.news import DUPLICATE_SIMILARITY, WEIGHTS_FILE, NewsModel
from summarizer.selection import select_sentences

DATASETS = ("bbc_news_summary", "cnn_corpus")
# What the model learns to match, each pair weighted equally: both human extractive summaries,
# and CNN's own rewritten highlights (through the extractive oracle's choice of sentences).
TARGETS = (("bbc_news_summary", "summary"), ("cnn_corpus", "summary"), ("cnn_corpus", "highlights"))
HIGHLIGHTS = ":highlights"
# A candidate counts as a reference sentence when this share of its words (stemmed, as ROUGE
# sees them) matches one reference sentence: splitters disagree on a few boundaries.
MATCH_THRESHOLD = 0.8
L2 = 1e-2
# Reference sentences weigh by word count ** LENGTH_POWER in the listwise target: a long one
# covers more of the reference, and ROUGE counts words, not sentences.
LENGTH_POWER = 1.0
# Added to the log-length weight after the fit: favours the longer of two likely sentences, which
# is what ROUGE at 3 sentences rewards when the reference is long (chosen by 2-fold
# cross-validation on dev; see docs/summarizer.md).
LENGTH_BONUS = 0.25
# When a summary takes more than BUDGET_SHARE of the article's sentences (BBC's references take
# about half), precision matters more than recall: per unit of excess share, shift weight from
# length to TextRank-style word overlap (chosen by 2-fold cross-validation on dev).
BUDGET_SHARE = 0.3
BUDGET_WEIGHTS = {"log_length": -4.0, "textrank_overlap": 8.0}
LOG_LENGTH = FEATURE_NAMES.index("log_length")
REDUNDANCY_GRID = (0.0, 0.1, 0.25, 0.5)


@dataclass(slots=True)
class TrainingArticle:
    """One dev article's feature rows, reference labels and cached ROUGE n-gram counts."""

    corpus: str
    rows: Any  # numpy array, sentences x FEATURE_NAMES
    shape: tuple[float, float, float]
    labels: list[float]
    similarity: list[list[float]]
    unigrams: list[Counter[str]]
    bigrams: list[Counter[tuple[str, str]]]
    reference_unigrams: Counter[str]
    reference_bigrams: Counter[tuple[str, str]]
    reference_count: int


def reference_labels(
    candidates: Sequence[list[str]], reference: Sequence[list[str]]
) -> list[float]:
    """1.0 for each tokenised candidate that (nearly) is a reference sentence, else 0.0."""
    reference_sets = [set(r) for r in reference if r]
    labels = []
    for tokens in candidates:
        words, best = set(tokens), 0.0
        for ref in reference_sets:
            if words:
                overlap = len(words & ref)
                best = max(best, min(overlap / len(words), overlap / len(ref)))
        labels.append(1.0 if best >= MATCH_THRESHOLD else 0.0)
    return labels


def prepare_training(article: EvalArticle, corpus: str) -> TrainingArticle:
    """Features, labels, pairwise similarities and n-gram counts of one article.

    Labels: for an extractive reference, the sentences that are in it; for a rewritten one
    (corpus name ending in HIGHLIGHTS), the greedy ROUGE oracle's sentences.
    """
    document = prepare_document(article.text, article.title)
    features = article_features(document)
    count = len(document.sentences)
    tokens = [rouge_tokens(text) for text in document.texts]
    reference = [rouge_tokens(text) for text in article.reference]
    if corpus.endswith(HIGHLIGHTS):
        chosen = set(oracle_indices(document.texts, article.reference, len(article.reference)))
        labels = [float(i in chosen) for i in range(count)]
    else:
        labels = reference_labels(tokens, reference)
    return TrainingArticle(
        corpus=corpus,
        rows=features.rows,
        shape=features.shape,
        labels=labels,
        similarity=[[features.similarity(i, j) for j in range(count)] for i in range(count)],
        unigrams=[Counter(t) for t in tokens],
        bigrams=[Counter(pairwise(t)) for t in tokens],
        reference_unigrams=Counter(t for r in reference for t in r),
        reference_bigrams=Counter(g for r in reference for g in pairwise(r)),
        reference_count=len(article.reference),
    )


def load_training(data_dir: Path, split: str = "dev") -> list[TrainingArticle]:
    """Training articles of every dataset's `split`, one set per (dataset, reference) pair."""
    return [
        prepare_training(article, corpus + ("" if reference == "summary" else HIGHLIGHTS))
        for corpus, reference in TARGETS
        for article in load_articles(
            data_dir / f"{corpus}.jsonl",
            split_file=data_dir / f"{corpus}.split.json",
            split=split,
            reference=reference,
        )
    ]


def fit_listwise(
    articles: Sequence[TrainingArticle],
    *,
    l2: float = 1e-2,
    length_power: float = 0.0,
    iterations: int = 30,
) -> NewsModel:
    """Listwise softmax weights (feature x shape) by Newton's method, corpora weighted equally."""
    import numpy as np

    usable = [a for a in articles if sum(a.labels) > 0 and len(a.rows) > 1]
    sizes = Counter(a.corpus for a in usable)
    # Each feature times each shape multiplier: the weights come out per shape (NewsModel).
    features = [np.hstack([m * a.rows for m in a.shape]) for a in usable]
    targets = []
    for article in usable:
        # Reference sentences weighted by word count ** length_power: a long one covers more.
        lengths = article.rows[:, LOG_LENGTH]
        mass = np.asarray(article.labels) * np.exp(length_power * lengths)
        targets.append(mass / mass.sum())
    shares = [1.0 / (len(sizes) * sizes[a.corpus]) for a in usable]
    # Standardise the features so one L2 strength suits them all, then map the weights back.
    stacked = np.vstack(features)
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0)
    scale[scale == 0] = 1.0
    mean[0] = 0.0  # the bias column stays 1.0 (it cancels inside a softmax anyway)
    for column in range(len(FEATURE_NAMES), stacked.shape[1], len(FEATURE_NAMES)):
        mean[column] = 0.0  # the shape columns are constant within an article: keep them so
    standardised = [(x - mean) / scale for x in features]
    size = stacked.shape[1]

    def loss(w: Any) -> float:
        total = 0.5 * l2 * float(w @ w)
        for x, y, share in zip(standardised, targets, shares, strict=True):
            scores = x @ w
            top = scores.max()
            total -= share * float(y @ (scores - top - np.log(np.exp(scores - top).sum())))
        return total

    weights = np.zeros(size)
    current = loss(weights)
    for _ in range(iterations):
        gradient, hessian = l2 * weights, l2 * np.eye(size)
        for x, y, share in zip(standardised, targets, shares, strict=True):
            p = np.exp(x @ weights - (x @ weights).max())
            p /= p.sum()
            gradient += share * (x.T @ (p - y))
            weighted = x * p[:, None]
            hessian += share * (x.T @ weighted - np.outer(weighted.sum(0), weighted.sum(0)))
        step, fraction = np.linalg.solve(hessian, gradient), 1.0
        while (value := loss(weights - fraction * step)) > current and fraction > 1e-4:
            fraction /= 2  # backtracking keeps every Newton step a descent
        if value > current:
            break
        weights, improvement, current = weights - fraction * step, current - value, value
        if improvement < 1e-9:
            break
    raw = [float(w) for w in weights / scale]
    width = len(FEATURE_NAMES)
    return NewsModel(tuple(tuple(raw[i : i + width]) for i in range(0, len(raw), width)))


def _f1(overlap: int, predicted: int, reference: int) -> float:
    if not overlap:
        return 0.0
    return 2 * overlap / (predicted + reference)


def article_rouge(article: TrainingArticle, model: NewsModel, count: int | None) -> float:
    """Mean of ROUGE-1 and ROUGE-2 F1 of the model's selection (count None: reference length)."""
    import numpy as np

    k = article.reference_count if count is None else count
    share = k / max(1, len(article.rows))
    scores = (article.rows @ np.asarray(model.document_weights(article.shape, share))).tolist()
    similarity = article.similarity
    chosen = select_sentences(
        scores,
        lambda i, j: similarity[i][j],
        k,
        redundancy=model.redundancy,
        duplicate=DUPLICATE_SIMILARITY,
    )
    unigrams: Counter[str] = Counter()
    bigrams: Counter[tuple[str, str]] = Counter()
    for i in chosen:
        unigrams.update(article.unigrams[i])
        bigrams.update(article.bigrams[i])
    r1 = _f1(
        sum((unigrams & article.reference_unigrams).values()),
        sum(unigrams.values()),
        sum(article.reference_unigrams.values()),
    )
    r2 = _f1(
        sum((bigrams & article.reference_bigrams).values()),
        sum(bigrams.values()),
        sum(article.reference_bigrams.values()),
    )
    return (r1 + r2) / 2


def objective(articles: Sequence[TrainingArticle], model: NewsModel) -> float:
    """Mean (R-1 + R-2)/2 over corpora (equally weighted) and both lengths (3 and reference)."""
    by_corpus: dict[str, list[float]] = {}
    for article in articles:
        values = by_corpus.setdefault(article.corpus, [])
        values.append(article_rouge(article, model, 3))
        values.append(article_rouge(article, model, None))
    return 100 * sum(sum(v) / len(v) for v in by_corpus.values()) / max(1, len(by_corpus))


def with_length_bonus(model: NewsModel, bonus: float, redundancy: float) -> NewsModel:
    """The model with `bonus` added to the base log-length weight, the given penalty, and the
    large-budget shift (BUDGET_SHARE, BUDGET_WEIGHTS)."""
    base = list(model.weights[0])
    base[LOG_LENGTH] += bonus
    budget = tuple(BUDGET_WEIGHTS.get(name, 0.0) for name in FEATURE_NAMES)
    return NewsModel((tuple(base), *model.weights[1:]), redundancy, BUDGET_SHARE, budget)


def tune_selection(
    articles: Sequence[TrainingArticle], model: NewsModel, *, log: bool = True
) -> NewsModel:
    """Add the length bonus and pick the redundancy penalty with the best ROUGE objective."""
    best, best_value = model, -1.0
    for redundancy in REDUNDANCY_GRID:
        candidate = with_length_bonus(model, LENGTH_BONUS, redundancy)
        value = objective(articles, candidate)
        if log:
            print(f"redundancy {redundancy}: objective {value:.3f}", file=sys.stderr)
        if value > best_value:
            best, best_value = candidate, value
    return best


def train(
    articles: Sequence[TrainingArticle], *, l2: float = L2, length_power: float = LENGTH_POWER
) -> NewsModel:
    """The listwise fit, then the selection's length bonus and redundancy penalty by ROUGE."""
    return tune_selection(articles, fit_listwise(articles, l2=l2, length_power=length_power))


def main(argv: Sequence[str] | None = None) -> int:
    """Train on dev and write the weights JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m summarizer.train", description="Retrain the news summarizer on dev."
    )
    parser.add_argument("--data", type=Path, default=eval_data_dir(), help="dataset folder")
    parser.add_argument(
        "--output", type=Path, default=Path(__file__).with_name(WEIGHTS_FILE), help="JSON to write"
    )
    parser.add_argument("--l2", type=float, default=L2, help="L2 strength of the listwise fit")
    parser.add_argument(
        "--length-power", type=float, default=LENGTH_POWER, help="target weight: words ** power"
    )
    args = parser.parse_args(argv)
    if not all((args.data / f"{c}.jsonl").is_file() for c in DATASETS):
        print(
            f"no datasets in {args.data}: pass --data or set NEWSBRIEF_EVAL_DATA", file=sys.stderr
        )
        return 2
    model = train(load_training(args.data), l2=args.l2, length_power=args.length_power)
    payload = {
        "about": "weights of the news summarizer; retrain with: python -m summarizer.train",
        "trained_on": [f"{corpus} dev, reference {reference}" for corpus, reference in TARGETS],
        "length_bonus": LENGTH_BONUS,
        "l2": args.l2,
        "length_power": args.length_power,
        **model.to_json(),
    }
    args.output.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
