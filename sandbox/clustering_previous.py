"""The story clusterer shipped before issue 12 (collector/clustering.py at issue 11), frozen
here as a baseline: the benchmark reports it beside its successor, in the same run.

Story clustering: which recent story a new article reports, by TF-IDF cosine of its words.

Pure and incremental. Each article gets two unit TF-IDF vectors over stemmed content words
(document frequencies from the articles of the time window): its body (title twice and the
text) and its lead (title twice and the first words). A story keeps the sum of its articles'
vectors (its centroid). An inverted index from term to the recent stories that carry it
proposes a few candidates per article, each then scored in full: a lookup touches a bounded
number of postings whatever the size of the store, so clustering is linear in the articles.

An article joins the best candidate story when its body is as similar as republished copies
are (edited, trimmed, reordered: `BODY_THRESHOLD`) or its lead is as similar as independent
reports of one event are (who, what, where in the first lines: `LEAD_THRESHOLD`). Comparing
with the story's centroid rather than its nearest member keeps a story from chaining into its
neighbours' (single-link did: test F1 0.80). Stories are never merged afterwards, so a story a
subscriber has seen keeps its identity.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from summarizer.words import terms_of, word_pieces

# Tuned on the dev split of the shared data (by the issue 6 version of bench_clustering.py).
BODY_THRESHOLD = 0.65
LEAD_THRESHOLD = 0.4
WINDOW = timedelta(hours=48)
LEAD_WINDOW = timedelta(minutes=15)
BODY_WORDS = 600  # the rest of a long article adds time, not tell-tale words
LEAD_WORDS = 50
MAX_TERMS = 100  # strongest terms kept per vector (fewer lose the names reports share)
MAX_POSTINGS = 100  # most recent stories scanned per term
CANDIDATE_TERMS = 10  # an article's strongest terms that propose candidate stories
MAX_CANDIDATES = 6  # candidate stories scored in full
# A term in more than this share of the window's articles says nothing about the event.
MAX_DOCUMENT_SHARE = 0.05
_MIN_DOCUMENTS_FOR_SHARE = 200
# Until this many articles are seen, document frequencies are taken over this many: a term
# shared by three of ten articles is still rare in the news at large.
PRIOR_DOCUMENTS = 1000
NUMBER_BOOST = 3  # figures (31 to 9, 240m) tell one event from the next episode of a story

_LOGS = [math.log(n) if n else 0.0 for n in range(4096)]


def _log(n: int) -> float:
    return _LOGS[n] if n < 4096 else math.log(n)


def _log1p(n: int) -> float:
    return _log(n + 1)


def _counted(stems: Iterable[str]) -> Counter[str]:
    counts = Counter(stems)
    counts.pop("", None)
    return counts


def _with_title(title: Counter[str], words: Counter[str]) -> Counter[str]:
    counts = words.copy()
    for t, n in title.items():
        counts[t] += 2 * n  # the title counts twice
    for t in [t for t in counts if t[0].isdigit()]:
        counts[t] *= NUMBER_BOOST
    return counts


@dataclass(frozen=True, slots=True)
class Signature:
    """An article's stemmed term counts: body and lead."""

    body: Counter[str]
    lead: Counter[str]


def signature(title: str, text: str) -> Signature:
    """The term counts the clusterer compares (pure; a few hundred microseconds)."""
    stems = terms_of(word_pieces(text[: BODY_WORDS * 12])[:BODY_WORDS])
    title_counts = _counted(terms_of(word_pieces(title)))
    return Signature(
        _with_title(title_counts, _counted(stems)),
        _with_title(title_counts, _counted(stems[:LEAD_WORDS])),
    )


@dataclass(frozen=True, slots=True)
class Vectors:
    """An article's unit TF-IDF vectors."""

    body: dict[str, float]
    lead: dict[str, float]


