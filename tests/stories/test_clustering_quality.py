"""Story clustering on real multi-outlet news (dev halves) and the edited-copy regression.

Skipped when the shared evaluation data ($NEWSBRIEF_EVAL_DATA or ../shared/data) is absent.
The full figures, test halves and baselines: benchmarks/bench_clustering.py.
"""

from __future__ import annotations

from functools import cache

import pytest

from sandbox.clustering_baselines import product
from sandbox.clustering_streams import Scores, Stream, data_dir, score, streams


@cache
def _dev_streams() -> dict[str, Stream]:
    folder = data_dir()
    if folder is None:
        pytest.skip("no evaluation data: set NEWSBRIEF_EVAL_DATA or provide ../shared/data")
    wanted = ["cst-pt", "vi-vi", "ml-en", "uci", "dense", "republished"]
    return {s.name: s for s in streams(folder, ("dev",), sets=wanted)}


def _scores(name: str) -> Scores:
    stream = _dev_streams()[name]
    return score(stream.items, product(stream.items))


def test_independent_reports_in_portuguese_and_vietnamese_at_their_real_times() -> None:
    cstnews, vietnamese = _scores("cst-pt/real"), _scores("vi-vi/real")
    assert cstnews.f1 >= 0.85 and cstnews.b3_f1 >= 0.9  # dev: 0.89 / 0.95
    assert vietnamese.f1 >= 0.75 and vietnamese.b3_f1 >= 0.88  # dev: 0.80 / 0.91


def test_multiling_english_topics_join_when_their_reports_come_together() -> None:
    # multiling's "events" are WikiNews topics spanning weeks (pairs of reports at cosine
    # ~0.15): the model joins them by how far the story stands out among the candidates,
    # not by a cosine that would also join running subjects in a busy stream.
    found = _scores("ml-en/burst")
    assert found.precision >= 0.95 and found.f1 >= 0.85 and found.b3_f1 >= 0.9  # dev: .99/.96/.97


def test_headlines_alone_at_their_real_times() -> None:
    found = _scores("uci/real")
    assert found.f1 >= 0.8 and found.precision >= 0.95  # dev: 0.85, precision 0.99


def test_a_busy_day_keeps_events_apart_from_neighbouring_news() -> None:
    found = _scores("dense")  # ~1,200 articles in three languages, language not given
    assert found.event_precision >= 0.9 and found.recall >= 0.7  # dev: 0.95 / 0.76
    assert found.largest <= 20  # dev: 15; no topic-sized story


def test_edited_copies_regression() -> None:
    # The clusterer before issue 12 reached F1 0.97 here (its tuning set) by joining
    # near-copies only (body cosine >= 0.65), and 0.16 on independent reports of real events.
    # The product joins independent reports, where distinct BBC articles of one running
    # subject - labelled as separate events in this data - now and then join too; the model
    # reads a loose, long story as a running subject (the first version of issue 12: 0.54,
    # with a story of 42).
    found = _scores("republished")
    assert found.recall >= 0.9 and found.f1 >= 0.75 and found.largest <= 15  # dev: .94/.82/10
