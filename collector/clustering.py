"""Story clustering: which open story a new article reports, by TF-IDF cosine of its terms.

Pure and incremental; articles arrive in time order. Each article becomes a bag of terms by
the rules of its own language (`summarizer.words.matching_terms`: stems where the language
has a stemmer, word beginnings where it has none, syllable pairs for Vietnamese); its
language is given, or told from the text when it is not. A story keeps the sum of its
members' unit term-frequency vectors (its profile) and its latest members' vectors.

IDF is counted per language and applied when comparing, so a story born when few articles
were known is compared with today's weights. It is counted over the open *stories*, not the
articles (`story_weight`): a term that many separate stories carry ("election", "Ebola",
"tennis") names a running subject, not one event, while the names and details of one event
stay telling however many reports repeat them.

A new article is compared with the open stories of its language that share its most telling
terms (an inverted index proposes them; a lookup costs the same whatever the size of the
store). Each candidate is measured (`collector.story_model.Measures`: cosine with the story's
profile and its latest members, terms in common, how far it stands out from the other
candidates, how fresh, big, old and cohesive the story is) and a learned model gives the
probability that the article reports it; the article joins the most probable story that
passes, else it starts a story. A few floors hold whatever the model says (terms in common, a
least cosine, and stricter ones while a language has too few stories for its weights to mean
anything). When the article also passes another story and the two are, profile to profile
and member to member, as alike as reports of one event, the caller merges them into the
older, which keeps its id.

A story stays open while reports keep coming: it closes `idle` after its latest article.
Headline-only items (and teasers too short to be texts) are matched title to titles, by
their own model.
"""

from __future__ import annotations

import math
import re
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta

from collector.story_model import Measures, Model, load
from summarizer.words import matching_terms, text_language

WINDOW = timedelta(hours=48)
# The opening of a text that is compared: the collector reloads stored articles this far
# (`storage.stories.recent_story_articles`), so a reloaded article has the terms it had.
TEXT_CHARS = 4000


@dataclass(frozen=True, slots=True)
class Settings:
    """The clusterer's parameters, fixed beforehand or kept from the grid chosen on the dev
    halves before the model (docs/stories.md); whether an article joins a story is the
    model's (`collector.story_model`)."""

    members_checked: int = 8  # latest members an article is compared with
    merge_similarity: float = 0.25  # two stories merge when their profiles are this alike
    merge_average: float = 0.25  # ... and their latest members this alike on average
    story_weight: float = 1.0  # share of the IDF counted over open stories, not articles
    least_join: float = 0.12  # profile cosine a text needs to join a story at all
    min_shared: int = 3  # distinct terms an article must share with a story (text)
    big_story: int = 12  # reports from which a story takes only articles like its members
    big_story_floor: float = 0.2  # ... by this mean cosine with its latest members
    warm_stories: int = 10  # open stories of a language before the model alone decides
    cold_join: float = 0.2  # before: a text's profile cosine, at least
    cold_title_join: float = 0.3  # ... a headline's with the story's titles (2 terms shared)
    least_similarity: float = 0.06  # below this profile cosine, members are not compared
    members_compared: int = 2  # ... nor beyond this many closest stories
    idle: timedelta = timedelta(hours=36)  # a story closes this long after its latest report
    prior: float = 50.0  # unseen stories in the IDF, at most (see _Background)
    prior_floor: float = 5.0  # ... and at least
    body_terms: int = 400  # the rest of a long article adds time, not tell-tale words
    least_body_terms: int = 12  # distinct terms a text needs to be matched as a text
    title_terms: int = 60
    title_weight: int = 2  # the title's terms count this many more times in the body vector
    max_terms: int = 120  # strongest terms kept in a story profile
    candidate_terms: int = 12  # an article's strongest terms propose candidate stories
    max_postings: int = 200  # newest stories scanned per term
    max_candidates: int = 5  # candidate stories scored in full
    # Across languages (an article no story of its own language takes): the figures it
    # states (counts, sums, years) against a member's of another language's story.
    cross_language: bool = True
    cross_min_figures: int = 3  # figures the article must state, and share
    cross_overlap: float = 0.6  # Jaccard of the two sets of figures


