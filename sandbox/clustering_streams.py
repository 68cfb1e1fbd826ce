"""Real multi-outlet news as timed streams, for tuning and measuring story clustering.

Every corpus of independently written reports in the shared evaluation data (multiling2011 in
seven languages, cstnews, vietnamese_mds, the uci headlines) is split in two halves by a stable
hash of its event ids: `dev` (tune here) and `test` (report). A stream holds one half's events;
every event of the other half contributes one of its reports as a single-report event (real
news has many, and these are neighbours on the same subjects: the other earthquake, the next
episode of a running story). Articles then arrive in time order:

- `burst`: an event's reports within 3 hours of its start, events starting over one day;
- `spread`: within 18 hours of it;
- `real`: at their real times where the corpus has them (cstnews, vietnamese_mds);
- `dense`: one busy day in several languages: the English, Portuguese and Vietnamese events
  of the half (reports within 12 hours) among BBC and CNN articles of the half as single
  reports, about 1,500 articles a day (a busy instance: several hundred feeds);
- headlines (`uci/real`, `uci/spread`): titles only, at their real times (Google News saw them
  in bursts) and spread uniformly over the 36 hours.

Scores: pairwise and B-cubed precision, recall and F1 of the final story of each article
(merged stories followed). Nothing here is imported by production code.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from summarizer.evaluation import eval_data_dir

DAY0 = datetime(2026, 3, 2, tzinfo=UTC)
MULTILING_LANGUAGES = ("ar", "cs", "el", "en", "fr", "he", "hi")
ENGLISH_SINGLES = 50  # BBC/CNN single reports added to each English stream
DENSE_PER_DAY = 1500
FULL_TEXT_MODES = ("burst", "spread", "real")
CORPORA = ("multiling", "cstnews", "vietnamese_mds", "uci")


@dataclass(frozen=True, slots=True)
class Doc:
    """One article of the data, with its true event."""

    id: str
    title: str
    text: str
    event: str
    language: str
    date: datetime | None
    corpus: str


@dataclass(frozen=True, slots=True)
class Item:
    """One article of a stream: integer id, words, arrival time, language ("": not given) and
    true event."""

    article_id: int
    title: str
    text: str
    at: datetime
    language: str
    label: str


@dataclass(frozen=True)
class Stream:
    """A named stream of one half ("ml-en/burst", "dense", "uci/real") and its articles."""

    name: str
    corpus: str  # the corpus held out in leave-one-corpus-out ("dense": all of them)
    kind: str  # "text" or "title"
    split: str
    items: tuple[Item, ...]


def data_dir() -> Path | None:
    """The shared evaluation data with the multi-outlet corpora, None if absent."""
    folder = eval_data_dir()
    return folder if (folder / "multiling2011.jsonl").is_file() else None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _rows(folder: Path, name: str) -> list[dict[str, object]]:
    with (folder / f"{name}.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


@cache
def full_text_sets(folder: Path) -> dict[str, tuple[Doc, ...]]:
    """ "ml-<language>", "cst-pt", "vi-vi" -> their articles."""
    sets: dict[str, list[Doc]] = defaultdict(list)
    for name, corpus in (
        ("multiling2011", "multiling"),
        ("cstnews", "cstnews"),
        ("vietnamese_mds", "vietnamese_mds"),
    ):
        for r in _rows(folder, name):
            language = str(r["language"])
            key = {"multiling": f"ml-{language}", "cstnews": "cst-pt"}.get(corpus, "vi-vi")
            date = None if corpus == "multiling" else _date(r.get("date"))  # type: ignore[arg-type]
            sets[key].append(
                Doc(
                    str(r["id"]),
                    str(r.get("title") or ""),
                    str(r.get("text") or ""),
                    str(r["cluster"]),
                    language,
                    date,
                    corpus,
                )
            )
    return {k: tuple(v) for k, v in sets.items()}


@cache
def headlines(folder: Path) -> tuple[Doc, ...]:
    """The uci headlines (no text), with the time the aggregator saw each."""
    return tuple(
        Doc(str(r["id"]), str(r["title"]), "", str(r["cluster"]), "en", _date(r.get("date")), "uci")  # type: ignore[arg-type]
        for r in _rows(folder, "uci_news_headlines")
    )


@cache
def english_singles(folder: Path) -> dict[str, tuple[Doc, ...]]:
    """BBC and CNN articles by split (exact duplicates left out), each its own event."""
    out: dict[str, list[Doc]] = {"dev": [], "test": []}
    for name in ("bbc_news_summary", "cnn_corpus"):
        split = json.loads((folder / f"{name}.split.json").read_text(encoding="utf-8"))
        duplicates = {a for group in split.get("duplicate_groups", []) for a in group}
        side = {a: s for s in ("dev", "test") for a in split[s]}
        for r in _rows(folder, name):
            rid = str(r["id"])
            if rid in duplicates or rid not in side or not str(r.get("text") or "").strip():
                continue
            out[side[rid]].append(
                Doc(
                    rid,
                    str(r.get("title") or ""),
                    str(r["text"]),
                    f"single-{rid}",
                    "en",
                    None,
                    name,
                )
            )
    return {k: tuple(v) for k, v in out.items()}


def half_of(docs: Iterable[Doc]) -> dict[str, str]:
    """Event -> "dev"/"test": the corpus's events sorted by the md5 of their id, first half dev."""
    events = sorted({d.event for d in docs}, key=lambda e: hashlib.md5(e.encode()).hexdigest())
    cut = len(events) // 2
    return {e: ("dev" if i < cut else "test") for i, e in enumerate(events)}


