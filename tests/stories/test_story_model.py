"""The shipped story model: it loads, it was trained on the features the code measures, and
a model stored for other features is refused with the way out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collector.story_model import MODEL_PATH, TEXT_FEATURES, ModelMismatch, load


def test_the_shipped_model_matches_the_features_measured() -> None:
    model = load()
    assert model.text.names == TEXT_FEATURES
    assert 0.0 < model.join < 1.0 and 0.0 < model.title_join < 1.0


def test_a_model_trained_on_other_features_is_refused(tmp_path: Path) -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["text"]["names"] = ["log_similarity", *data["text"]["names"][1:-1], "retired"]
    stale = tmp_path / "story_model.json"
    stale.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelMismatch, match=r"retrain with python -m sandbox\.clustering_train"):
        load(stale)
