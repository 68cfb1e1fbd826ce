"""ROUGE evaluation of the algorithms on a JSONL dataset with human reference summaries."""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import os
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from summarizer.api import check_algorithm, summarize
from summarizer.document import prepare_document
from summarizer.sentences import split_sentences
from summarizer.words import unicode_stem, unicode_words

ORACLE = "oracle"
ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")
Progress = Callable[[str, int, int], None]


def eval_data_dir() -> Path:
    """Where the shared evaluation data lives: $NEWSBRIEF_EVAL_DATA, else ../shared/data
    beside the repository (the articles are copyrighted and never part of it)."""
    configured = os.environ.get("NEWSBRIEF_EVAL_DATA")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "shared" / "data"


class DatasetError(ValueError):
    """The dataset or split file cannot be read; the message says why."""


@dataclass(frozen=True, slots=True)
class EvalArticle:
    """One article with its reference summary as a list of sentences."""

    id: str
    title: str | None
    text: str
    reference: tuple[str, ...]


@dataclass(slots=True)
class AlgorithmScore:
    """Summed ROUGE F1 and time of one algorithm over the articles seen so far."""

    rouge1: float = 0.0
    rouge2: float = 0.0
    rougeL: float = 0.0
    seconds: float = 0.0
    count: int = 0
    timed: bool = True

    def add(self, scores: tuple[float, float, float], seconds: float) -> None:
        """Add one article's ROUGE F1 triple and summarising time."""
        self.rouge1 += scores[0]
        self.rouge2 += scores[1]
        self.rougeL += scores[2]
        self.seconds += seconds
        self.count += 1

    def as_dict(self) -> dict[str, float | None]:
        """Mean F1 as percentages (two decimals) and articles per second."""
        n = self.count or 1
        rate = self.count / self.seconds if self.timed and self.seconds > 0 else None
        return {
            "rouge1": round(100 * self.rouge1 / n, 2),
            "rouge2": round(100 * self.rouge2 / n, 2),
            "rougeL": round(100 * self.rougeL / n, 2),
            "articles_per_s": round(rate, 1) if rate is not None else None,
        }


@dataclass(slots=True)
class EvalResult:
    """Per-algorithm scores of one evaluation run."""

    dataset: str
    sentences: str
    reference: str
    scores: dict[str, AlgorithmScore] = field(default_factory=dict)
    n: int = 0

    def as_json(self) -> dict[str, Any]:
        """The `newsbrief eval --json` object."""
        return {
            "dataset": self.dataset,
            "n": self.n,
            "sentences": self.sentences,
            "reference": self.reference,
            "results": {name: score.as_dict() for name, score in self.scores.items()},
        }


def _reference_sentences(raw: dict[str, Any], reference: str) -> tuple[str, ...]:
    if reference == "summary":
        listed = raw.get("summary_sentences")
        if isinstance(listed, str):  # some exports store the list as its Python repr
            try:
                listed = ast.literal_eval(listed)
            except (ValueError, SyntaxError):
                listed = None
        if isinstance(listed, list) and listed:
            return tuple(str(s).strip() for s in listed if str(s).strip())
    value = raw.get(reference)
    if not isinstance(value, str) or not value.strip():
        return ()
    return tuple(split_sentences(value))