def _chosen(docs: Sequence[Doc], split: str, rng: random.Random) -> list[tuple[str, list[Doc]]]:
    """The half's events, and one report of each event of the other half as a single."""
    side = half_of(docs)
    by_event: dict[str, list[Doc]] = defaultdict(list)
    for d in docs:
        by_event[d.event].append(d)
    chosen: list[tuple[str, list[Doc]]] = []
    for event in sorted(by_event):
        members = sorted(by_event[event], key=lambda d: d.id)
        if side[event] == split:
            chosen.append((event, members))
        else:
            one = rng.choice(members)
            chosen.append((f"single-{one.id}", [one]))
    return chosen


def _numbered(items: list[Item]) -> tuple[Item, ...]:
    items.sort(key=lambda i: (i.at, i.label, i.title))
    return tuple(replace(i, article_id=n + 1) for n, i in enumerate(items))


def text_stream(
    docs: Sequence[Doc], split: str, mode: str, seed: int = 0, singles: Sequence[Doc] = ()
) -> tuple[Item, ...]:
    """One corpus-language's half as a stream (`burst`, `spread` or `real`)."""
    rng = random.Random(f"{seed}-{split}-{mode}-{docs[0].corpus}-{docs[0].language}")
    chosen = _chosen(docs, split, rng)
    for d in rng.sample(list(singles), min(ENGLISH_SINGLES, len(singles))):
        chosen.append((d.event, [d]))
    dated = sorted(d.date for _, members in chosen for d in members if d.date is not None)
    span = 3.0 if mode == "burst" else 18.0
    items: list[Item] = []
    for event, members in chosen:
        start = DAY0 + timedelta(hours=rng.uniform(0, 24))
        known = sorted(d.date for d in members if d.date is not None)
        if mode == "real" and not known and dated:  # undated: somewhere in the corpus's days
            start = dated[0] + (dated[-1] - dated[0]) * rng.random()
        for d in members:
            if mode == "real" and d.date is not None:
                at = d.date
            elif mode == "real" and known:
                at = known[0] + timedelta(hours=rng.uniform(0, 3))
            elif mode == "real":
                at = start + timedelta(hours=rng.uniform(0, 3))
            else:
                at = start + timedelta(hours=rng.uniform(0, span))
            items.append(Item(0, d.title, d.text, at, d.language, event))
    return _numbered(items)


def dense_stream(folder: Path, split: str, seed: int = 0) -> tuple[Item, ...]:
    """A busy day: the half's English (multiling), Portuguese and Vietnamese events, their
    reports within 12 hours of the event's start, among the half's BBC and CNN articles as
    single reports, at `DENSE_PER_DAY` articles a day."""
    rng = random.Random(f"{seed}-{split}-dense")
    sets = full_text_sets(folder)
    chosen: list[tuple[str, list[Doc]]] = []
    for name in ("ml-en", "cst-pt", "vi-vi"):
        side = half_of(sets[name])
        by_event: dict[str, list[Doc]] = defaultdict(list)
        for d in sets[name]:
            if side[d.event] == split:
                by_event[d.event].append(d)
        chosen += [
            (f"{name}-{e}", sorted(m, key=lambda d: d.id)) for e, m in sorted(by_event.items())
        ]
    chosen += [(d.event, [d]) for d in english_singles(folder)[split]]
    total = sum(len(members) for _, members in chosen)
    days = total / DENSE_PER_DAY
    items: list[Item] = []
    for event, members in chosen:
        start = DAY0 + timedelta(days=rng.uniform(0, days))
        for d in members:
            at = start + timedelta(hours=rng.uniform(0, 12)) if len(members) > 1 else start
            # The language is not given, as the collector does not know it yet.
            items.append(Item(0, d.title, d.text, at, "", event))
    return _numbered(items)


def headline_stream(folder: Path, split: str, mode: str, seed: int = 0) -> tuple[Item, ...]:
    """The half's headlines at their real times, or spread uniformly over the 36 hours."""
    docs = headlines(folder)
    side = half_of(docs)
    rng = random.Random(f"{seed}-{split}-{mode}-uci")
    dates = [d.date for d in docs if d.date is not None]
    low, high = min(dates), max(dates)
    items = [
        Item(
            0,
            d.title,
            "",
            d.date if mode == "real" and d.date else low + (high - low) * rng.random(),
            d.language,
            d.event,
        )
        for d in docs
        if side[d.event] == split
    ]
    return _numbered(items)