SETTINGS = Settings()


@dataclass(frozen=True, slots=True)
class ArticleTerms:
    """An article's terms: its language's, its title's, and its text's (empty: headline only);
    and the figures it states, which read the same in every language."""

    language: str
    title: tuple[str, ...]
    body: tuple[str, ...]
    figures: frozenset[str] = frozenset()


# A figure: digits in groups of three after any thousands separator a language writes
# ("1,347", "1.347", "1 347", "1\u202f347"), or a plain number with its decimals.
_FIGURE = re.compile(r"(?<!\d)\d{1,3}(?:[ \u00a0\u202f.,'’]\d{3})+(?!\d)|\d+(?:[.,]\d+)?")


def _figure_overlap(mine: frozenset[str], theirs: frozenset[str]) -> float:
    """The Jaccard of two sets of figures, 0 unless they share two exact figures that are
    not round ("353", "5,212": "200" and "75,000" are in many unrelated reports)."""
    shared = mine & theirs
    if sum(1 for figure in shared if len(figure.rstrip("0")) >= 3) < 2:
        return 0.0
    return len(shared) / len(mine | theirs)


def figures(text: str) -> frozenset[str]:
    """The telling numbers a text states, separators dropped ("80.000" and "80,000" are one):
    translations of a report state the same ones. Years and numbers under 100 are left out:
    every report of a week states "2026", and a dozen reports share a "12"."""
    found = set()
    for raw in _FIGURE.findall(text):
        digits = re.sub(r"\D", "", raw)
        if len(digits) < 3 or (len(digits) == 4 and 1900 <= int(digits) <= 2099):
            continue  # a year, or a small number many reports state
        found.add(digits)
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class Match:
    """The story a new article joins, how similar it is (cosine, 0-1), and the other open
    stories it shows to be the same event: the caller merges them into `story_id` (the oldest)."""

    story_id: int
    similarity: float
    also: tuple[int, ...] = ()


def terms(
    title: str, text: str, language: str | None = None, settings: Settings = SETTINGS
) -> ArticleTerms:
    """An article's terms (pure; the costly part of a placement, ~0.5 ms for a long article).

    `language` is an ISO 639-1 code. None (not known: the collector's case until articles are
    stored with their language) takes it from the text's script and function words
    (`summarizer.words.text_language`), English when nothing tells."""
    text = text[:TEXT_CHARS]
    code = (language or "").strip().lower()[:2] or text_language(f"{title}\n{text[:2000]}")
    title_terms = tuple(matching_terms(title, code, settings.title_terms))
    body = tuple(matching_terms(text, code, settings.body_terms)) if text.strip() else ()
    if len(set(body)) < settings.least_body_terms:
        # A teaser of a line or two is matched as a headline: the text model learned its
        # cosines on articles, and a dozen words make a cosine of a coincidence.
        body = ()
    return ArticleTerms(code, title_terms, body, figures(f"{title}\n{text}"))


