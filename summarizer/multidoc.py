"""A story's summary pooled across its sources, in any language: what the reports agree on,
each fact once, readable top to bottom.

The same summary serves the briefing item (3 sentences, at most 90 words, stored by the
collector) and the "More" view (6 sentences, at most 180 words). Method (budgeted concept
coverage, after Gillick & Favre 2009 and Lin & Bilmes 2011):

1. Sentences are pooled from every article (`summarizer.pooling`: split by the language's
   rules, captions, headings and fragments dropped). A sentence's *concepts* are its content
   terms and its word pairs.
2. A concept's weight is its *support*: the sum over the distinct sources reporting it of
   1 / (1 + the index of the source's first sentence holding it) — a fact every outlet puts in
   its lead is the news — squared; a concept only one of several sources has weighs 0.3 as
   much, and a word pair half as much as a word.
3. Greedy selection (`summarizer.selection.select_coverage`): the sentence adding the most
   uncovered weight per √words, times 1 + 1/(1 + its position), within the budget; the first
   pick is a lead sentence; a sentence stating the same fact as a chosen one never comes in.
4. A sentence leaning on the one before it ("He said…", "However…", per language,
   `summarizer.readability`) is a candidate only together with it (up to 3 sentences).
5. Reading order: the opening lead, then by the day the report was published (a running story
   told in order), then by relative position in the article, ties to the newer report; an
   article's sentences keep its order and a leaning sentence stays after its antecedent.

The knobs were chosen by a coordinate search on the dev clusters of MultiLing 2011, CSTNews and
VietnameseMDS and checked leaving each corpus out (docs/stories.md, docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from summarizer.boilerplate import UNSPACED_SCRIPT
from summarizer.pooling import (
    CitedSentence,
    PooledSentence,
    SentencePool,
    StoryArticle,
    pool_sentences,
)
from summarizer.readability import depends_on_previous, same_fact
from summarizer.selection import CoverageProblem, select_coverage
from summarizer.sentences import split_sentences

SUPPORT_POWER = 2.0  # a concept's weight = (support across sources) ** SUPPORT_POWER
SINGLE_SOURCE = 0.3  # weight factor of a concept only one of several sources reports
BIGRAM_WEIGHT = 0.5  # a word pair's weight relative to a word's
POSITION_SCALE = 1.0  # a source's vote for a concept: 1 / (1 + first sentence / scale)
COST_POWER = 0.5  # gain per words ** COST_POWER: 0 favours long sentences, 1 short ones
LEAD_BONUS = 1.0  # gain factor 1 + LEAD_BONUS / (1 + position) for early sentences
MAX_GLUED = 3  # a leaning sentence with at most two antecedents
# The views' word caps: 30 words a sentence keeps a 3-sentence item readable on a phone
# (without a cap, 3 sentences average ~100 words).
WORDS_PER_SENTENCE = 30

__all__ = [
    "CitedSentence",
    "StoryArticle",
    "story_sentences",
    "story_summary",
    "summarize_story",
]


def story_summary(
    articles: Sequence[StoryArticle],
    *,
    words: int | None = None,
    sentences: int | None = None,
    language: str | None = None,
    overflow: bool = False,
) -> list[CitedSentence]:
    """The story's summary in reading order, each sentence citing its article's index.

    `words` (Unicode words, `summarizer.words.unicode_words`) and `sentences` are budgets;
    either may be None (both None: 3 sentences). `language`: ISO code or name; default: the
    articles' `language`, else a guess. `overflow` lets the last sentence run past `words`, for
    a caller that cuts the text at the budget (as DUC/MultiLing-style evaluation does).
    """
    if words is None and sentences is None:
        sentences = 3
    if (words is not None and words <= 0) or (sentences is not None and sentences <= 0):
        return []
    if articles and _unspaced(articles):
        return _opening(articles, sentences or 3, language)
    pool = pool_sentences(articles, language)
    if not len(pool):
        return []
    units = _units(pool)
    chosen = select_coverage(
        _problem(pool, units, _source_keys(articles)),
        words=words,
        count=sentences,
        cost_power=COST_POWER,
        overflow=overflow,
    )
    order = reading_order(pool, chosen, articles)
    return [CitedSentence(pool.sentences[i].text, pool.sentences[i].article) for i in order]


def _unspaced(articles: Sequence[StoryArticle]) -> bool:
    """Whether the story is told in a script without spaces between words (Chinese, Japanese,
    Thai...): the pool's word statistics mean nothing there."""
    sample = " ".join(f"{a.title} {a.text[:600]}" for a in articles[:3])
    letters = sum(1 for c in sample if c.isalpha())
    return bool(letters) and len(UNSPACED_SCRIPT.findall(sample)) * 2 >= letters


