"""Topic keywords match whole, stemmed words in the title or text; '-word' excludes."""

from __future__ import annotations

from collector.topics import build_rule, matching_topics

RULES = [
    build_rule(1, "election vote -football"),
    build_rule(2, "ai-safety"),
    build_rule(3, "cat"),
]


def test_stemmed_whole_word_matches_in_title_or_text() -> None:
    assert matching_topics(RULES, "Elections in the valley", "") == {1}
    assert matching_topics(RULES, "", "Residents VOTED on Sunday.") == {1}
    assert matching_topics(RULES, "", "A category of its own; concatenated words.") == set()
    assert matching_topics(RULES, "Cats rescued", "") == {3}


def test_phrases_need_their_words_in_order_and_exclusions_win() -> None:
    assert matching_topics(RULES, "", "Experts on AI safety met.") == {2}
    assert matching_topics(RULES, "", "Safety of AI systems.") == set()
    assert matching_topics(RULES, "Club election", "The football club voted.") == set()


def test_a_phrase_does_not_span_the_title_and_the_text() -> None:
    assert matching_topics(RULES, "Regulating AI", "Safety first, say experts.") == set()


def test_a_keyword_in_passing_deep_in_the_body_does_not_pull_the_article_in() -> None:
    body = "The council met on Tuesday to discuss the harbour. " * 12 + "A cat watched."
    assert matching_topics(RULES, "Harbour plan approved", body) == set()
    assert matching_topics(RULES, "Harbour plan approved", "A cat watched. " + body) == {3}