def _unit(counts: Counter[str]) -> dict[str, float]:
    """Sub-linear term frequencies (1 + ln tf), scaled to unit length."""
    weights = {t: 1.0 + math.log(n) for t, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {t: w / norm for t, w in weights.items()} if norm else {}


def _vectors(article: ArticleTerms, title_weight: int) -> tuple[dict[str, float], dict[str, float]]:
    """The article's title vector and its body vector (title terms weighted in; {} if none)."""
    head = _unit(Counter(article.title))
    if not article.body:
        return head, {}
    counts = Counter(article.body)
    for t in article.title:
        counts[t] += title_weight
    return head, _unit(counts)


def _shared(a: dict[str, float], b: dict[str, float]) -> int:
    """How many terms two vectors share (a short text's cosine can rest on a single word)."""
    return sum(1 for t in a if t in b)


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    get = b.get
    return sum([w * get(t, 0.0) for t, w in a.items()])


class _Background:
    """One language's term weights: how many articles of the window and how many open stories
    carry each term.

    IDF = (1 - λ) ln((N + p + 1) / (df + 1)) + λ ln((S + q + 1) / (sf + 1)) for N articles and
    S open stories, df and sf of them with the term. The priors are unseen documents that do
    not carry it: p = `prior`; q = as many as the stories seen, between `prior_floor` and
    `prior` (a fresh install with a handful of stories must notice that boilerplate they all
    share is common, while a term in 3 of 30 stories is still telling). Memoised values (and
    the cached norms of profiles and members) are refreshed after every 10 % growth."""

    __slots__ = (
        "_next_version",
        "added",
        "frequency",
        "idf_memo",
        "prior",
        "prior_floor",
        "recent",
        "stories",
        "story_count",
        "story_weight",
        "version",
    )

    def __init__(self, prior: float, prior_floor: float, story_weight: float) -> None:
        self.prior = prior
        self.prior_floor = prior_floor
        self.story_weight = story_weight
        self.frequency: Counter[str] = Counter()
        self.stories: Counter[str] = Counter()
        self.story_count = 0
        self.recent: deque[tuple[datetime, tuple[str, ...]]] = deque()
        self.added = 0
        self.version = 0
        self.idf_memo: dict[str, float] = {}
        self._next_version = 0

    def add(self, found: Iterable[str], at: datetime) -> None:
        """Count an article's terms."""
        kept = tuple(set(found))
        self.frequency.update(kept)
        self.recent.append((at, kept))
        self.added += 1
        if self.added >= self._next_version:
            self.version += 1
            self.idf_memo = {}
            self._next_version = self.added + max(1, len(self.recent) // 5)

    def story_terms(self, gained: Iterable[str], lost: Iterable[str]) -> None:
        """A story gained and lost terms (a new story gains all, a closed one loses all)."""
        stories = self.stories
        for t in gained:
            stories[t] += 1
        for t in lost:
            if stories[t] <= 1:
                del stories[t]
            else:
                stories[t] -= 1

    def forget_before(self, cutoff: datetime) -> None:
        """Stop counting the articles older than `cutoff`."""
        frequency = self.frequency
        while self.recent and self.recent[0][0] < cutoff:
            _, old = self.recent.popleft()
            for t in old:
                if frequency[t] <= 1:
                    del frequency[t]  # a long-running collector must not keep every word ever
                else:
                    frequency[t] -= 1

    def idf(self, t: str) -> float:
        found = self.idf_memo.get(t)
        if found is None:
            found = 0.0
            weight = self.story_weight
            if weight < 1.0:
                by_article = math.log(len(self.recent) + self.prior + 1)
                found = (1.0 - weight) * (by_article - math.log(self.frequency.get(t, 0) + 1))
            if weight > 0.0:
                prior = min(self.prior, max(self.prior_floor, self.story_count))
                by_story = math.log(self.story_count + prior + 1)
                found += weight * (by_story - math.log(self.stories.get(t, 0) + 1))
            if len(self.idf_memo) < 200_000:
                self.idf_memo[t] = found
        return found


class _Profile:
    """A sum of unit TF vectors; its TF-IDF norm is cached per background version."""

    __slots__ = ("count", "norm", "norm_version", "total")

    def __init__(self) -> None:
        self.total: dict[str, float] = {}
        self.count = 0
        self.norm = 0.0
        self.norm_version = -1

    def absorb(self, vector: dict[str, float], count: int, max_terms: int) -> list[str]:
        """Add the vector (of `count` articles); the terms dropped to stay small."""
        total = self.total
        for t, w in vector.items():
            total[t] = total.get(t, 0.0) + w
        dropped: list[str] = []
        if len(total) > 2 * max_terms:  # a big story keeps its strongest terms: stays cheap
            ranked = sorted(total.items(), key=lambda i: -i[1])
            self.total = dict(ranked[:max_terms])
            dropped = [t for t, _ in ranked[max_terms:]]
        self.count += count
        self.norm_version = -1
        return dropped

    def cosine(self, weighted: dict[str, float], background: _Background) -> float:
        """Cosine of a unit TF-IDF vector with this profile weighted by today's IDF; the
        vector comes with its weights multiplied by the IDF once more (`_times_idf`), which
        is the profile's side of the product, so one article costs one IDF pass."""
        if self.norm_version != background.version:
            idf = background.idf
            memo = background.idf_memo
            total = 0.0
            for t, w in self.total.items():
                i = memo.get(t)
                if i is None:
                    i = idf(t)
                total += (w * i) ** 2
            self.norm = math.sqrt(total)
            self.norm_version = background.version
        return _dot(weighted, self.total) / self.norm if self.norm else 0.0


def _times_idf(unit: dict[str, float], background: _Background) -> dict[str, float]:
    """The vector's weights multiplied by the background's IDF (see `_Profile.cosine`)."""
    idf = background.idf
    memo = background.idf_memo
    out = {}
    for t, w in unit.items():
        i = memo.get(t)
        out[t] = w * (idf(t) if i is None else i)
    return out


class _Member:
    """One of a story's latest members: its unit TF vectors (text, if it has one, and title)
    and, per background version, their unit TF-IDF vectors."""

    __slots__ = ("head", "head_unit", "head_version", "text", "unit", "vector", "version")

    def __init__(self, head: dict[str, float], body: dict[str, float]) -> None:
        self.text = bool(body)
        self.vector = body or head
        self.head = head
        self.unit: dict[str, float] = {}
        self.version = -1
        self.head_unit: dict[str, float] = {}
        self.head_version = -1

    def weighted(self, background: _Background) -> dict[str, float]:
        if self.version != background.version:
            self.unit = _weighted_unit(self.vector, background)
            self.version = background.version
        return self.unit

    def weighted_head(self, background: _Background) -> dict[str, float]:
        if not self.text:
            return self.weighted(background)
        if self.head_version != background.version:
            self.head_unit = _weighted_unit(self.head, background)
            self.head_version = background.version
        return self.head_unit


def _weighted_unit(vector: dict[str, float], background: _Background) -> dict[str, float]:
    """A TF vector weighted by the background's IDF, scaled to unit length."""
    weighted = _times_idf(vector, background)
    norm = math.sqrt(sum(w * w for w in weighted.values()))
    return {t: w / norm for t, w in weighted.items()} if norm else {}


class _Story:
    __slots__ = (
        "body",
        "figure_sets",
        "first_at",
        "head",
        "language",
        "last_at",
        "members",
        "pair_count",
        "pair_total",
        "recent",
        "story_id",
    )

    def __init__(self, story_id: int, language: str, at: datetime) -> None:
        self.story_id = story_id
        self.language = language
        self.first_at = at
        self.last_at = at
        self.body = _Profile()  # members with a text: their body vectors
        self.head = _Profile()  # every member's title: what a headline-only item is matched to
        self.members: list[int] = []
        self.recent: deque[_Member] = deque()  # the latest members, newest last
        # Cosines between members (each with the latest ones when it came): its cohesion.
        self.pair_total = 0.0
        self.pair_count = 0
        self.figure_sets: deque[frozenset[str]] = deque(maxlen=16)  # latest members' figures

    def terms(self) -> set[str]:
        return self.body.total.keys() | self.head.total.keys()

    def has_term(self, t: str) -> bool:
        return t in self.body.total or t in self.head.total


@dataclass(slots=True)
class _Candidate:
    story: _Story
    similarity: float
    passed: bool
    text: bool  # compared text to text (else title to titles)
    measures: Measures
    features: list[float] = field(default_factory=list)
    probability: float = 0.0


class StoryClusterer:
    """Open stories of every language, indexed by term; finds the story a new article reports.

    Collector use: `terms` for a new article, `best_match` (pure: nothing is remembered), then
    `add` with the story it went to (and `merge` for the stories the store merged). `add` also
    takes articles stored earlier or by another worker. `assign` does all of it at once.
    """

    def __init__(
        self,
        *,
        window: timedelta = WINDOW,
        settings: Settings = SETTINGS,
        model: Model | None = None,
        **overrides: object,
    ) -> None:
        unknown = set(overrides) - {f.name for f in fields(Settings)}
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        self.settings = replace(settings, **overrides)  # type: ignore[arg-type]
        self.window = window  # articles are counted this long; no story stays open longer
        self.idle = min(self.settings.idle, window)
        self._stories: dict[int, _Story] = {}
        self._story_of: dict[int, int] = {}  # article id -> open story id
        self._known: dict[int, datetime] = {}  # article id -> when, for the whole window
        self._postings: dict[tuple[str, str], list[int]] = {}  # (language, term) -> story ids
        self._figure_postings: dict[str, list[int]] = {}  # figure -> story ids, any language
        self._backgrounds: dict[str, _Background] = {}
        self._pruned_at: datetime | None = None
        self._postings_pruned_at: datetime | None = None
        self._last: tuple[ArticleTerms | None, dict[str, float], dict[str, float]] = (None, {}, {})
        self._last_unit: tuple[ArticleTerms | None, int, dict[str, float]] = (None, -1, {})
        self.model: Model = load() if model is None else model
        self.last_article_id = 0

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._known

    def __len__(self) -> int:
        return len(self._known)

    def story_of(self, article_id: int) -> int | None:
        """The open story an article is in, while it is open."""
        return self._story_of.get(article_id)

    def terms(self, title: str, text: str, language: str | None = None) -> ArticleTerms:
        """An article's terms with this clusterer's settings (see the module's `terms`)."""
        return terms(title, text, language, self.settings)

    def _vectors(self, article: ArticleTerms) -> tuple[dict[str, float], dict[str, float]]:
        """`_vectors` of the article, kept for the next call (matching, then adding it)."""
        last, head, body = self._last
        if last is not article:
            head, body = _vectors(article, self.settings.title_weight)
            self._last = (article, head, body)
        return head, body

    def _unit(self, article: ArticleTerms, background: _Background) -> dict[str, float]:
        """The article's unit TF-IDF vector (of its text, else its title), kept for the next
        call while the weights stand (matching, then adding it)."""
        last, version, unit = self._last_unit
        if last is not article or version != background.version:
            head, body = self._vectors(article)
            unit = _weighted_unit(body or head, background)
            self._last_unit = (article, background.version, unit)
        return unit

    def _background(self, language: str) -> _Background:
        found = self._backgrounds.get(language)
        if found is None:
            s = self.settings
            found = self._backgrounds[language] = _Background(
                s.prior, s.prior_floor, s.story_weight
            )
        return found

    # -- matching -----------------------------------------------------------------------------

    def candidates(self, article: ArticleTerms, at: datetime) -> list[_Candidate]:
        """The open stories sharing the article's most telling terms, measured and judged
        (pure)."""
        s = self.settings
        background = self._background(article.language)
        head, body = self._vectors(article)
        unit = self._unit(article, background)
        if not unit:
            return []
        unit_head = _weighted_unit(head, background) if body else unit
        hits: Counter[int] = Counter()
        language = article.language
        for t, w in sorted(unit.items(), key=lambda i: -i[1])[: s.candidate_terms]:
            for story_id in self._postings.get((language, t), ())[-s.max_postings :]:
                hits[story_id] += w
        oldest = at - self.idle
        scored: list[tuple[float, _Story, bool]] = []
        against = {True: _times_idf(unit, background)}
        against[False] = _times_idf(unit_head, background) if body else against[True]
        for story_id, _ in hits.most_common(s.max_candidates):
            story = self._stories.get(story_id)
            if story is None or story.last_at < oldest:
                continue
            text = bool(body and story.body.count)
            profile = story.body if text else story.head
            scored.append((profile.cosine(against[text], background), story, text))
        # Only the closest stories are compared member by member (the costly part): the
        # others cannot win, and the model reads their members as no closer than the profile.
        scored.sort(key=lambda x: -x[0])
        found = [
            self._measure(
                story,
                similarity,
                unit if text else unit_head,
                text,
                at,
                background,
                rank < s.members_compared and similarity >= s.least_similarity,
            )
            for rank, (similarity, story, text) in enumerate(scored)
        ]
        self.model.judge(found, len(unit))
        cold = background.story_count < s.warm_stories
        for c in found:
            c.passed = c.passed and self._within_floors(c, cold)
        return found

    def _within_floors(self, c: _Candidate, cold: bool) -> bool:
        """The evidence a join needs whatever the model makes of the context.

        - A text shares `min_shared` terms and a profile cosine of `least_join` with the
          story: a sparse day's lone candidate at 0.1 is a shared subject, not an event.
        - Until a language has `warm_stories` open stories its term weights cannot tell a name
          from a common word (a town paper's first items all name the town): a text then
          needs `cold_join`, a headline `cold_title_join` and 2 terms in common.
        - A story of `big_story` reports takes only an article like its members (mean cosine
          `big_story_floor`): an event's many reports repeat its facts, a running subject's
          episodes chain on its vocabulary."""
        s = self.settings
        m = c.measures
        if not c.text:
            return not cold or (m.similarity >= s.cold_title_join and m.shared >= 2)
        if m.shared < s.min_shared or m.similarity < (s.cold_join if cold else s.least_join):
            return False
        return len(c.story.members) < s.big_story or m.member_mean >= s.big_story_floor

    def _measure(
        self,
        story: _Story,
        similarity: float,
        unit: dict[str, float],
        text: bool,
        at: datetime,
        background: _Background,
        closely: bool,
    ) -> _Candidate:
        """How an article (unit TF-IDF vector of its text, or of its title: `text`) compares
        with one open story (its profile `similarity`; and its latest members if `closely`)."""
        members: list[float] = []
        if closely:
            if text:
                members = [_dot(unit, m.weighted(background)) for m in story.recent if m.text]
            else:
                members = [_dot(unit, m.weighted_head(background)) for m in story.recent]
        cohesion = story.pair_total / story.pair_count if story.pair_count else -1.0
        return _Candidate(
            story,
            similarity,
            False,
            text,
            Measures(
                similarity,
                sum(members) / len(members) if members else similarity,
                max(members, default=similarity),
                _shared(unit, (story.body if text else story.head).total),
                max(0.0, (at - story.last_at).total_seconds() / 3600.0),
                len(story.members),
                cohesion,
                (story.last_at - story.first_at).total_seconds() / 3600.0,
            ),
        )

    def best_match(self, article: ArticleTerms, at: datetime) -> Match | None:
        """The open story the article reports (None: a new story) and the stories it shows to
        be one event with it. Pure: nothing is remembered until `add`."""
        found = self.candidates(article, at)
        passed = [c for c in found if c.passed]
        if not passed:
            return self._translation(article, at) if self.settings.cross_language else None
        best = max(passed, key=lambda c: c.probability)
        group = [best.story]
        for other in found:
            # New evidence is what may link two stories: one the article does not report was
            # not, and is not now, close to the one it joined.
            if (
                other is not best
                and other.passed
                and self._one_event(best.story, other.story, article)
            ):
                group.append(other.story)
        if self.settings.cross_language:
            # The same report in another language, told apart so far: one event in two.
            translated = self._translation(article, at)
            if translated is not None and translated.story_id not in {g.story_id for g in group}:
                group.append(self._stories[translated.story_id])
        keep = min(group, key=lambda st: (st.first_at, st.story_id))
        also = tuple(sorted(st.story_id for st in group if st is not keep))
        return Match(keep.story_id, min(1.0, best.similarity), also)

    def _translation(self, article: ArticleTerms, at: datetime) -> Match | None:
        """An open story of another language that a member of states the article's figures
        (the same report translated, or retold with the same numbers): the article's own
        language had no story for it. Pure."""
        s = self.settings
        mine = article.figures
        if len(mine) < s.cross_min_figures:
            return None
        hits: Counter[int] = Counter()
        for figure in mine:
            for story_id in self._figure_postings.get(figure, ())[-s.max_postings :]:
                hits[story_id] += 1
        oldest = at - self.idle
        best: tuple[float, int] | None = None
        for story_id, shared in hits.most_common(s.max_candidates):
            story = self._stories.get(story_id)
            if shared < s.cross_min_figures or story is None or story.last_at < oldest:
                continue
            if story.language == article.language:
                continue  # its own language judged it already, by its words
            overlap = max(
                (_figure_overlap(mine, theirs) for theirs in story.figure_sets), default=0.0
            )
            if overlap >= s.cross_overlap and (best is None or overlap > best[0]):
                best = (overlap, story_id)
        return Match(best[1], best[0]) if best is not None else None

    def _one_event(self, joined: _Story, other: _Story, article: ArticleTerms) -> bool:
        """Whether two stories, the article counted in the one it joined, are as alike as
        reports of one event: profile to profile, and their latest members on average."""
        s = self.settings
        background = self._background(joined.language)
        _, body = self._vectors(article)
        if not (joined.body.count and other.body.count and body):
            # Headlines alone: a few shared words would chain a topic's stories together.
            return False
        total = dict(joined.body.total)
        for t, w in body.items():
            total[t] = total.get(t, 0.0) + w
        similarity = other.body.cosine(
            _times_idf(_weighted_unit(total, background), background), background
        )
        if similarity < s.merge_similarity:
            return False
        ours = [m.weighted(background) for m in joined.recent]
        ours.append(_weighted_unit(body, background))
        others = [m.weighted(background) for m in other.recent]
        if not others:
            return True
        mean = sum(_dot(a, b) for a in ours for b in others) / (len(ours) * len(others))
        return mean >= s.merge_average

    # -- remembering --------------------------------------------------------------------------

    def add(self, article_id: int, story_id: int, article: ArticleTerms, at: datetime) -> None:
        """Remember an article in its story: a new one after `best_match`, or one stored
        earlier or by another worker (each article is counted once)."""
        if article_id in self._known:
            return
        self._known[article_id] = at
        self.last_article_id = max(self.last_article_id, article_id)
        s = self.settings
        background = self._background(article.language)
        story = self._stories.get(story_id)
        if story is None:
            story = self._stories[story_id] = _Story(story_id, article.language, at)
            background.story_count += 1
        head, body = self._vectors(article)
        if story.recent:
            unit = self._unit(article, background)
            story.pair_total += sum(_dot(unit, m.weighted(background)) for m in story.recent)
            story.pair_count += len(story.recent)
        had = story.has_term
        new = {t for t in (*body, *head) if not had(t)}
        dropped = story.body.absorb(body, 1, s.max_terms) if body else []
        dropped += story.head.absorb(head, 1, s.max_terms)
        story.recent.append(_Member(head, body))
        while len(story.recent) > s.members_checked:
            story.recent.popleft()
        story.first_at = min(story.first_at, at)
        story.last_at = max(story.last_at, at)
        story.members.append(article_id)
        self._story_of[article_id] = story_id
        if article.figures:
            story.figure_sets.append(article.figures)
            for figure in article.figures:
                posting = self._figure_postings.setdefault(figure, [])
                if not posting or posting[-1] != story_id:
                    posting.append(story_id)
                    if len(posting) > 2 * s.max_postings:
                        del posting[: -s.max_postings]
        has = story.has_term
        self._index(
            story, [t for t in new if has(t)], {t for t in dropped if t not in new and not has(t)}
        )
        background.add(article.body or article.title, at)
        self.forget_before(at - self.window)

    def _index(self, story: _Story, gained: Iterable[str], lost: Iterable[str]) -> None:
        """Index the terms the story gained, and count its terms' change."""
        limit = self.settings.max_postings
        background = self._background(story.language)
        background.story_terms(gained, lost)
        for t in gained:
            posting = self._postings.setdefault((story.language, t), [])
            posting.append(story.story_id)
            if len(posting) > 2 * limit:  # only the newest are ever scanned
                del posting[:-limit]

    def _close(self, story: _Story) -> None:
        """A story leaves the open ones (quiet for `idle`, or merged into another)."""
        background = self._background(story.language)
        background.story_terms((), story.terms())
        background.story_count -= 1

    def merge(self, keep: int, others: Iterable[int]) -> None:
        """Fold open stories into `keep` (after `best_match` named them, or when the store did)."""
        survivor = self._stories.get(keep)
        if survivor is None:
            return
        s = self.settings
        for other in others:
            story = self._stories.pop(other, None) if other != keep else None
            if story is None:
                continue
            self._close(story)
            before = survivor.terms()
            survivor.body.absorb(story.body.total, story.body.count, s.max_terms)
            survivor.head.absorb(story.head.total, story.head.count, s.max_terms)
            survivor.first_at = min(survivor.first_at, story.first_at)
            survivor.last_at = max(survivor.last_at, story.last_at)
            survivor.members.extend(story.members)
            survivor.pair_total += story.pair_total
            survivor.pair_count += story.pair_count
            survivor.recent.extend(story.recent)
            while len(survivor.recent) > s.members_checked:
                survivor.recent.popleft()
            survivor.figure_sets.extend(story.figure_sets)
            for found in story.figure_sets:
                for figure in found:
                    self._figure_postings.setdefault(figure, []).append(keep)
            for article_id in story.members:
                self._story_of[article_id] = keep
            after = survivor.terms()
            self._index(survivor, after - before, before - after)

    def forget_before(self, cutoff: datetime) -> None:
        """Stop counting the articles older than `cutoff`, and now and then close the stories
        quiet for `idle` (a story that keeps getting reports stays open)."""
        for background in self._backgrounds.values():
            background.forget_before(cutoff)
        closing = cutoff + (self.window - self.idle)
        if self._pruned_at is not None and closing < self._pruned_at + self.idle / 8:
            return
        self._known = {k: when for k, when in self._known.items() if when >= cutoff}
        closed = [k for k, story in self._stories.items() if story.last_at < closing]
        for k in closed:
            story = self._stories.pop(k)
            self._close(story)
            for article_id in story.members:
                self._story_of.pop(article_id, None)
        if closed and (
            self._postings_pruned_at is None or closing >= self._postings_pruned_at + self.idle
        ):
            # Rarer: it visits every term; between prunings a scan skips closed stories.
            self._postings_pruned_at = closing
            live = self._stories
            limit = self.settings.max_postings
            self._postings = {
                key: kept
                for key, posting in self._postings.items()
                if (kept := [x for x in posting[-limit:] if x in live])
            }
            self._figure_postings = {
                key: kept
                for key, posting in self._figure_postings.items()
                if (kept := [x for x in posting[-limit:] if x in live])
            }
        self._pruned_at = closing

    def assign(
        self,
        article_id: int,
        title: str,
        text: str,
        at: datetime,
        new_story_id: int,
        language: str | None = None,
    ) -> tuple[int, Match | None]:
        """The story of a new article (`new_story_id` if it reports none) after any merges it
        shows; remembers it."""
        article = self.terms(title, text, language)
        match = self.best_match(article, at)
        story_id = new_story_id if match is None else match.story_id
        if match is not None and match.also:
            self.merge(story_id, match.also)
        self.add(article_id, story_id, article, at)
        return story_id, match
