"""Whether a new article reports an open story: a logistic model over how the two compare.

A fixed cosine threshold does not carry from one kind of news to another. Reports of one
running event written apart (WikiNews on a tsunami's aftermath over weeks) share a cosine of
0.1-0.2, below what two unrelated business articles of one outlet share on a busy day. What
does carry is how the story stands out among the article's other candidates, how it compares
with the story's members one by one, and how fresh the story is. The model weighs those
measures; its weights are learned on the dev halves of the real multi-outlet corpora
(`sandbox/clustering_train.py`, docs/stories.md) and kept in `story_model.json`: one set for
articles with a text, one for headline-only items.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

MODEL_PATH = Path(__file__).with_name("story_model.json")
# A candidate whose profile cosine is this close to zero is measured as this (logs stay finite).
_FLOOR = 0.01
# The article's other candidates are taken as at least this close: cosines below it are the
# background of any busy day, and a lone candidate must not look like a standout by default.
_BACKGROUND = 0.05

TEXT_FEATURES = (
    "log_similarity",
    "log_member_mean",
    "log_member_max",
    "log_shared",
    "log_ratio",
    "margin",
    "log_hours",
    "log_size",
    "cohesion_gap",
    "log_cohesion",
    "log_span",
    "log_terms",
)
TITLE_FEATURES = (
    "log_similarity",
    "log_member_max",
    "log_shared",
    "log_ratio",
    "margin",
    "log_hours",
    "log_size",
    "log_terms",
)


@dataclass(frozen=True, slots=True)
class Measures:
    """How an article compares with one open story (cosines of unit TF-IDF vectors)."""

    similarity: float  # with the story's profile
    member_mean: float  # with its latest members, on average
    member_max: float  # ... and the closest of them
    shared: int  # distinct terms in common with the profile
    hours: float  # since the story's latest report
    size: int  # reports in the story
    cohesion: float  # the story's members with each other, on average (-1: too few)
    span: float  # hours from the story's first report to its latest


class Candidate(Protocol):
    """What the model reads and writes on a candidate story."""

    measures: Measures
    text: bool
    features: list[float]
    probability: float
    passed: bool


def features(m: Measures, second: float, terms: int, text: bool) -> list[float]:
    """The model's inputs for one candidate; `second` is the best profile cosine among the
    article's other candidates (0 when it has none), `terms` the article's distinct terms."""
    similarity = max(m.similarity, _FLOOR)
    values = {
        "log_similarity": math.log(similarity),
        "log_member_mean": math.log(max(m.member_mean, _FLOOR)),
        "log_member_max": math.log(max(m.member_max, _FLOOR)),
        "log_shared": math.log1p(m.shared),
        # How far the story stands out from the article's other candidates: the scale of
        # cosines differs with the language, the length and the day, the ranking does not.
        "log_ratio": math.log(similarity / max(second, _BACKGROUND)),
        "margin": m.similarity - max(second, _BACKGROUND),
        "log_hours": math.log1p(m.hours),
        "log_size": math.log(max(1, m.size)),
        # An article less like the members than they are like each other is the next episode.
        "cohesion_gap": (m.member_mean - m.cohesion) if m.cohesion >= 0 else 0.0,
        # A story of a running subject (a season, a campaign) is loose and long.
        "log_cohesion": math.log(max(m.cohesion if m.cohesion >= 0 else m.member_mean, _FLOOR)),
        "log_span": math.log1p(m.span),
        "log_terms": math.log1p(terms),
    }
    return [values[name] for name in (TEXT_FEATURES if text else TITLE_FEATURES)]


@dataclass(frozen=True)
class Weights:
    """One logistic model: inputs standardised by `mean` and `scale`, then weighed."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    bias: float

    def probability(self, values: list[float]) -> float:
        """P(the article reports the story)."""
        z = self.bias
        for v, mu, sd, w in zip(values, self.mean, self.scale, self.coef, strict=True):
            z += w * (v - mu) / sd
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def as_json(self) -> dict[str, object]:
        """The weights as stored."""
        return {
            "names": list(self.names),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "bias": self.bias,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Weights:
        """Weights as stored."""
        return cls(
            tuple(data["names"]),  # type: ignore[arg-type]
            tuple(data["mean"]),  # type: ignore[arg-type]
            tuple(data["scale"]),  # type: ignore[arg-type]
            tuple(data["coef"]),  # type: ignore[arg-type]
            float(data["bias"]),  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class Model:
    """The text model, the headline model, and the probability a join needs with each."""

    text: Weights
    title: Weights
    join: float = 0.5
    title_join: float = 0.5

    def judge(self, found: list[Candidate], terms: int) -> None:
        """Set each candidate's probability, and whether it passes."""
        for c in found:
            second = max(
                (o.measures.similarity for o in found if o is not c and o.text == c.text),
                default=0.0,
            )
            weights = self.text if c.text else self.title
            c.features = features(c.measures, second, terms, c.text)
            c.probability = weights.probability(c.features)
            c.passed = c.probability >= (self.join if c.text else self.title_join)


class ModelMismatch(ValueError):
    """The stored weights were learned on other features than the code measures."""


@lru_cache(maxsize=4)
def load(path: Path = MODEL_PATH) -> Model:
    """The shipped model (read once); raises ModelMismatch when it was trained on other
    features (retrain: `python -m sandbox.clustering_train`)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    model = Model(
        Weights.from_json(data["text"]),
        Weights.from_json(data["title"]),
        float(data["join"]),
        float(data["title_join"]),
    )
    for weights, names in ((model.text, TEXT_FEATURES), (model.title, TITLE_FEATURES)):
        if weights.names != names:
            raise ModelMismatch(
                f"{path.name} was trained on {list(weights.names)}, the code measures "
                f"{list(names)}: retrain with python -m sandbox.clustering_train"
            )
    return model