def load_articles(
    path: str | Path,
    *,
    split_file: str | Path | None = None,
    split: str | None = None,
    reference: str = "summary",
    limit: int | None = None,
) -> list[EvalArticle]:
    """Articles of a JSONL dataset, optionally only one split's ids, in file order."""
    wanted: set[str] | None = None
    if split_file is not None or split is not None:
        if split_file is None or split is None:
            raise DatasetError("--split-file and --split go together")
        try:
            splits = json.loads(Path(split_file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DatasetError(f"cannot read split file {split_file}: {exc}") from None
        if not isinstance(splits.get(split), list):
            raise DatasetError(f"split file {split_file} has no split {split!r}")
        wanted = set(splits[split])
    articles: list[EvalArticle] = []
    try:
        with open(path, encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    raw = json.loads(line)
                except ValueError:
                    raise DatasetError(f"{path}:{number}: not a JSON object") from None
                if wanted is not None and raw.get("id") not in wanted:
                    continue
                ref = _reference_sentences(raw, reference)
                if not ref:
                    continue  # nothing to compare against
                articles.append(
                    EvalArticle(str(raw.get("id")), raw.get("title"), raw.get("text") or "", ref)
                )
                if limit is not None and len(articles) >= limit:
                    break
    except OSError as exc:
        raise DatasetError(f"cannot read dataset {path}: {exc.strerror or exc}") from None
    return articles


@cache
def _scorer() -> Any:
    from rouge_score import rouge_scorer

    # rouge-score logs "Using default tokenizer." through absl at INFO on every scorer.
    logging.getLogger("absl").setLevel(logging.WARNING)
    return rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)


def rouge(prediction: Sequence[str], reference: Sequence[str]) -> tuple[float, float, float]:
    """ROUGE-1, ROUGE-2 and ROUGE-Lsum F1 (0..1) of predicted vs reference sentences."""
    if not prediction or not reference:
        return (0.0, 0.0, 0.0)
    scores = _scorer().score("\n".join(reference), "\n".join(prediction))
    return (scores["rouge1"].fmeasure, scores["rouge2"].fmeasure, scores["rougeLsum"].fmeasure)


@cache
def _rouge_tokenizer() -> Any:
    from rouge_score.tokenizers import DefaultTokenizer

    return DefaultTokenizer(use_stemmer=True)


def rouge_tokens(text: str) -> list[str]:
    """The tokens ROUGE compares: lower-cased, alphanumeric, Porter-stemmed."""
    return _rouge_tokenizer().tokenize(text)


def unicode_rouge_tokens(text: str, language: str | None) -> list[str]:
    """ROUGE tokens for any language: NFC, lower case, `regex` \\w+ words, Snowball-stemmed
    where the language has a Snowball stemmer (words over 3 letters). rouge-score's own
    tokenizer keeps only [a-z0-9], which deletes Arabic, Greek, Hindi or Hebrew text and most
    Vietnamese; every system and reference of a non-English comparison goes through this one."""
    return [unicode_stem(w, language) for w in unicode_words(unicodedata.normalize("NFC", text))]


def _ngram_f1(candidate: Counter[Any], reference: Counter[Any]) -> float:
    overlap = sum((candidate & reference).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(candidate.values())
    recall = overlap / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


def _grams(tokens: list[str]) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    return Counter(tokens), Counter(pairwise(tokens))


def oracle_indices(candidates: Sequence[str], reference: Sequence[str], count: int) -> list[int]:
    """Greedy extractive oracle: add the sentence that most raises (R1+R2)/2 F1, up to `count`."""
    tokenize = _rouge_tokenizer().tokenize
    ref1, ref2 = _grams([t for s in reference for t in tokenize(s)])
    grams = [_grams(tokenize(s)) for s in candidates]
    chosen: list[int] = []
    sum1: Counter[str] = Counter()
    sum2: Counter[tuple[str, str]] = Counter()
    best_value = 0.0
    while len(chosen) < count:
        best = None
        for i, (g1, g2) in enumerate(grams):
            if i in chosen:
                continue
            value = (_ngram_f1(sum1 + g1, ref1) + _ngram_f1(sum2 + g2, ref2)) / 2
            if value > best_value:
                best, best_value = i, value
        if best is None:
            break
        chosen.append(best)
        sum1 += grams[best][0]
        sum2 += grams[best][1]
    return sorted(chosen)


def evaluate(
    articles: Iterable[EvalArticle],
    algorithms: Sequence[str],
    *,
    sentences: int | None = 3,
    dataset: str = "",
    reference: str = "summary",
    oracle: bool = True,
    progress: Progress | None = None,
) -> EvalResult:
    """Mean ROUGE F1 and speed of each algorithm; `sentences=None` uses the reference length.

    Speed is CPU time of the `summarize` calls (cleaning included, ROUGE excluded): on a shared
    machine wall time measures the neighbours as much as the algorithm.
    """
    names = [check_algorithm(a) for a in algorithms]
    articles = list(articles)
    result = EvalResult(dataset, "ref" if sentences is None else str(sentences), reference)
    result.n = len(articles)
    for name in names:
        score = result.scores.setdefault(name, AlgorithmScore())
        for done, article in enumerate(articles, 1):
            count = len(article.reference) if sentences is None else sentences
            started = time.process_time()
            summary = summarize(article.text, title=article.title, sentences=count, algorithm=name)
            elapsed = time.process_time() - started
            score.add(rouge(summary, article.reference), elapsed)
            if progress:
                progress(name, done, len(articles))
    if oracle:
        score = result.scores.setdefault(ORACLE, AlgorithmScore(timed=False))
        for done, article in enumerate(articles, 1):
            count = len(article.reference) if sentences is None else sentences
            candidates = prepare_document(article.text, article.title).texts
            chosen = [candidates[i] for i in oracle_indices(candidates, article.reference, count)]
            score.add(rouge(chosen, article.reference), 0.0)
            if progress:
                progress(ORACLE, done, len(articles))
    return result


# --- multi-document data: stories told by several outlets ------------------------------------

STORY_CORPORA = ("multiling2011", "cstnews", "vietnamese_mds")


@dataclass
class StoryCluster:
    """One story in one language: its articles (cluster order) and its reference summaries."""

    corpus: str
    language: str
    id: str
    split: str  # "dev" or "test", by `story_split`
    articles: list[Any]  # summarizer.pooling.StoryArticle
    references: list[list[str]]

    @property
    def set_name(self) -> str:
        """ "ml-<language>" for MultiLing 2011, else the corpus's name."""
        return f"ml-{self.language}" if self.corpus == "multiling2011" else self.corpus


def story_split(cluster_id: str) -> str:
    """dev or test, by the first byte of md5(cluster id): stable, and the same cluster is on one
    side in every language of MultiLing."""
    return "dev" if hashlib.md5(cluster_id.encode()).digest()[0] % 2 == 0 else "test"


def load_story_clusters(
    data_dir: Path, split: str | None = None, corpora: Sequence[str] = STORY_CORPORA
) -> list[StoryCluster]:
    """Every (cluster, language) of the multi-document corpora, or one split's. CSTNews's
    references are its human abstracts; MultiLing's articles (all "Wikinews") count as
    distinct sources."""
    from summarizer.pooling import StoryArticle

    clusters: list[StoryCluster] = []
    for corpus in corpora:
        with open(data_dir / f"{corpus}.jsonl", encoding="utf-8") as lines:
            records = {raw["id"]: raw for raw in map(json.loads, lines)}
        with open(data_dir / f"{corpus}.clusters.jsonl", encoding="utf-8") as lines:
            for raw in map(json.loads, lines):
                side = story_split(raw["cluster"])
                if split and side != split:
                    continue
                field_ = "reference_abstracts" if corpus == "cstnews" else "reference_summaries"
                references = [r["sentences"] for r in raw[field_] if r["sentences"]]
                docs = [records[i] for i in raw["doc_ids"] if i in records]
                articles = [
                    StoryArticle(
                        d["id"] if corpus == "multiling2011" else (d.get("source") or d["id"]),
                        d.get("title") or "",
                        d.get("text") or "",
                        d.get("language") or raw["language"],
                        d.get("date"),
                    )
                    for d in docs
                ]
                clusters.append(
                    StoryCluster(
                        corpus, raw["language"], raw["cluster"], side, articles, references
                    )
                )
    return clusters


def rouge_recall(
    summary: Sequence[str], references: Sequence[Sequence[str]], language: str, budget: int
) -> tuple[float, float]:
    """ROUGE-1 and ROUGE-2 recall (0..1) of a summary cut to `budget` tokens
    (`unicode_rouge_tokens`), the mean over the references."""
    tokens = unicode_rouge_tokens(" ".join(summary), language)[:budget]
    s1, s2 = Counter(tokens), Counter(pairwise(tokens))
    r1, r2 = [], []
    for reference in references:
        ref = unicode_rouge_tokens(" ".join(reference), language)
        g1, g2 = Counter(ref), Counter(pairwise(ref))
        r1.append(sum((s1 & g1).values()) / max(sum(g1.values()), 1))
        r2.append(sum((s2 & g2).values()) / max(sum(g2.values()), 1))
    if not r1:
        return (0.0, 0.0)
    return sum(r1) / len(r1), sum(r2) / len(r2)


def sentence_index(sentences: Sequence[str], text: str) -> int:
    """Where a summary sentence stands among its article's sentences (-1: not there). An
    article's first sentence may come without its wire dateline (`summarizer.pooling`): it
    is found by its ending."""
    if text in sentences:
        return list(sentences).index(text)
    return 0 if sentences and sentences[0].endswith(text) else -1
