"""Learn `collector/story_model.json` on the dev halves of the real multi-outlet streams.

    .venv/bin/python -m sandbox.clustering_train [--without CORPUS] [--out PATH] [--workers 2]

1. Each dev stream (`sandbox.clustering_streams`) runs through the real `StoryClusterer`,
   every article placed in its true story; at each arrival the candidates the clusterer
   proposes are measured (`collector.story_model.features`) and labelled: the true story or not.
2. A logistic regression per kind (articles with a text; headline-only items: the headline
   streams and the titles of the text corpora), each corpus weighing the same and each
   arrival within a corpus the same.
3. The probability a join needs is chosen on the same dev streams, clustering them for real
   (`clustering_measure.text_objective` + `title_objective`).

`--without` leaves one corpus out (for `benchmarks/bench_clustering.py --loco`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from collector.clustering import StoryClusterer
from collector.story_model import (
    MODEL_PATH,
    TEXT_FEATURES,
    TITLE_FEATURES,
    Model,
    Weights,
)
from sandbox.clustering_measure import evaluate, text_objective, title_objective
from sandbox.clustering_streams import Stream, data_dir, streams

JOIN_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
L2 = 1.0  # ridge on the standardised weights
TIE = 0.02  # objectives this close are equal (see `train`)
ROUNDS = 2  # rounds in the states the models before led to


@dataclass
class Examples:
    """Feature rows, labels and sample weights of one kind."""

    rows: list[list[float]]
    labels: list[int]
    weights: list[float]


def untrained() -> Model:
    """A model that joins nothing (the clusterer is only measured while training)."""
    zero = [
        Weights(names, (0.0,) * len(names), (1.0,) * len(names), (0.0,) * len(names), -30.0)
        for names in (TEXT_FEATURES, TITLE_FEATURES)
    ]
    return Model(zero[0], zero[1])


def title_streams(text: Sequence[Stream]) -> list[Stream]:
    """The text corpora's streams as headline-only items (the dense day's too: a feed of
    headlines meets many small distinct stories, not only the uci stream's few coarse ones)."""
    return [
        replace(s, kind="title", items=tuple(replace(i, text="") for i in s.items))
        for s in text
        if s.corpus != "republished"
    ]


def collect(
    stream: Stream, model: Model | None = None
) -> tuple[list[list[float]], list[int], list[bool], int]:
    """Each arrival's candidates: features, labels (the candidate holds mostly the article's
    event), kinds; and the number of arrivals with candidates. Without a model every article
    goes to its true story; with one, the clusterer places them itself, so the candidates are
    the fragments and blends its own mistakes leave (what it meets when it runs)."""
    clusterer = StoryClusterer(model=model or untrained())
    current: dict[str, tuple[int, int]] = {}  # label -> (story id, an article of it)
    label_of: dict[int, str] = {}
    rows: list[list[float]] = []
    labels: list[int] = []
    kinds: list[bool] = []
    arrivals = 0
    for item in stream.items:
        article = clusterer.terms(item.title, item.text, item.language or None)
        found = clusterer.candidates(article, item.at)
        if found:
            arrivals += 1
        for c in found:
            members = Counter(label_of[a] for a in c.story.members)
            rows.append(c.features)
            labels.append(int(2 * members[item.label] > len(c.story.members)))
            kinds.append(c.text)
        label_of[item.article_id] = item.label
        if model is not None:
            clusterer.assign(
                item.article_id,
                item.title,
                item.text,
                item.at,
                item.article_id,
                item.language or None,
            )
            continue
        known = current.get(item.label)
        true_id = item.article_id
        if known is not None and clusterer.story_of(known[1]) is not None:
            true_id = known[0]
        clusterer.add(item.article_id, true_id, article, item.at)
        current[item.label] = (true_id, item.article_id)
    return rows, labels, kinds, arrivals


def _job(
    job: tuple[Stream, Model | None],
) -> tuple[str, list[list[float]], list[int], list[bool], int]:
    stream, model = job
    rows, labels, kinds, arrivals = collect(stream, model)
    return stream.corpus, rows, labels, kinds, arrivals


