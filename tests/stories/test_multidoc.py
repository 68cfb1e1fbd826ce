"""The pooled story summary: facts the sources share, each said once, in reading order."""

from __future__ import annotations

from summarizer.multidoc import StoryArticle, summarize_story

SHARED = "Glenmoor's water board approved a £95m reservoir at Ashby Vale on Thursday."
SHARED_AGAIN = "On Thursday Glenmoor's water board approved the £95m Ashby Vale reservoir."
ONLY_ONE = "A local choir sang outside the meeting hall before the vote began."
FACT = "The reservoir will hold 14 billion litres and supply 210,000 homes from 2031."


def test_summary_prefers_shared_facts_and_never_repeats_one() -> None:
    articles = [
        StoryArticle("Gazette", "Reservoir approved", f"{SHARED} {ONLY_ONE}\n\n{FACT}"),
        StoryArticle("Herald", "Ashby Vale vote", f"{SHARED_AGAIN}\n\n{FACT} Campaigners object."),
        StoryArticle("Wire", "Reservoir plan", f"{SHARED} The vote was 11 to 4.\n\n{FACT}"),
    ]
    summary = summarize_story(articles, 2)
    assert len(summary) == 2
    assert FACT in summary
    assert sum(s in (SHARED, SHARED_AGAIN) for s in summary) == 1  # the vote, once
    assert ONLY_ONE not in summary


def test_empty_story_gives_no_summary() -> None:
    assert summarize_story([StoryArticle("Gazette", "Title", "")], 3) == []
