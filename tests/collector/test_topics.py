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


def test_keywords_are_stemmed_by_the_rules_of_the_articles_language() -> None:
    rules = [build_rule(1, "выборы"), build_rule(2, "wahl"), build_rule(3, "eleições -futebol")]
    # Russian "выборов" and German "Wahlen" are the keywords' own words in another case.
    assert matching_topics(rules, "Итоги выборов", "", "ru") == {1}
    assert matching_topics(rules, "Nach den Wahlen", "", "de") == {2}
    # English rules would not see them: a stored article's language decides.
    assert matching_topics(rules, "Итоги выборов", "", "en") == set()
    assert matching_topics(rules, "Nach den Wahlen", "", "en") == set()
    assert matching_topics(rules, "As eleições de outubro", "", "pt") == {3}
    assert matching_topics(rules, "Eleições no clube de futebol", "", "pt") == set()
