"""`news`: our extractive method, a learned linear scorer plus readability-aware selection.

A sentence's score is a weighted sum of its features (position in sentences, centrality, word
overlap, title overlap, length, style; see `summarizer.features`). The weights depend on the
article's shape (`document_shape`: its length in sentences and its words per sentence, never its
paragraphs), so one model serves short and long articles and text with or without paragraph
breaks. Selection (`summarizer.selection.select_readable`) takes the set of sentences with the
best total score under the readability rules (`summarizer.readability`): a sentence that leans
on the one before it ("He added…", "But…", a quote whose speaker is not named) comes only with
that sentence, and no two chosen sentences state the same fact; a redundancy penalty
discourages overlap below that.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from summarizer.document import Document
from summarizer.features import FEATURE_NAMES, SHAPE_NAMES, ArticleFeatures, article_features
from summarizer.selection import same_fact_matrix, select_readable

WEIGHTS_FILE = "news_weights.json"
DEPENDENT = FEATURE_NAMES.index("dependent")


@dataclass(frozen=True, slots=True)
class NewsModel:
    """Feature weights per shape multiplier (SHAPE_NAMES x FEATURE_NAMES), the redundancy
    penalty, and the shift applied when the summary takes a large share of the article."""

    weights: tuple[tuple[float, ...], ...]
    redundancy: float = 0.0
    heads: int = 7  # exhaustive selection over the best `heads` sentences (and antecedents)
    budget_share: float = 1.0
    budget_weights: tuple[float, ...] = (0.0,) * len(FEATURE_NAMES)

    def document_weights(self, shape: Sequence[float], share: float = 0.0) -> list[float]:
        """The weights for one article and summary length (`share`: sentences asked / present).

        Sum over shape multipliers of multiplier x weights; beyond `budget_share`, plus
        (share - budget_share) x budget_weights: a summary of half an article should favour
        word overlap over length, while a 3-sentence one should favour long, central sentences.
        """
        excess = max(0.0, share - self.budget_share)
        return [
            sum(m * row[f] for m, row in zip(shape, self.weights, strict=True))
            + excess * self.budget_weights[f]
            for f in range(len(FEATURE_NAMES))
        ]

    def to_json(self) -> dict[str, object]:
        """The JSON object stored in news_weights.json."""
        return {
            "redundancy": self.redundancy,
            "heads": self.heads,
            "budget": {
                "share": self.budget_share,
                "weights": {
                    name: w for name, w in zip(FEATURE_NAMES, self.budget_weights, strict=True) if w
                },
            },
            "weights": {
                shape: {name: round(w, 5) for name, w in zip(FEATURE_NAMES, row, strict=True)}
                for shape, row in zip(SHAPE_NAMES, self.weights, strict=True)
            },
        }


def model_from_json(raw: Mapping[str, object]) -> NewsModel:
    """A NewsModel from news_weights.json's object; missing weights count as zero."""
    table = raw.get("weights", {})
    assert isinstance(table, Mapping)
    weights = tuple(
        tuple(float(table.get(shape, {}).get(name, 0.0)) for name in FEATURE_NAMES)
        for shape in SHAPE_NAMES
    )
    budget = raw.get("budget", {})
    assert isinstance(budget, Mapping)
    budget_table = budget.get("weights", {})
    return NewsModel(
        weights=weights,
        redundancy=float(raw.get("redundancy", 0.0)),  # type: ignore[arg-type]
        heads=int(raw.get("heads", 7)),  # type: ignore[call-overload]
        budget_share=float(budget.get("share", 1.0)),
        budget_weights=tuple(float(budget_table.get(name, 0.0)) for name in FEATURE_NAMES),
    )


@cache
def load_model() -> NewsModel:
    """The weights shipped with the package, read once per process."""
    text = resources.files("summarizer").joinpath(WEIGHTS_FILE).read_text("utf-8")
    return model_from_json(json.loads(text))


def score_features(
    features: ArticleFeatures, model: NewsModel | None = None, count: int = 3
) -> list[float]:
    """The model's salience score of each sentence for a `count`-sentence summary."""
    model = model or load_model()
    share = count / max(1, len(features.rows))
    weights = np.asarray(model.document_weights(features.shape, share))
    return (features.rows @ weights).tolist()


def score_sentences(
    document: Document, model: NewsModel | None = None, count: int = 3
) -> list[float]:
    """The news model's salience score of each sentence of the document, in order."""
    if not document.sentences:
        return []
    return score_features(article_features(document), model, count)


def pair_tables(features: ArticleFeatures) -> Callable[[list[int]], tuple[Any, Any]]:
    """(cosine matrix, same-fact matrix) of a list of sentences, from one matrix product."""

    def tables(candidates: list[int]) -> tuple[Any, Any]:
        cosine, shared, sizes = features.pair_matrices(candidates)
        return cosine, same_fact_matrix(shared, sizes)

    return tables


def summarize_news(document: Document, count: int, model: NewsModel | None = None) -> list[str]:
    """The `count` best sentences of the document by the news model, in document order."""
    if not document.sentences or count <= 0:
        return []
    if count * 2 >= len(document.sentences):
        # Half the article or more: the model learned to choose a few sentences of many, and
        # read this far out of its range it can drop the lead, which holds the news.
        return [s.text for s in document.sentences[:count]]
    model = model or load_model()
    features = article_features(document)
    scores = score_features(features, model, count)
    dependent = features.rows[:, DEPENDENT].astype(bool).tolist()
    chosen = select_readable(
        scores,
        count,
        dependent=dependent,
        pair_tables=pair_tables(features),
        redundancy=model.redundancy,
        heads=model.heads,
    )
    return [document.sentences[i].text for i in chosen]
