"""Story summaries (`summarizer.multidoc`) against their baselines on real multi-outlet stories.

    nice -n 10 .venv/bin/python benchmarks/bench_story_summaries.py [--split test] \
        [--today-tree DIR] [--json out.json] [--only rouge|readability|speed]

Data ($NEWSBRIEF_EVAL_DATA or ../shared/data): MultiLing 2011 (10 clusters x 7 languages,
references of ~250 words), CSTNews (50 clusters, Portuguese, the human abstracts) and
VietnameseMDS (199 clusters). A cluster is dev or test by the first byte of md5(cluster id)
(MultiLing's clusters are shared across languages, so one cluster is on the same side in every
language). Budgets: 100 words everywhere, 250 for MultiLing.

ROUGE: recall of unigrams and bigrams, averaged over a cluster's references, with ONE Unicode
tokenizer for every system and reference (`summarizer.evaluation.unicode_rouge_tokens`:
NFC, lower case, `regex` \\w+ words, Snowball-stemmed for ar, en, fr and pt; rouge-score's
tokenizer keeps only [a-z0-9] and would delete Arabic, Greek, Hebrew, Hindi and most of
Vietnamese). Every summary is cut to exactly the budget in words.

Systems: ours (`story_summary(words=B, overflow=True)`); TextRank and LexRank (sumy) on the
concatenation of the cluster's articles, with the language's sentence rules, stemmer and stop
words; `news` on the concatenation (`summarize(..., language=...)`); the lead of the newest
article. A k-sentence method gets the smallest k that reaches the budget. `--today-tree DIR`
adds the summary of another checkout of the package (e.g. `git archive HEAD summarizer`),
run in a subprocess through its own `summarize_story(articles, k)`.

Readability (`summarizer.readability`), share of summaries: a sentence leaning on an antecedent
not given right before it; two sentences stating the same fact; an article's sentences out of
its order. Measured on the product's two views (briefing: `story_sentences(3)`, "More": 6).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.api import summarize  # noqa: E402
from summarizer.evaluation import (  # noqa: E402
    StoryCluster,
    eval_data_dir,
    load_story_clusters,
    rouge_recall,
    sentence_index,
)
from summarizer.multidoc import StoryArticle, story_sentences, story_summary  # noqa: E402
from summarizer.readability import out_of_order, repeated_facts, unresolved_openers  # noqa: E402
from summarizer.sentences import split_paragraphs, split_sentences  # noqa: E402
from summarizer.words import language_stop_words, unicode_stem, unicode_words  # noqa: E402

ML_LANGUAGES = ("ar", "cs", "el", "en", "fr", "he", "hi")
SET_ORDER = [f"ml-{code}" for code in ML_LANGUAGES] + ["cstnews", "vietnamese_mds"]
Cluster = StoryCluster


def budgets(cluster: Cluster) -> tuple[int, ...]:
    """100 words everywhere, and 250 (MultiLing's own length) for MultiLing."""
    return (100, 250) if cluster.corpus == "multiling2011" else (100,)


def newest_index(cluster: Cluster) -> int:
    """The newest article: latest date; among equal or missing dates the later in the list."""
    keyed = [
        (a.published not in (None, ""), str(a.published or ""), i)
        for i, a in enumerate(cluster.articles)
    ]
    return max(keyed)[2]


# --- systems ---------------------------------------------------------------------------------

# (cluster, budget in words) -> the summary's sentences in the order shown.
System = Callable[[Cluster, int], list[str]]


def word_count(text: str) -> int:
    return len(unicode_words(text))


def until_budget(ranked: Sequence[tuple[str, int]], budget: int) -> list[str]:
    """Best-ranked (text, position in the text) until the budget is reached, shown in order."""
    chosen: list[tuple[str, int]] = []
    total = 0
    for item in ranked:
        chosen.append(item)
        total += word_count(item[0])
        if total >= budget:
            break
    return [text for text, _ in sorted(chosen, key=lambda item: item[1])]


def ours(cluster: Cluster, budget: int) -> list[str]:
    summary = story_summary(cluster.articles, words=budget, overflow=True)
    return [s.text for s in summary]


def _concatenation(cluster: Cluster) -> str:
    return "\n\n".join(a.text[:12_000] for a in cluster.articles)


class _Tokenizer:
    """sumy's tokenizer interface with the cluster language's rules."""

    def __init__(self, language: str) -> None:
        self.language = language

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph, self.language))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(w for w in unicode_words(sentence) if not w.isdigit())


