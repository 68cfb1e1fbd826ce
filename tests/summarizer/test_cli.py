"""`newsbrief summarize` and `newsbrief eval` as a user runs them."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from cli import main
from summarizer import split_sentences, summarize
from tests.summarizer.conftest import ARTICLE, ARTICLE_TITLE


def test_summarize_a_text_file_prints_one_sentence_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert main(["summarize", str(article), "-n", "2"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == summarize(ARTICLE, sentences=2)
    assert all(line in split_sentences(ARTICLE) for line in printed)


def test_summarize_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ARTICLE.encode("utf-8"))))
    assert main(["summarize", "-", "--algorithm", "lead", "-n", "1"]) == 0
    # The headline line (no full stop, few words) is not a sentence to lead with.
    assert capsys.readouterr().out.splitlines() == [split_sentences(ARTICLE)[1]]


def test_summarize_extracts_an_html_page_and_uses_its_title(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paragraphs = [p for p in ARTICLE.split("\n\n") if p.strip()]
    html = (
        f"<!doctype html><html><head><title>{ARTICLE_TITLE}</title></head><body>"
        "<nav>Home | World | Business</nav><article>"
        f"<h1>{ARTICLE_TITLE}</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs[1:])
        + "<p>CLICK HERE TO GET THE HARBOUR DAILY APP</p></article></body></html>"
    )
    page = tmp_path / "page.html"
    page.write_text(html, encoding="utf-8")
    assert main(["summarize", str(page), "-n", "3"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 3
    assert printed[0].startswith("The city council of Northbridge voted on Tuesday")
    assert not any("CLICK HERE" in line or "Home" in line for line in printed)


def test_summarize_a_missing_file_is_one_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["summarize", str(tmp_path / "nope.txt")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        f"newsbrief: cannot read {tmp_path / 'nope.txt'}: No such file or directory"
    ]


def test_summarize_an_unknown_algorithm_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert main(["summarize", str(article), "--algorithm", "magic"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("newsbrief: unknown algorithm 'magic'")


def test_summarize_an_empty_input_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    assert main(["summarize", str(empty)]) == 1
    assert "no article text" in capsys.readouterr().err


@pytest.fixture
def dataset(tmp_path: Path) -> tuple[Path, Path]:
    """A three-article JSONL dataset (fictional) with a split file."""
    sentences = split_sentences(ARTICLE)[1:]
    rows = [
        {
            "id": f"a{i}",
            "title": ARTICLE_TITLE,
            "text": ARTICLE,
            "summary": " ".join(sentences[i : i + 2]),
            "summary_sentences": sentences[i : i + 2],
        }
        for i in range(3)
    ]
    path = tmp_path / "tiny.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    split = tmp_path / "tiny.split.json"
    split.write_text(json.dumps({"dev": ["a0", "a1"], "test": ["a2"]}), encoding="utf-8")
    return path, split


def test_eval_prints_a_table_with_the_oracle_as_ceiling(
    dataset: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path, split = dataset
    code = main(
        [
            "eval",
            str(path),
            "--split-file",
            str(split),
            "--split",
            "dev",
            "-a",
            "news",
            "-a",
            "lead",
            "-n",
            "2",
        ]
    )
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{path}: 2 articles, 2 sentences, reference summary"
    assert lines[1].split() == ["algorithm", "R-1", "R-2", "R-L", "articles/s"]
    names = [line.split()[0] for line in lines[3:]]
    assert names == ["news", "lead", "oracle"]
    oracle = lines[-1].split()
    assert oracle[:2] == ["oracle", "(ceiling)"] and oracle[2:5] == ["100.00"] * 3


def test_eval_json_is_one_parseable_object_on_stdout(
    dataset: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = dataset
    assert main(["eval", str(path), "--json", "-a", "lead", "-n", "ref", "--limit", "2"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["dataset"] == str(path)
    assert result["n"] == 2 and result["sentences"] == "ref"
    assert set(result["results"]) == {"lead", "oracle"}
    lead = result["results"]["lead"]
    assert set(lead) == {"rouge1", "rouge2", "rougeL", "articles_per_s"}
    assert 0 < lead["rouge1"] <= 100 and lead["articles_per_s"] > 0
    assert result["results"]["oracle"]["rouge1"] == 100.0


def test_eval_errors_are_one_clear_line(
    dataset: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, split = dataset
    assert main(["eval", str(tmp_path / "missing.jsonl")]) == 1
    assert main(["eval", str(path), "--split", "dev"]) == 1
    assert main(["eval", str(path), "--split-file", str(split), "--split", "train"]) == 1
    assert main(["eval", str(path), "-a", "nonsense"]) == 2
    assert main(["eval", str(path), "-n", "zero"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 5 and all(line.startswith("newsbrief: ") for line in err)
    assert "cannot read dataset" in err[0]
    assert "--split-file and --split go together" in err[1]
    assert "no split 'train'" in err[2]
