"""The readability rules every summary and every metric share (summarizer.readability)."""

from __future__ import annotations

import pytest

from summarizer.readability import (
    dependency,
    out_of_order,
    repeated_facts,
    same_fact,
    unresolved_openers,
)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("However, the police said no.", "en"),
        ("He added that nothing had been decided.", "en"),
        ("In addition, the council will pay for buses.", "en"),
        ('"We will not give up," she said.', "en"),  # who is she?
        ('"We will not give up."', "en"),
        ("and then the meeting ended.", "en"),
        ("Il a ajouté que rien n'était décidé.", "fr"),
        ("No entanto, o governo negou.", "pt"),
        ("Ele disse que a votação foi adiada.", "pt"),
        ("लेकिन सरकार ने इनकार किया।", "hi"),
        ("Ông cho biết sẽ từ chức.", "vi"),  # "he said"
        ("Tuy nhiên, chính phủ bác bỏ.", "vi"),
    ],
)
def test_sentences_that_lean_on_the_one_before(text: str, language: str) -> None:
    assert dependency(text, language) is not None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The police said no.", "en"),
        ("This year the council cut its budget.", "en"),  # a time, not a reference
        ('"We will not give up," said Mayor Elena Hart.', "en"),
        ('"We will not give up," the mayor said.', "en"),
        ("Il a ajouté que rien n'était décidé.", "en"),  # never another language's words
        ("Ông Carney nói rằng ngân hàng sẽ hành động.", "vi"),  # "Mr Carney said"
        ("O governo negou.", "pt"),
    ],
)
def test_sentences_that_stand_alone(text: str, language: str) -> None:
    assert dependency(text, language) is None


def test_same_fact_needs_most_of_the_shorter_sentence() -> None:
    assert same_fact({"council", "vote", "bridge", "close"}, {"council", "vote", "bridge", "x"})
    assert not same_fact({"council", "vote"}, {"council", "vote", "bridge"})  # 2 shared < 3
    assert not same_fact({"a", "b", "c", "d", "e", "f"}, {"a", "b", "c", "x", "y", "z"})  # 50%


def test_metrics_count_what_a_reader_would_trip_over() -> None:
    summary = [(0, 0, "The council closed the bridge."), (0, 2, "It will reopen in May.")]
    assert unresolved_openers(summary) == 1  # its antecedent (sentence 1) is missing
    assert unresolved_openers([(0, 1, "The bridge shut."), (0, 2, "It will reopen.")]) == 0
    assert unresolved_openers([(0, 0, "He spoke first.")]) == 0  # nothing precedes a lead
    assert out_of_order([(0, 3, "b"), (0, 1, "a")]) == 1
    assert out_of_order([(1, 3, "b"), (0, 1, "a")]) == 0  # two articles: any order
    twice = [
        "Glenmoor's water board approved a £95m reservoir at Ashby Vale on Thursday.",
        "On Thursday Glenmoor's water board approved the £95m Ashby Vale reservoir.",
    ]
    assert repeated_facts(twice) == 1