def _opening(
    articles: Sequence[StoryArticle], count: int, language: str | None
) -> list[CitedSentence]:
    """The first report's opening sentences: a story in a script without spaces is summarised
    by position, as its editors lead with the news."""
    for index, article in enumerate(articles):
        found = [s for s in split_sentences(article.text, language) if s.strip()]
        if found:
            return [CitedSentence(text, index) for text in found[:count]]
    return []


def story_sentences(articles: Sequence[StoryArticle], count: int = 3) -> list[CitedSentence]:
    """The briefing item's (3) or the "More" view's (6) summary: `count` sentences of at most
    WORDS_PER_SENTENCE x `count` words, in reading order, each citing its article."""
    if count <= 0:
        return []
    return story_summary(articles, sentences=count, words=WORDS_PER_SENTENCE * count)


def summarize_story(articles: Sequence[StoryArticle], sentences: int = 3) -> list[str]:
    """The texts of `story_sentences`: the story's summary, no fact twice."""
    return [s.text for s in story_sentences(articles, sentences)]


def _source_keys(articles: Sequence[StoryArticle]) -> list[int]:
    """Each article's source number: two articles of one outlet are one vote, not two."""
    keys: dict[str, int] = {}
    return [
        keys.setdefault((a.source or "").strip().lower() or f"#{i}", len(keys))
        for i, a in enumerate(articles)
    ]


def _units(pool: SentencePool) -> list[list[int]]:
    """What can be chosen: each sentence alone, or a leaning one glued to its antecedent(s);
    a leaning sentence whose antecedent was dropped (a caption, a fragment) never."""
    sentences, language = pool.sentences, pool.language
    units: list[list[int]] = []
    by_article: dict[int, list[int]] = {}
    for i, s in enumerate(sentences):
        by_article.setdefault(s.article, []).append(i)
    for members in by_article.values():
        for k, i in enumerate(members):
            group = [i]
            leaning = sentences[i].raw > 0 and depends_on_previous(sentences[i].text, language)
            j = k
            while leaning and j > 0 and len(group) < MAX_GLUED:
                before = members[j - 1]
                if sentences[before].raw != sentences[group[0]].raw - 1:
                    break
                group.insert(0, before)
                j -= 1
                leaning = sentences[before].raw > 0 and depends_on_previous(
                    sentences[before].text, language
                )
            terms = [set(sentences[m].terms) for m in group]
            restates = any(
                same_fact(terms[a], terms[b])
                for a in range(len(group))
                for b in range(a + 1, len(group))
            )
            if not leaning and not restates:  # a glued restatement would say a fact twice
                units.append(group)
    return units


