"""Query-focused answers and pooled summaries: relevant, cited, no sentence said twice."""

from __future__ import annotations

from summarizer.answer import answer_question
from summarizer.multidoc import StoryArticle, story_sentences
from tests.followups.news import CEASEFIRE, FERRY, LIBRARY, Report


def _sources(*reports: Report) -> list[StoryArticle]:
    return [StoryArticle(r.source, r.title, r.text) for r in reports]


def test_answer_sentences_are_about_the_question_and_cite_their_article() -> None:
    reports = [*FERRY, *CEASEFIRE, *LIBRARY]
    answer = answer_question("what about the prisoner exchange?", _sources(*reports), 3)
    assert answer
    for sentence in answer:
        assert sentence.text in reports[sentence.source].paragraphs  # cited article says it
        assert "prisoner" in sentence.text.lower()
    assert len({s.source for s in answer}) >= 2  # pooled across outlets


def test_the_same_sentence_from_two_outlets_is_said_once() -> None:
    copy = Report("Mirror Daily", FERRY[0].title, FERRY[0].paragraphs)
    answer = answer_question("ferry strike night shift pay", _sources(FERRY[0], copy), 4)
    texts = [s.text for s in answer]
    assert len(texts) == len(set(texts)) and texts


def test_a_title_only_match_falls_back_to_the_pooled_summary() -> None:
    # "halted" is in one report's title ("Island ferries halted as crews walk out") only.
    answer = answer_question("halted", _sources(*FERRY), 2)
    titled = [report for report in FERRY if "halted" in report.title]
    assert [s.text for s in answer] == [s.text for s in story_sentences(_sources(*titled), 2)]


def test_a_question_nothing_is_about_gets_no_answer() -> None:
    # No sentence and no title holds the question's words: no unrelated news instead.
    assert answer_question("Valdoria", _sources(*FERRY), 2) == []
    assert answer_question("island zoo penguins", _sources(*FERRY), 2) == []


def test_pooled_summary_draws_distinct_early_sentences_from_every_source() -> None:
    summary = story_sentences(_sources(*CEASEFIRE), 6)
    assert 5 <= len(summary) <= 6
    texts = [s.text for s in summary]
    assert len(set(texts)) == len(texts)
    assert {s.source for s in summary} == {0, 1, 2}
    assert all(s.text in CEASEFIRE[s.source].paragraphs for s in summary)


def test_nothing_to_draw_from_gives_nothing() -> None:
    assert answer_question("anything", [], 3) == []
    assert story_sentences([StoryArticle("Gazette", "Short", "Short.")], 5) == []
