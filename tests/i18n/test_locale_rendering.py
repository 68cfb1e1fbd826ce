"""Briefings rendered per language: plural rules, dates and numbers, the cache's key, and the
right-to-left rule (every value inside a translated sentence is an isolated run)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.followup_views import story_line
from bot.formatting import (
    BriefingItem,
    Source,
    age_text,
    briefing_header,
    more_stories_text,
    render_briefing,
    render_item,
    visible,
)
from bot.handlers.followups import ITEM_NUMBER
from bot.i18n import FSI, PDI, num, resolve, supported, use_language
from storage.search import StoryHit

MONDAY = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
ITEM = BriefingItem(
    story_id=7,
    topic="Tech",
    title="Chip plant opens",
    sentences=("The plant employs 3,000 people.",),
    sources=(Source("Daily Example", "https://daily.example/a"), Source("Wire", "https://w/b")),
    source_count=3,
    age="25 min ago",
)


@pytest.mark.parametrize(
    ("code", "language"),
    [("pt-BR", "pt"), ("uk", "uk"), ("DE", "de"), ("fa_IR", "fa"), ("en-GB", "en")],
)
def test_telegram_language_codes_pick_their_catalogue(code: str, language: str) -> None:
    assert supported(code) == language


@pytest.mark.parametrize("code", ["it", "zh-hans", "", None, "xx-YY"])
def test_a_language_without_a_catalogue_is_english(code: str | None) -> None:
    assert supported(code) is None
    assert resolve(code) == "en"


def test_english_is_the_source_and_stays_as_it_was() -> None:
    with use_language("en"):
        assert briefing_header(MONDAY, "UTC", 3) == (
            "📰 <b>Your briefing · Monday 2 March 2026</b>\n<i>07:30 UTC · 3 stories</i>"
        )
        item = render_item(1, ITEM)
        assert FSI not in item and PDI not in item
        assert more_stories_text(12) == "➕ 12 more stories: /briefing"


@pytest.mark.parametrize(
    ("count", "stories"),
    [
        (1, "1 новость"),
        (2, "2 новости"),
        (5, "5 новостей"),
        (11, "11 новостей"),
        (21, "21 новость"),
    ],
)
def test_russian_counts_stories_in_its_three_forms(count: int, stories: str) -> None:
    with use_language("ru"):
        assert f"· {stories}</i>" in briefing_header(MONDAY, "UTC", count)


@pytest.mark.parametrize(
    ("days", "arabic"),
    [(2, "منذ يومين"), (3, "منذ 3 أيام"), (11, "منذ 11 يومًا"), (100, "منذ 100 يوم")],
)
def test_arabic_days_take_their_plural_form(days: int, arabic: str) -> None:
    with use_language("ar"):
        shown = age_text(days * 86400).replace(FSI, "").replace(PDI, "")
    assert shown == arabic


def test_the_cache_keeps_each_language_apart() -> None:
    """The same header and item, rendered for chats of three languages in turn (as a fan-out
    does), come out in each chat's own language every time."""
    seen = {}
    for _round in range(2):
        for language in ("en", "de", "fr", "en"):
            with use_language(language):
                rendered = briefing_header(MONDAY, "Europe/Berlin", 2) + render_item(3, ITEM)
            assert seen.setdefault(language, rendered) == rendered
    assert "Your briefing · Monday" in seen["en"] and "3 sources" in seen["en"]
    assert "Dein Briefing · Montag, 2. März 2026" in seen["de"] and "3 Quellen" in seen["de"]
    assert "Votre briefing · lundi 2 mars 2026" in seen["fr"] and "3 sources" in seen["fr"]


def test_numbers_and_dates_follow_the_locale() -> None:
    with use_language("de"):
        assert num(1234.5) == "1.234,5"
        assert "2. März 2026" in story_line(1, StoryHit(1, "Titel", MONDAY, 4))
    with use_language("fr"):
        assert num(1234.5) == "1\u202f234,5"


def test_an_arabic_item_isolates_numbers_names_and_links() -> None:
    """The rule (docs/bot.md, Languages): in a right-to-left language every value set into a
    translated sentence, and every outlet, link and numbered title of an item, is a run of its
    own between FSI and PDI, so "3" stays with "مصادر" and a Latin name does not pull the
    separators around it to the wrong side."""
    with use_language("ar"):
        text = render_item(1, ITEM)
        (part,) = render_briefing(None, [ITEM])
    lines = text.split("\n")
    assert lines[0] == f"<b>{FSI}1. Chip plant opens{PDI}</b>"
    assert lines[2].startswith(f'🔗 {FSI}<a href="https://daily.example/a">Daily Example</a>{PDI}')
    assert f"— {FSI}3{PDI} مصادر · {FSI}25 min ago{PDI}" in lines[2]
    assert part.buttons == ((("المزيد #1", "more:7"),),)
    # Isolates come in pairs, never around a line break, and never inside markup.
    for line in visible(part.text).split("\n"):
        assert line.count(FSI) == line.count(PDI)
    assert f"{FSI}>" not in part.text and f'"{FSI}' not in part.text


def test_a_reply_quoting_an_arabic_item_still_finds_its_number() -> None:
    with use_language("ar"):
        (part,) = render_briefing(None, [ITEM, ITEM])
    plain = visible(part.text)
    assert [int(n) for n in ITEM_NUMBER.findall(plain)] == [1, 2]