class _Centroid:
    """A sum of unit vectors, cut to its strongest terms so a big story stays cheap."""

    __slots__ = ("norm", "total")

    def __init__(self) -> None:
        self.total: dict[str, float] = {}
        self.norm = 0.0

    def absorb(self, vector: dict[str, float], max_terms: int) -> None:
        for t, w in vector.items():
            self.total[t] = self.total.get(t, 0.0) + w
        if len(self.total) > 2 * max_terms:
            self.total = dict(sorted(self.total.items(), key=lambda i: -i[1])[:max_terms])
        self.norm = math.sqrt(sum(w * w for w in self.total.values()))

    def cosine(self, vector: dict[str, float]) -> float:
        if self.norm <= 0:
            return 0.0
        get = self.total.get
        return sum([w * get(t, 0.0) for t, w in vector.items()]) / self.norm


class _Story:
    __slots__ = ("body", "last_at", "lead", "story_id")

    def __init__(self, story_id: int, at: datetime) -> None:
        self.story_id = story_id
        self.last_at = at
        self.body = _Centroid()
        self.lead = _Centroid()


@dataclass(frozen=True, slots=True)
class Match:
    """The story a new article joins, and its body and lead similarity (cosine, 0-1)."""

    story_id: int
    body: float
    lead: float
    also: tuple[int, ...] = ()  # other stories the article bridges: one event, to be merged