def republished_stream(split: str) -> tuple[Item, ...]:
    """The synthetic regression: BBC and CNN articles of the half republished by 1-4 outlets
    as edited copies, 30 events an hour (`sandbox.clustering_eval.republish`)."""
    from sandbox.clustering_eval import data_dir as bbc_dir
    from sandbox.clustering_eval import load_split, republish

    folder = bbc_dir()
    if folder is None:
        return ()
    articles, truth = republish(load_split(folder, split))
    items = [
        Item(a.article_id, a.title, a.text, a.at, "en", str(truth[a.article_id]))
        for a in sorted(articles, key=lambda a: (a.at, a.article_id))
    ]
    return tuple(items)


def streams(
    folder: Path,
    splits: Sequence[str] = ("dev", "test"),
    seed: int = 0,
    sets: Sequence[str] | None = None,
    modes: Sequence[str] = FULL_TEXT_MODES,
) -> list[Stream]:
    """Every stream of the given halves (optionally only the named sets: "ml-en", "uci", ...)."""
    out: list[Stream] = []
    all_sets = full_text_sets(folder)
    for split in splits:
        for name, docs in sorted(all_sets.items()):
            if sets is not None and name not in sets:
                continue
            singles = english_singles(folder)[split] if docs[0].language == "en" else ()
            for mode in modes:
                if mode == "real" and docs[0].corpus == "multiling":
                    continue  # its dates are days over six years, not one day's news
                items = text_stream(docs, split, mode, seed, singles)
                out.append(Stream(f"{name}/{mode}", docs[0].corpus, "text", split, items))
        if sets is None or "dense" in sets:
            out.append(Stream("dense", "dense", "text", split, dense_stream(folder, split, seed)))
        if sets is None or "republished" in sets:
            out.append(
                Stream("republished", "republished", "text", split, republished_stream(split))
            )
        if sets is None or "uci" in sets:
            for mode in ("real", "spread"):
                items = headline_stream(folder, split, mode, seed)
                out.append(Stream(f"uci/{mode}", "uci", "title", split, items))
    return out


# --- scores ----------------------------------------------------------------------------------


def _pairs(sizes: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def pairwise(truth: dict[int, str], predicted: dict[int, int]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 against the true grouping."""
    agree = _pairs(Counter((truth[a], predicted[a]) for a in truth).values())
    true_pairs = _pairs(Counter(truth.values()).values())
    predicted_pairs = _pairs(Counter(predicted[a] for a in truth).values())
    p = agree / predicted_pairs if predicted_pairs else 1.0
    r = agree / true_pairs if true_pairs else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bcubed(truth: dict[int, str], predicted: dict[int, int]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (per article, averaged)."""
    both = Counter((truth[a], predicted[a]) for a in truth)
    true_size = Counter(truth.values())
    predicted_size = Counter(predicted[a] for a in truth)
    n = len(truth) or 1
    p = sum(c * c / predicted_size[pl] for (_, pl), c in both.items()) / n
    r = sum(c * c / true_size[tl] for (tl, _), c in both.items()) / n
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass(frozen=True, slots=True)
class Scores:
    """A clustering's figures on one stream."""

    articles: int
    events: int
    stories: int
    precision: float
    recall: float
    f1: float
    b3_precision: float
    b3_recall: float
    b3_f1: float
    largest: int  # articles in the largest predicted story
    # Pairwise precision over the pairs with a report of an event of several reports: leaves
    # out two single reports put together (in the dense stream, BBC or CNN articles of one
    # running subject, some of them arguably one story: their labels say apart).
    event_precision: float


def score(items: Sequence[Item], labels: dict[int, int]) -> Scores:
    """Pairwise and B-cubed figures of `labels` (article id -> story) on a stream."""
    truth = {i.article_id: i.label for i in items}
    p, r, f = pairwise(truth, labels)
    bp, br, bf = bcubed(truth, labels)
    sizes = Counter(labels[a] for a in truth)
    event_size = Counter(truth.values())
    singles = Counter(labels[a] for a in truth if event_size[truth[a]] == 1)
    agree = _pairs(Counter((truth[a], labels[a]) for a in truth).values())
    with_events = _pairs(sizes.values()) - _pairs(singles.values())
    event_precision = agree / with_events if with_events else 1.0
    return Scores(
        len(truth),
        len(set(truth.values())),
        len(sizes),
        p,
        r,
        f,
        bp,
        br,
        bf,
        max(sizes.values(), default=0),
        event_precision,
    )


class Merges:
    """Follows merged stories to their survivor."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def merged(self, keep: int, others: Iterable[int]) -> None:
        for other in others:
            if other != keep:
                self.parent[other] = keep

    def final(self, story: int) -> int:
        for _ in range(100_000):
            if story not in self.parent:
                break
            story = self.parent[story]
        return story


Method = Callable[[Sequence[Item]], dict[int, int]]