def examples(
    dev: Sequence[Stream], workers: int, models: Sequence[Model | None] = (None,)
) -> dict[bool, Examples]:
    """Labelled candidates of every stream, by kind, each corpus weighing the same, in the
    states each of `models` leads to (None: the true clustering)."""
    with ProcessPoolExecutor(workers) as pool:
        found = list(pool.map(_job, [(s, m) for m in models for s in dev]))
    per_corpus: dict[tuple[bool, str], int] = defaultdict(int)
    for corpus, _, _, kinds, arrivals in found:
        for kind in set(kinds):
            per_corpus[(kind, corpus)] += arrivals
    corpora = Counter(kind for kind, _ in per_corpus)  # corpora with examples of each kind
    out = {True: Examples([], [], []), False: Examples([], [], [])}
    for corpus, rows, labels, kinds, _ in found:
        for row, label, kind in zip(rows, labels, kinds, strict=True):
            out[kind].rows.append(row)
            out[kind].labels.append(label)
            out[kind].weights.append(1.0 / (per_corpus[(kind, corpus)] * corpora[kind]))
    return out


def fit(names: Sequence[str], data: Examples) -> Weights:
    """Weighted L2 logistic regression on standardised features (Newton's method)."""
    x = np.asarray(data.rows, dtype=float)
    y = np.asarray(data.labels, dtype=float)
    w = np.asarray(data.weights, dtype=float)
    w = w / w.sum() * len(w)
    mean = np.average(x, axis=0, weights=w)
    scale = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=w))
    scale[scale == 0] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    beta = np.zeros(z.shape[1])
    ridge = np.full(z.shape[1], L2)
    ridge[-1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -30, 30)))
        gradient = z.T @ (w * (p - y)) + ridge * beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(ridge)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return Weights(
        tuple(names),
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in beta[:-1]),
        float(beta[-1]),
    )


def train(dev: Sequence[Stream], workers: int = 2, verbose: bool = True) -> Model:
    """The model learned on `dev`, its join probability chosen by clustering `dev`."""
    text = [s for s in dev if s.kind == "text"]
    titles = [s for s in dev if s.kind == "title"] + title_streams(text)
    everything = [*text, *titles]
    data = examples(everything, workers)
    model = Model(fit(TEXT_FEATURES, data[True]), fit(TITLE_FEATURES, data[False]))
    # Again in the states the first model leads to, with the true clustering's: the
    # clusterer then learns to read its own fragments.
    models: list[Model | None] = [None]
    for _ in range(ROUNDS):
        models.append(model)
        data = examples(everything, workers, models)
        model = Model(fit(TEXT_FEATURES, data[True]), fit(TITLE_FEATURES, data[False]))
    if verbose:
        for kind, weights in (("text", model.text), ("title", model.title)):
            pairs = zip(weights.names, weights.coef, strict=True)
            shown = ", ".join(f"{n} {c:+.2f}" for n, c in pairs)
            print(f"{kind} ({len(data[kind == 'text'].rows)} candidates): {shown}")
    title_dev = [s for s in dev if s.kind == "title"] or title_streams(text)
    joins = {}
    for kind, streams_, objective in (
        ("text", text, text_objective),
        ("title", title_dev, title_objective),
    ):
        results: list[tuple[float, float]] = []
        for join in JOIN_GRID:
            trial = replace(model, join=join, title_join=join)
            value = objective(evaluate("product", streams_, {"model": trial}, None, workers))
            if verbose:
                print(f"{kind} join {join}: objective {value:.3f}", flush=True)
            results.append((join, value))
        top = max(value for _, value in results)
        # Within TIE of the best, the strictest: a wrong join hides an event inside another
        # item, a missed one only shows it twice.
        joins[kind] = max(join for join, value in results if value >= top - TIE)
    return replace(model, join=joins["text"], title_join=joins["title"])


def save(model: Model, path: Path) -> None:
    """Write the model as `collector.story_model.load` reads it."""
    data = {
        "text": model.text.as_json(),
        "title": model.title.as_json(),
        "join": model.join,
        "title_join": model.title_join,
    }
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def main() -> int:
    """Train and write the model."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--without", help="leave this corpus out")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    folder = data_dir()
    if folder is None:
        print("no evaluation data: set NEWSBRIEF_EVAL_DATA or provide ../shared/data")
        return 1
    dev = [
        s
        for s in streams(folder, splits=("dev",))
        if args.without is None or s.corpus not in (args.without, "dense")
    ]
    model = train(dev, args.workers)
    save(model, args.out)
    print(f"join at {model.join}, headlines at {model.title_join}; written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