class StoryClusterer:
    """Recent stories indexed by term; finds the story a new article belongs to."""

    def __init__(
        self,
        *,
        body_threshold: float = BODY_THRESHOLD,
        lead_threshold: float = LEAD_THRESHOLD,
        window: timedelta = WINDOW,
        max_terms: int = MAX_TERMS,
        prior_documents: int = PRIOR_DOCUMENTS,
    ) -> None:
        self.body_threshold = body_threshold
        self.lead_threshold = lead_threshold
        self.window = window
        self.max_terms = max_terms
        self.prior_documents = prior_documents
        self._stories: dict[int, _Story] = {}
        self._postings: dict[str, list[int]] = {}
        self._document_frequency: Counter[str] = Counter()
        self._recent: deque[tuple[datetime, frozenset[str]]] = deque()
        self._known: dict[int, datetime] = {}  # article id -> when, pruned with the stories
        self._pruned_at = datetime.min.replace(tzinfo=UTC)
        self._postings_pruned_at = datetime.min.replace(tzinfo=UTC)
        self.last_article_id = 0

    def __len__(self) -> int:
        return len(self._recent)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._known

    def _idf(self, terms: Iterable[str]) -> dict[str, float]:
        """Inverse document frequency of each term; terms too common to tell are left out."""
        documents = len(self._recent) + 1
        log_total = math.log(max(documents + 1, self.prior_documents))
        frequency = self._document_frequency
        ceiling = (
            MAX_DOCUMENT_SHARE * documents
            if documents >= _MIN_DOCUMENTS_FOR_SHARE
            else float("inf")
        )
        found = {t: frequency.get(t, 0) for t in terms}
        return {t: log_total - _log1p(f) for t, f in found.items() if f <= ceiling}

    def _vector(self, counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
        weights = [(t, (1.0 + _log(n)) * idf[t]) for t, n in counts.items() if t in idf]
        strongest = sorted(weights, key=lambda item: -item[1])[: self.max_terms]
        norm = math.sqrt(sum(w * w for _, w in strongest))
        return {t: w / norm for t, w in strongest if w > 0} if norm > 0 else {}

    def vectors(self, sign: Signature) -> Vectors:
        """The article's unit vectors with the current document frequencies."""
        idf = self._idf(sign.body.keys() | sign.lead.keys())
        return Vectors(self._vector(sign.body, idf), self._vector(sign.lead, idf))

    def best_match(self, vectors: Vectors, at: datetime) -> Match | None:
        """The best story active within the window that is similar enough, or None."""
        oldest = at - self.window
        hits: Counter[int] = Counter()
        telling = sorted(vectors.body.items(), key=lambda item: -item[1])[:CANDIDATE_TERMS]
        for t, weight in telling:
            for story_id in self._postings.get(t, ())[-MAX_POSTINGS:]:
                hits[story_id] += weight
        similar: list[Match] = []
        for story_id, _ in hits.most_common(MAX_CANDIDATES):
            story = self._stories.get(story_id)
            if story is None or story.last_at < oldest:
                continue
            body = story.body.cosine(vectors.body)
            # Independent reports of one event come out together; a lead that resembles an
            # older story's is more often the next episode of a running story.
            recent = story.last_at >= at - LEAD_WINDOW
            lead = story.lead.cosine(vectors.lead) if recent else 0.0
            if body >= self.body_threshold or lead >= self.lead_threshold:
                similar.append(Match(story_id, min(1.0, body), min(1.0, lead)))
        if not similar:
            return None
        # Single link between stories: an article close to two stories shows they are one; the
        # oldest survives so the story keeps its first-seen time and its id.
        similar.sort(key=lambda m: m.story_id)
        first = similar[0]
        return Match(first.story_id, first.body, first.lead, tuple(m.story_id for m in similar[1:]))

    def merge(self, keep: int, others: Iterable[int]) -> None:
        """Fold stories into `keep` (the caller merged them in the store too)."""
        survivor = self._stories.get(keep)
        for other in others:
            story = self._stories.pop(other, None)
            if story is None or survivor is None:
                continue
            before = set(survivor.body.total)
            survivor.body.absorb(story.body.total, self.max_terms)
            survivor.lead.absorb(story.lead.total, self.max_terms)
            survivor.last_at = max(survivor.last_at, story.last_at)
            for t in survivor.body.total.keys() - before:
                self._postings.setdefault(t, []).append(keep)

    def add(
        self,
        article_id: int,
        story_id: int,
        sign: Signature,
        at: datetime,
        vectors: Vectors | None = None,
    ) -> None:
        """Remember an article in its story."""
        if article_id in self._known:
            return
        self._known[article_id] = at
        self.last_article_id = max(self.last_article_id, article_id)
        vectors = self.vectors(sign) if vectors is None else vectors
        story = self._stories.get(story_id)
        if story is None:
            story = self._stories[story_id] = _Story(story_id, at)
        before = set(story.body.total)
        story.body.absorb(vectors.body, self.max_terms)
        story.lead.absorb(vectors.lead, self.max_terms)
        story.last_at = max(story.last_at, at)
        for t in story.body.total.keys() - before:
            posting = self._postings.setdefault(t, [])
            posting.append(story_id)
            if len(posting) > 2 * MAX_POSTINGS:  # only the newest are ever scanned
                del posting[:-MAX_POSTINGS]
        terms = frozenset(sign.body)
        self._document_frequency.update(terms)
        self._recent.append((at, terms))
        self.forget_before(at - self.window)

    def forget_before(self, cutoff: datetime) -> None:
        """Stop counting articles older than `cutoff`; now and then drop stories quiet since."""
        frequency = self._document_frequency
        while self._recent and self._recent[0][0] < cutoff:
            _, terms = self._recent.popleft()
            for t in terms:
                if frequency[t] <= 1:
                    del frequency[t]  # a long-running collector must not keep every word ever
                else:
                    frequency[t] -= 1
        if cutoff > self._pruned_at + self.window / 8:
            self._stories = {k: v for k, v in self._stories.items() if v.last_at >= cutoff}
            self._known = {k: at for k, at in self._known.items() if at >= cutoff}
            self._pruned_at = cutoff
        if cutoff > self._postings_pruned_at + self.window:  # rarer: it visits every term
            live = self._stories
            self._postings = {
                t: kept
                for t, posting in self._postings.items()
                if (kept := [story for story in posting[-MAX_POSTINGS:] if story in live])
            }
            self._postings_pruned_at = cutoff

    def assign(
        self, article_id: int, title: str, text: str, at: datetime, new_story_id: int
    ) -> tuple[int, Match | None]:
        """The story of a new article (`new_story_id` if it matches none); remembers it."""
        sign = signature(title, text)
        vectors = self.vectors(sign)
        match = self.best_match(vectors, at)
        story_id = match.story_id if match is not None else new_story_id
        if match is not None and match.also:
            self.merge(story_id, match.also)
        self.add(article_id, story_id, sign, at, vectors)
        return story_id, match
