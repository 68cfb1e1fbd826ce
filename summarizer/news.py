"""`news`: our extractive method, a learned linear scorer plus redundancy-aware selection."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from summarizer.document import Document
from summarizer.features import FEATURE_NAMES, cosine, sentence_features, sentence_vectors

WEIGHTS_FILE = "news_weights.json"


@dataclass(frozen=True, slots=True)
class NewsModel:
    """Feature weights and the selection's redundancy penalty."""

    weights: dict[str, float]
    redundancy: float = 0.5


@cache
def load_model() -> NewsModel:
    """The weights shipped with the package, read once per process."""
    raw = json.loads(resources.files("summarizer").joinpath(WEIGHTS_FILE).read_text("utf-8"))
    return model_from_json(raw)


def model_from_json(raw: dict) -> NewsModel:
    """A NewsModel from the JSON object `summarizer.train` writes; unknown features ignored."""
    weights = {name: float(raw["weights"].get(name, 0.0)) for name in FEATURE_NAMES}
    return NewsModel(weights=weights, redundancy=float(raw.get("redundancy", 0.5)))


def score_sentences(rows: list[list[float]], model: NewsModel) -> list[float]:
    """A salience score per feature row (higher means more summary-worthy)."""
    weights = [model.weights[name] for name in FEATURE_NAMES]
    return [sum(w * x for w, x in zip(weights, row, strict=True)) for row in rows]


def select_sentences(
    scores: Sequence[float],
    similarity: Callable[[int, int], float],
    count: int,
    redundancy: float,
) -> list[int]:
    """Indices of `count` sentences by maximal marginal relevance, in document order."""
    chosen: list[int] = []
    candidates = set(range(len(scores)))
    overlap = [0.0] * len(scores)  # highest similarity to any chosen sentence
    while candidates and len(chosen) < count:
        best = max(candidates, key=lambda i: (scores[i] - redundancy * overlap[i], -i))
        chosen.append(best)
        candidates.discard(best)
        if redundancy and len(chosen) < count:
            for i in candidates:
                overlap[i] = max(overlap[i], similarity(i, best))
    return sorted(chosen)


def summarize_news(document: Document, count: int, model: NewsModel | None = None) -> list[str]:
    """The `count` best sentences of the document by the news model, in document order."""
    if not document.sentences or count <= 0:
        return []
    model = model or load_model()
    vectors = sentence_vectors(document)
    scores = score_sentences(sentence_features(document, vectors), model)
    units = vectors.sentences
    chosen = select_sentences(
        scores, lambda i, j: cosine(units[i], units[j]), count, model.redundancy
    )
    return [document.sentences[i].text for i in chosen]
