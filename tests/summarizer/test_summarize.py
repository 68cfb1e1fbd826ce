"""`summarize` as the collector and the bot call it: every algorithm, odd input, the seed page."""

from __future__ import annotations

import itertools
import pickle
import random
from concurrent.futures import ProcessPoolExecutor

import pytest

from summarizer import ALGORITHMS, UnknownAlgorithmError, split_sentences, summarize
from summarizer.selection import select_sentences
from tests.summarizer.conftest import ARTICLE, ARTICLE_TITLE

# The boilerplate on the seed page, marked by hand: whole short lines, and a distinctive piece of
# each longer one.
SEED_NAVIGATION_LINES = ("Watch TV", "Menu", "Russia", "Published", "close", "Bradford Betz")
SEED_BOILERPLATE = (
    "Expand / Collapse",
    "may not be published",
    "FOX News Network",
    "All rights reserved",
    "Quotes displayed",
    "Market data provided",
    "Powered and implemented",
    "Legal Statement",
    "Refinitiv Lipper",
    "By Bradford Betz",
    "Bradford Betz is a",
    "exchange drone attacks",
    "Greg Palkot reports",
    "reached out to the Council",
    "RUSSIAN MISSILE STRIKE",
    "Kramatorsk attack with debris",
    "In this photo provided",
    "via AP",
    "Debris from an attack",
    "CLICK HERE",
    "contributed to this report",
)


def test_algorithms_lists_news_lead_and_every_sumy_method() -> None:
    assert ALGORITHMS[:2] == ("news", "lead")
    assert set(ALGORITHMS[2:]) == {
        "lexrank",
        "textrank",
        "lsa",
        "luhn",
        "edmundson",
        "kl",
        "sumbasic",
        "reduction",
    }


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_every_algorithm_returns_article_sentences_in_document_order(algorithm: str) -> None:
    sentences = split_sentences(ARTICLE)
    summary = summarize(ARTICLE, title=ARTICLE_TITLE, sentences=3, algorithm=algorithm)
    assert len(summary) == 3
    positions = [sentences.index(s) for s in summary]  # each is an article sentence
    assert positions == sorted(positions)
    assert ARTICLE_TITLE not in summary  # the repeated headline is not a summary sentence


def test_lead_is_the_first_sentences_after_the_repeated_title() -> None:
    assert (
        summarize(ARTICLE, title=ARTICLE_TITLE, sentences=2, algorithm="lead")
        == (split_sentences(ARTICLE)[1:3])
    )


def test_news_opens_with_the_lead_sentence_of_a_news_story() -> None:
    summary = summarize(ARTICLE, title=ARTICLE_TITLE)
    assert summary[0].startswith("The city council of Northbridge voted on Tuesday")


def test_algorithm_names_are_forgiving_about_case_and_dashes() -> None:
    assert summarize(ARTICLE, algorithm="Lex-Rank") == summarize(ARTICLE, algorithm="lexrank")


def test_an_unknown_algorithm_is_a_clear_error() -> None:
    with pytest.raises(UnknownAlgorithmError, match="unknown algorithm 'bogus'"):
        summarize(ARTICLE, algorithm="bogus")
    assert issubclass(UnknownAlgorithmError, ValueError)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n  ",
        "One sentence only.",
        bytes(range(256)).decode("latin-1") * 50,
        "\ufffd\x00\x07" * 1000,
        "<<<>>> ### ||| ... ??? !!!",
    ],
    ids=["empty", "blank", "one-sentence", "binary", "replacement-chars", "punctuation"],
)
def test_odd_input_never_raises(algorithm: str, text: str) -> None:
    summary = summarize(text, sentences=3, algorithm=algorithm)
    assert isinstance(summary, list)
    assert len(summary) <= 1


def test_more_sentences_than_the_article_has_returns_them_all() -> None:
    assert len(summarize(ARTICLE, sentences=50)) == len(split_sentences(ARTICLE)) - 1


def test_a_400_kb_page_is_summarised() -> None:
    rng = random.Random(3)
    paragraphs = split_sentences(ARTICLE)
    huge = "\n\n".join(
        f"{rng.choice(paragraphs)} Item {i} of the archive was filed on day {i % 31}."
        for i in range(3200)
    )
    assert len(huge) > 400_000
    for algorithm in ("news", "lexrank", "kl"):  # linear, quadratic and worse
        assert len(summarize(huge, sentences=3, algorithm=algorithm)) == 3


def test_summarize_pickles_and_runs_in_a_process_pool() -> None:
    assert pickle.loads(pickle.dumps(summarize)) is summarize
    with ProcessPoolExecutor(max_workers=1) as pool:
        remote = pool.submit(summarize, ARTICLE, title=ARTICLE_TITLE, sentences=2).result(60)
    assert remote == summarize(ARTICLE, title=ARTICLE_TITLE, sentences=2)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_no_boilerplate_is_picked_from_the_seed_page(seed_page: str, algorithm: str) -> None:
    summary = summarize(seed_page, sentences=3, algorithm=algorithm)
    assert len(summary) == 3
    for sentence in summary:
        assert sentence not in SEED_NAVIGATION_LINES
        assert not any(piece in sentence for piece in SEED_BOILERPLATE), sentence


def _brute_force_mmr(
    scores: list[float], similarity: list[list[float]], count: int, redundancy: float
) -> list[int]:
    """Maximal marginal relevance written the obvious way, to check the fast version against."""
    chosen: list[int] = []
    while len(chosen) < count:
        closest = {
            i: max((similarity[i][j] for j in chosen), default=0.0)
            for i in range(len(scores))
            if i not in chosen
        }
        allowed = [i for i, value in closest.items() if value < 0.7]
        if not allowed:
            break
        chosen.append(max(allowed, key=lambda i: (scores[i] - redundancy * closest[i], -i)))
    return sorted(chosen)


def test_a_repeated_standfirst_is_not_picked_twice(seed_page: str) -> None:
    summary = summarize(seed_page, sentences=3)
    assert sum(s.startswith("Back-channel communications are common") for s in summary) == 1


def test_fast_selection_matches_plain_maximal_marginal_relevance() -> None:
    rng = random.Random(11)
    for n, count, redundancy in itertools.product((1, 5, 30), (1, 3, 8), (0.0, 0.3, 1.0)):
        scores = [round(rng.uniform(-1, 1), 1) for _ in range(n)]  # rounded: ties happen
        similarity = [[0.0] * n for _ in range(n)]
        for i, j in itertools.combinations(range(n), 2):
            similarity[i][j] = similarity[j][i] = rng.random()
        fast = sorted(
            select_sentences(
                scores,
                lambda i, j, table=similarity: table[i][j],
                count,
                redundancy=redundancy,
                duplicate=0.7,
            )
        )
        assert fast == _brute_force_mmr(scores, similarity, count, redundancy)
