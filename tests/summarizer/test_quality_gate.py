"""ROUGE floor on a fixed sample, in the spirit of trafilatura's evaluation gate.

`news` is scored on the first 200 `dev` articles of each dataset; the floors sit just under the
scores measured when the weights were trained, so a regression in splitting, cleaning,
features or weights fails the suite. The articles are not in the repository: without
$NEWSBRIEF_EVAL_DATA or ../shared/data the gate is skipped.
"""

from __future__ import annotations

import pytest

from summarizer.evaluation import eval_data_dir, evaluate, load_articles

# dataset -> (R-1, R-2, R-L) floors; measured 64.01 / 59.46 / 63.55 and 53.61 / 39.61 / 50.87.
FLOORS = {
    "bbc_news_summary": (63.4, 58.8, 62.9),
    "cnn_corpus": (53.0, 39.0, 50.2),
}


@pytest.mark.parametrize("dataset", sorted(FLOORS))
def test_news_stays_above_its_rouge_floor(dataset: str) -> None:
    directory = eval_data_dir()
    corpus, split_file = directory / f"{dataset}.jsonl", directory / f"{dataset}.split.json"
    if not (corpus.is_file() and split_file.is_file()):
        pytest.skip(
            f"evaluation data not found in {directory}: set NEWSBRIEF_EVAL_DATA to the folder "
            f"holding {dataset}.jsonl and its split file to run the quality gate"
        )
    articles = load_articles(corpus, split_file=split_file, split="dev", limit=200)
    assert len(articles) == 200
    scores = evaluate(articles, ["news"], sentences=3, oracle=False).as_json()["results"]["news"]
    measured = (scores["rouge1"], scores["rouge2"], scores["rougeL"])
    for name, value, floor in zip(("R-1", "R-2", "R-L"), measured, FLOORS[dataset], strict=True):
        assert value >= floor, f"{dataset} {name} fell to {value:.2f} (floor {floor})"