def _problem(
    pool: SentencePool, units: Sequence[Sequence[int]], sources: Sequence[int]
) -> CoverageProblem:
    sentences = pool.sentences
    ids: dict[str, int] = {}
    setdefault = ids.setdefault
    concept = np.fromiter(
        (setdefault(c, len(ids)) for s in sentences for c in s.concepts), dtype=np.intp
    )
    concept_sentence = np.repeat(np.arange(len(sentences)), [len(s.concepts) for s in sentences])
    source_of = np.asarray([sources[s.article] for s in sentences], dtype=np.intp)
    position = np.asarray([s.index for s in sentences], dtype=float)
    n_sources = max(int(source_of.max()) + 1, 1)
    # Each source's earliest sentence holding each concept (inf: the source lacks it).
    first = np.full(len(ids) * n_sources, np.inf)
    np.minimum.at(
        first, concept * n_sources + source_of[concept_sentence], position[concept_sentence]
    )
    first = first.reshape(len(ids), n_sources)
    weights = (1.0 / (1.0 + first / POSITION_SCALE)).sum(axis=1) ** SUPPORT_POWER
    if len(set(source_of.tolist())) >= 2:
        weights *= np.where(np.isfinite(first).sum(axis=1) == 1, SINGLE_SOURCE, 1.0)
    pair = np.fromiter((" " in c for c in ids), dtype=bool, count=len(ids))
    weights *= np.where(pair, BIGRAM_WEIGHT, 1.0)
    terms: dict[str, int] = {}
    term_sets = [set(s.terms) for s in sentences]
    term_sentence = np.fromiter((i for i, t in enumerate(term_sets) for _ in t), dtype=np.intp)
    term = np.fromiter(
        (terms.setdefault(x, len(terms)) for t in term_sets for x in t), dtype=np.intp
    )
    return CoverageProblem(
        units=units,
        prior=np.asarray(
            [1.0 + LEAD_BONUS / (1.0 + sentences[u[0]].index) for u in units], dtype=float
        ),
        lead=np.asarray([sentences[u[0]].index == 0 for u in units], dtype=bool),
        words=np.asarray([len(s.tokens) for s in sentences], dtype=float),
        concept_sentence=concept_sentence,
        concept=concept,
        weights=weights,
        term_sentence=term_sentence,
        term=term,
    )


def _day(published: object | None) -> str | None:
    """The calendar day of a publication time (datetime, date or ISO string), None if unknown."""
    if published is None or published == "":
        return None
    isoformat = getattr(published, "isoformat", None)
    return str(isoformat() if callable(isoformat) else published)[:10]


def _newest_first(articles: Sequence[StoryArticle]) -> list[int]:
    """Each article's rank, newest first: by publication time, else later in the list."""
    keys = [
        (a.published not in (None, ""), str(_sortable(a.published)), i)
        for i, a in enumerate(articles)
    ]
    rank = [0] * len(articles)
    for r, i in enumerate(sorted(range(len(articles)), key=keys.__getitem__, reverse=True)):
        rank[i] = r
    return rank


def _sortable(published: object | None) -> object:
    isoformat = getattr(published, "isoformat", None)
    return isoformat() if callable(isoformat) else (published or "")


def reading_order(
    pool: SentencePool, chosen: Sequence[int], articles: Sequence[StoryArticle]
) -> list[int]:
    """The chosen sentences in reading order (see the module's step 5)."""
    if not chosen:
        return []
    sentences = pool.sentences
    days = [_day(a.published) for a in articles]
    known = sorted(d for d in days if d)
    neutral = known[0] if known else ""
    rank = _newest_first(articles)

    def key(s: PooledSentence) -> tuple[str, float, int, int]:
        return (days[s.article] or neutral, s.index / max(s.count, 1), rank[s.article], s.index)

    blocks: list[list[int]] = []
    for i in sorted(chosen, key=lambda i: (sentences[i].article, sentences[i].index)):
        s = sentences[i]
        if blocks:
            last = sentences[blocks[-1][-1]]
            if (
                last.article == s.article
                and last.raw == s.raw - 1
                and depends_on_previous(s.text, pool.language)
            ):
                blocks[-1].append(i)
                continue
        blocks.append([i])
    blocks.sort(key=lambda block: key(sentences[block[0]]))
    leads = [b for b in blocks if sentences[b[0]].index == 0]
    if leads:
        picked = {i: r for r, i in enumerate(chosen)}
        opener = min(leads, key=lambda b: picked[b[0]])
        blocks.remove(opener)
        blocks.insert(0, opener)
    return [i for b in blocks for i in b]