@cache
def _sumy_ranked(name: str, key: tuple[str, str]) -> list[tuple[str, int]]:
    """sumy's ranking (best first) of the concatenation's sentences, with their positions."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph
    from sumy.models.dom import Sentence as SumySentence
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    cluster = _CLUSTERS[key]
    tokenizer = _Tokenizer(cluster.language)
    paragraphs = [
        [SumySentence(s, tokenizer) for s in split_sentences(p, cluster.language)]
        for p in split_paragraphs(_concatenation(cluster))
    ]
    document = ObjectDocumentModel([Paragraph(p) for p in paragraphs if p])
    language = cluster.language
    summarizer = {"textrank": TextRankSummarizer, "lexrank": LexRankSummarizer}[name](
        lambda word: unicode_stem(word.lower(), language)
    )
    summarizer.stop_words = language_stop_words(language)
    captured: list = []

    def keep_all(infos):  # type: ignore[no-untyped-def]  # receives them best first
        captured.extend(infos)
        return infos

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        summarizer(document, keep_all)
    return [(str(info.sentence), info.order) for info in captured]


_CLUSTERS: dict[tuple[str, str], Cluster] = {}


def sumy_system(name: str) -> System:
    def run(cluster: Cluster, budget: int) -> list[str]:
        key = (cluster.id, cluster.language)
        _CLUSTERS[key] = cluster
        return until_budget(_sumy_ranked(name, key), budget)

    return run


def grow(summarize_k: Callable[[int], list[str]], budget: int) -> list[str]:
    """The smallest k-sentence summary reaching the budget."""
    summary: list[str] = []
    for k in range(1, 60):
        summary = summarize_k(k)
        if sum(word_count(s) for s in summary) >= budget or len(summary) < k:
            break
    return summary


def news_on_concatenation(cluster: Cluster, budget: int) -> list[str]:
    text, title = _concatenation(cluster), cluster.articles[0].title
    return grow(
        lambda k: summarize(text, title=title, sentences=k, language=cluster.language), budget
    )


def lead_of_newest(cluster: Cluster, budget: int) -> list[str]:
    article = cluster.articles[newest_index(cluster)]
    texts = split_sentences(article.text, cluster.language)
    return until_budget([(t, i) for i, t in enumerate(texts)], budget)


SYSTEMS: dict[str, System] = {
    "ours": ours,
    "textrank": sumy_system("textrank"),
    "lexrank": sumy_system("lexrank"),
    "news": news_on_concatenation,
    "lead-newest": lead_of_newest,
}
BASELINES = ("textrank", "lexrank", "news", "lead-newest")

# Run inside another checkout: its summarize_story(articles, k) grown to each budget, and its
# product views (3 and 6 sentences). Reads clusters as JSON on stdin.
_TODAY_SCRIPT = r"""
import json, sys
from summarizer.multidoc import StoryArticle, summarize_story
out = {}
for c in json.load(sys.stdin):
    arts = [StoryArticle(a[0], a[1], a[2]) for a in c["articles"]]
    views = {"3": summarize_story(arts, 3), "6": summarize_story(arts, 6)}
    for budget in c["budgets"]:
        summary = []
        for k in range(1, 60):
            summary = summarize_story(arts, k)
            if sum(len(s.split()) for s in summary) >= budget or len(summary) < k:
                break
        views[str(budget)] = summary
    out[c["key"]] = views
