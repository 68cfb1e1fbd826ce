"""Briefing messages: escaped HTML, grouped by topic, split on item boundaries under 4096."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.formatting import (
    MAX_MESSAGE,
    BriefingItem,
    MessagePart,
    Source,
    briefing_header,
    dump_parts,
    load_parts,
    render_briefing,
    shorten,
    telegram_length,
)
from sandbox.fake_bot_api_support import plain_text_of


def item(n: int, topic: str = "Tech", **overrides: object) -> BriefingItem:
    values: dict[str, object] = {
        "story_id": n,
        "topic": topic,
        "title": f"Story number {n}",
        "sentences": (f"First sentence of story {n}.", f"Second sentence of story {n}."),
        "sources": (Source("Daily Example", f"https://example.org/{n}"),),
        "source_count": 1,
    }
    values.update(overrides)
    return BriefingItem(**values)  # type: ignore[arg-type]


HEADER = briefing_header(
    datetime(2026, 3, 2, 7, 30, tzinfo=ZoneInfo("Europe/Berlin")), "Europe/Berlin", 2
)


def test_header_names_the_local_date_time_and_timezone() -> None:
    text = plain_text_of(HEADER, "HTML")
    assert "Monday 2 March 2026" in text
    assert "07:30 Europe/Berlin" in text
    assert "2 stories" in text


def test_item_has_bold_title_sentences_source_link_and_more_button() -> None:
    (part,) = render_briefing(HEADER, [item(1)])
    assert "<b>1. Story number 1</b>" in part.text
    assert "First sentence of story 1. Second sentence of story 1." in part.text
    assert '<a href="https://example.org/1">Daily Example</a>' in part.text
    assert part.buttons == ((("More #1", "more:1"),),)


def test_every_dynamic_string_is_escaped() -> None:
    nasty = item(
        7,
        topic="R&D <lab>",
        title="<script>alert(1)</script> & co",
        sentences=("Profits < costs & taxes > 0.",),
        sources=(Source("A&B <News>", 'https://example.org/?a=1&b="2"'),),
    )
    (part,) = render_briefing(HEADER, [nasty])
    visible = plain_text_of(part.text, "HTML")  # raises if Telegram would refuse the HTML
    assert "<script>alert(1)</script> & co" in visible
    assert "Profits < costs & taxes > 0." in visible
    assert "R&D <LAB>" in visible
    assert 'href="https://example.org/?a=1&amp;b=&quot;2&quot;"' in part.text
    assert "<script>" not in part.text


def test_items_are_grouped_under_their_topic_heading() -> None:
    items = [item(1, "Tech"), item(2, "Tech"), item(3, "World")]
    (part,) = render_briefing(HEADER, items)
    text = plain_text_of(part.text, "HTML")
    assert text.index("TECH") < text.index("1. Story") < text.index("2. Story")
    assert text.index("2. Story") < text.index("WORLD") < text.index("3. Story")
    assert text.count("TECH") == 1


def test_long_briefings_split_between_items_and_stay_under_the_limit() -> None:
    long_sentence = "word " * 110  # ~550 characters
    items = [item(n, sentences=(long_sentence, long_sentence, long_sentence)) for n in range(1, 9)]
    parts = render_briefing(HEADER, items)
    assert len(parts) >= 2
    assert all(telegram_length(p.text) <= MAX_MESSAGE for p in parts)
    joined = "\n".join(p.text for p in parts)
    titles = re.findall(r"<b>(\d+)\. Story number \d+</b>", joined)
    assert titles == [str(n) for n in range(1, 9)]  # each item whole, once, in order
    for part in parts:
        numbers = re.findall(r"<b>(\d+)\. Story", part.text)
        assert [label for row in part.buttons for label, _ in row] == [
            f"More #{n}" for n in numbers
        ]
        plain_text_of(part.text, "HTML")  # every part is valid HTML on its own
    assert "(continued)" in parts[1].text


def test_a_single_huge_item_is_cut_down_to_fit() -> None:
    huge = item(
        1,
        title="T" * 5000,
        sentences=("x" * 5000,) * 3,
        sources=tuple(Source("S" * 500, "https://e.org/" + "p" * 3000) for _ in range(4)),
    )
    parts = render_briefing(HEADER, [huge])
    assert all(telegram_length(p.text) <= MAX_MESSAGE for p in parts)
    assert "…" in parts[-1].text


def test_updates_and_source_counts_are_marked() -> None:
    grown = item(
        5,
        is_update=True,
        source_count=3,
        sources=(
            Source("A", "https://a.example/1"),
            Source("B", "https://b.example/1"),
            Source("C", "https://c.example/1"),
        ),
    )
    (part,) = render_briefing(HEADER, [grown])
    text = plain_text_of(part.text, "HTML")
    assert "Update:" in text
    assert "3 sources" in text


def test_payload_round_trips_through_json() -> None:
    parts = [MessagePart("<b>x</b> &amp; ü", ((("More #1", "more:1"),),)), MessagePart("y")]
    assert load_parts(dump_parts(parts)) == parts


def test_shorten_cuts_at_a_word_boundary() -> None:
    assert shorten("alpha beta gamma delta", 12) == "alpha beta…"
    assert shorten("  spaced \n out  ", 50) == "spaced out"
    assert telegram_length("😀") == 2
