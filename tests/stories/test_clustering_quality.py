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
    assert cstnews.f1 >= 0.85 and cstnews.b3_f1 >= 0.9  # dev: 0.95 / 0.98
    assert vietnamese.f1 >= 0.8 and vietnamese.b3_f1 >= 0.9  # dev: 0.88 / 0.94


def test_multiling_english_topics_stay_pure() -> None:
    # multiling's "events" are WikiNews topics spanning weeks (pairs of reports at cosine
    # ~0.15); joining them at that looseness would merge running subjects in a busy stream,
    # so recall is what the product gives up here (docs/benchmarks.md).
    found = _scores("ml-en/burst")
    assert found.precision >= 0.95 and found.f1 >= 0.45 and found.b3_f1 >= 0.8  # dev: 1/.52/.84


def test_headlines_alone_at_their_real_times() -> None:
    found = _scores("uci/real")
    assert found.f1 >= 0.8 and found.precision >= 0.9  # dev: 0.90, precision 0.95


def test_a_busy_day_keeps_events_apart_from_neighbouring_news() -> None:
    found = _scores("dense")  # ~1,200 articles in three languages, language not given
    assert found.event_precision >= 0.85 and found.recall >= 0.6  # dev: 0.92 / 0.71
    assert found.largest <= 15  # dev: 9; no topic-sized story


def test_edited_copies_regression() -> None:
    # The previous clusterer reached F1 0.97 here (its tuning set) by joining near-copies
    # only (body cosine >= 0.65), and 0.16 on independent reports of real events. The product
    # joins independent reports (cosine ~0.25), where distinct BBC articles of one running
    # subject - labelled as separate events in this data - now and then join too: the floor
    # guards against topic-sized stories (the prototype before the member checks: 0.25).
    found = _scores("republished")
    assert found.recall >= 0.95 and found.f1 >= 0.65 and found.largest <= 30  # dev: 1/.74/18