print(json.dumps(out))
"""


def today_summaries(tree: Path, clusters: Sequence[Cluster]) -> dict[str, dict[str, list[str]]]:
    payload = [
        {
            "key": f"{c.id}/{c.language}",
            "budgets": list(budgets(c)),
            "articles": [[a.source, a.title, a.text] for a in c.articles],
        }
        for c in clusters
    ]
    result = subprocess.run(
        [sys.executable, "-c", _TODAY_SCRIPT],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


# --- readability -----------------------------------------------------------------------------


def locate(cluster: Cluster, summary: Sequence[str]) -> list[tuple[int, int, str]]:
    """(article, index among its sentences, text) of each summary sentence, as split by the
    language's rules (`summarizer.evaluation.sentence_index`); a sentence found nowhere gets
    (-1, -1)."""
    found: list[tuple[int, int, str]] = []
    split = _article_sentences(cluster)
    for text in summary:
        where = (-1, -1)
        for a, sentences in enumerate(split):
            index = sentence_index(sentences, text)
            if index >= 0:
                where = (a, index)
                break
        found.append((*where, text))
    return found


def _article_sentences(cluster: Cluster) -> list[list[str]]:
    key = (cluster.id, cluster.language)
    if key not in _SPLIT:
        _SPLIT[key] = [split_sentences(a.text, cluster.language) for a in cluster.articles]
    return _SPLIT[key]


_SPLIT: dict[tuple[str, str], list[list[str]]] = {}


def readability_shares(
    cases: Sequence[tuple[Cluster, list[str]]],
) -> dict[str, float]:
    """Share (%) of summaries breaking each rule, and the mean words per summary."""
    dangling = repeated = reversed_ = 0
    words = 0
    for cluster, summary in cases:
        located = locate(cluster, summary)
        dangling += unresolved_openers(located, cluster.language) > 0
        repeated += repeated_facts(summary, cluster.language) > 0
        reversed_ += out_of_order([x for x in located if x[0] >= 0]) > 0
        words += sum(word_count(s) for s in summary)
    n = max(len(cases), 1)
    return {
        "summaries": len(cases),
        "mean_words": round(words / n, 1),
        "dangling": round(100 * dangling / n, 1),
        "same_fact": round(100 * repeated / n, 1),
        "out_of_order": round(100 * reversed_ / n, 1),
    }


# --- runs ------------------------------------------------------------------------------------


def rouge_tables(
    clusters: Sequence[Cluster], today: dict[str, dict[str, list[str]]] | None
) -> dict[str, dict[str, dict[str, list[float]]]]:
    """{set@budget: {system: [R-1, R-2] (%), ...}, ...} and the targets, printed as Markdown."""
    names = list(SYSTEMS) + (["today"] if today else [])
    scores: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for done, cluster in enumerate(clusters, 1):
        for budget in budgets(cluster):
            cell = scores.setdefault(f"{cluster.set_name}@{budget}", {})
            for name in names:
                if name == "today":
                    summary = today[f"{cluster.id}/{cluster.language}"][str(budget)]  # type: ignore[index]
                else:
                    summary = SYSTEMS[name](cluster, budget)
                recall = rouge_recall(summary, cluster.references, cluster.language, budget)
                cell.setdefault(name, []).append(recall)
        print(f"  {done}/{len(clusters)} clusters", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    table: dict[str, dict[str, dict[str, list[float]]]] = {}
    order = [f"{s}@{b}" for b in (100, 250) for s in SET_ORDER if f"{s}@{b}" in scores]
    print("| set @ words | clusters | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    met = total = 0
    for key in order:
        means = {
            n: [
                100 * statistics.mean(v[0] for v in scores[key][n]),
                100 * statistics.mean(v[1] for v in scores[key][n]),
            ]
            for n in names
        }
        table[key] = {"n": len(scores[key]["ours"]), **means}  # type: ignore[dict-item]
        cells = []
        for n in names:
            r1, r2 = means[n]
            cell = f"{r1:.1f} / {r2:.1f}"
            cells.append(f"**{cell}**" if n == "ours" else cell)
        print(f"| {key} | {len(scores[key]['ours'])} | " + " | ".join(cells) + " |")
        for base in BASELINES:
            total += 1
            met += means["ours"][0] > means[base][0] and means["ours"][1] > means[base][1]
    print(f"\nTargets (R-1 and R-2 recall above each baseline): {met} of {total} met.")
    misses = [
        f"{key} vs {base}: {table[key]['ours'][0] - table[key][base][0]:+.1f} / "  # type: ignore[index]
        f"{table[key]['ours'][1] - table[key][base][1]:+.1f}"  # type: ignore[index]
        for key in order
        for base in BASELINES
        if not (
            table[key]["ours"][0] > table[key][base][0]  # type: ignore[index]
            and table[key]["ours"][1] > table[key][base][1]  # type: ignore[index]
        )
    ]
    for miss in misses:
        print(f"- missed: {miss}")
    for budget in (100, 250):
        keys = [k for k in order if k.endswith(f"@{budget}")]
        if keys:
            macro = {
                n: (
                    statistics.mean(table[k][n][0] for k in keys),  # type: ignore[index]
                    statistics.mean(table[k][n][1] for k in keys),  # type: ignore[index]
                )
                for n in names
            }
            line = "; ".join(f"{n} {a:.1f}/{b:.1f}" for n, (a, b) in macro.items())
            print(f"\nMacro mean, {budget} words ({len(keys)} sets): {line}")
    print()
    return table


def readability_table(
    clusters: Sequence[Cluster], today: dict[str, dict[str, list[str]]] | None
) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    views = (("briefing", 3), ("More", 6))
    for view, count in views:
        cases = [(c, [s.text for s in story_sentences(c.articles, count)]) for c in clusters]
        rows[f"ours, {view} (story_sentences({count}))"] = readability_shares(cases)
        if today:
            cases = [(c, today[f"{c.id}/{c.language}"][str(count)]) for c in clusters]
            rows[f"today, {view} (summarize_story({count}))"] = readability_shares(cases)
    for name in SYSTEMS:
        cases = [(c, SYSTEMS[name](c, 100)) for c in clusters]
        rows[f"{name} @100 words"] = readability_shares(cases)
    print("| system | summaries | mean words | dangling opener | same fact twice | out of order |")
    print("|---|---|---|---|---|---|")
    for name, r in rows.items():
        print(
            f"| {name} | {r['summaries']} | {r['mean_words']} | {r['dangling']}% | "
            f"{r['same_fact']}% | {r['out_of_order']}% |"
        )
    print()
    return rows


def speed_table(clusters: Sequence[Cluster], rounds: int = 10) -> dict[str, float]:
    """CPU ms per briefing summary of 6 sources x 12,000 characters, per language, warm."""
    out: dict[str, float] = {}
    print("| language | ms per story (6 x 12,000 characters), warm median | first call |")
    print("|---|---|---|")
    for code in ("en", "ar", "hi", "pt", "vi"):
        pool = [c for c in clusters if c.language == code]
        texts = [a for c in pool for a in c.articles]
        articles = []
        for k in range(6):
            text = ""
            for a in texts[k::6]:
                text += a.text + "\n\n"
                if len(text) >= 12_000:
                    break
            articles.append(StoryArticle(f"s{k}", texts[k].title, text[:12_000], code))
        started = time.process_time()
        story_sentences(articles, 3)
        first = 1000 * (time.process_time() - started)
        times = []
        for _ in range(rounds):
            started = time.process_time()
            story_sentences(articles, 3)
            times.append(1000 * (time.process_time() - started))
        out[code] = statistics.median(times)
        print(f"| {code} | {out[code]:.1f} | {first:.1f} |")
    print()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="test")
    parser.add_argument("--data", type=Path, default=eval_data_dir())
    parser.add_argument("--today-tree", type=Path, help="another checkout's package to compare")
    parser.add_argument("--only", choices=("rouge", "readability", "speed"))
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args(argv)
    if not (args.data / "multiling2011.jsonl").is_file():
        print(f"no multi-document data in {args.data}: set NEWSBRIEF_EVAL_DATA", file=sys.stderr)
        return 2
    clusters = load_story_clusters(args.data, None if args.split == "all" else args.split)
    print(f"{len(clusters)} (cluster, language) sets, split {args.split}\n")
    today = today_summaries(args.today_tree, clusters) if args.today_tree else None
    figures: dict[str, object] = {"split": args.split}
    if args.only in (None, "rouge"):
        print("### ROUGE-1 / ROUGE-2 recall (%)\n")
        figures["rouge"] = rouge_tables(clusters, today)
    if args.only in (None, "readability"):
        print("### Readability: share of summaries breaking each rule\n")
        figures["readability"] = readability_table(clusters, today)
    if args.only in (None, "speed"):
        print("### Speed (CPU time, one process)\n")
        figures["speed_ms"] = speed_table(load_story_clusters(args.data))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
