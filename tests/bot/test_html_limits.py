"""Every message the bot builds is valid Telegram HTML of at most 4096 characters, whatever the
titles and addresses hold: thousands of "&", quotes, "<", lengths on both sides of the limit."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.admin_views import feeds_messages
from bot.followup_views import (
    answer_text,
    no_question_text,
    nothing_found_text,
    search_results_text,
)
from bot.formatting import (
    MAX_MESSAGE,
    BriefingItem,
    Source,
    briefing_header,
    escape,
    render_briefing,
    split_blocks,
    telegram_length,
)
from bot.views import settings_text, story_text, topics_text
from sandbox.telegram_html import parse_telegram_html, visible_text
from storage.briefings import SourceLink, StoryCard
from storage.models import Subscriber, Topic
from storage.search import ArticleHit, StoryHit
from storage.stats import FeedHealth
from storage.subscribers import SubscriberView
from summarizer.pooling import CitedSentence

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def _long_url(length: int = 2020, ampersands: int = 660) -> str:
    """A legal URL of `length` characters holding `ampersands` "&" (each is five in HTML)."""
    start = "https://news.example/story?id=7" + "&a" * (ampersands - 1) + "&q="
    return start + "z" * (length - len(start))


LONG_URL = _long_url()
HOSTILE_URLS = [
    LONG_URL,
    _long_url(2048, 1000),
    "https://x.example/?" + "&" * 4000,
    'https://x.example/"><b>not bold</b><a href="x',
    "https://x.example/<script>&amp;&lt;'\"",
    "https://short.example/a",
]


def _hostile_texts() -> Iterator[str]:
    """Titles and names: every length around the limit, and the characters HTML escapes."""
    for length in (*range(4080, 4110, 3), 1, 59, 64, 200, 2500, 5000):
        yield ("Q&A <b> “quoted” " * 400)[:length]
        yield "&" * length
        yield ("word " * 1000)[:length]
    yield '"><a href="javascript:x">'
    yield "👍" * 2100  # two UTF-16 units each: 4200 as Telegram counts


HOSTILE_TEXTS = list(_hostile_texts())


def assert_valid(text: str) -> None:
    """What Telegram would accept: its HTML, at most 4096 characters, something to read."""
    parse_telegram_html(text)  # raises where Telegram answers "can't parse entities"
    assert telegram_length(text) <= MAX_MESSAGE
    assert visible_text(text).strip()


def _cards() -> Iterator[StoryCard]:
    for text, url in zip(HOSTILE_TEXTS, itertools.cycle(HOSTILE_URLS), strict=False):
        sources = [SourceLink(text[:300], u, text) for u in HOSTILE_URLS]
        yield StoryCard(1, text, text, len(sources), NOW, sources)
        yield StoryCard(2, "Bridge reopens", "It reopened.", 1, NOW, [SourceLink("N", url, "T")])


def test_the_more_view_never_cuts_markup() -> None:
    related = [StoryHit(9, t, NOW, 2) for t in HOSTILE_TEXTS[:3]]
    for card in _cards():
        assert_valid(story_text(card))
        assert_valid(story_text(card, [card.title] * 7, related))


def test_the_long_link_loses_its_address_and_keeps_its_text() -> None:
    card = StoryCard(
        3,
        "Bridge reopens",
        "It reopened.",
        2,
        NOW,
        [
            SourceLink("Long News", LONG_URL, "Long"),
            SourceLink("Short", "https://s.example/1", "S"),
        ],
    )
    text = story_text(card)
    assert_valid(text)
    assert "• Long News — Long" in visible_text(text)
    assert escape(LONG_URL) not in text  # 4,660 characters of HTML: it cannot be a link
    assert '<a href="https://s.example/1">Short</a>' in text  # the others stay links


def test_follow_up_answers_never_cut_markup() -> None:
    for text in HOSTILE_TEXTS:
        hits = [
            ArticleHit(i, 1, text, url, text[:200], text, NOW, 1.0)
            for i, url in enumerate(HOSTILE_URLS)
        ]
        sentences = [CitedSentence(text, i) for i in range(len(hits))]
        assert_valid(answer_text(text, sentences, hits))
        assert_valid(answer_text(text, sentences[:1], hits))
        stories = [StoryHit(n, text, NOW, n) for n in range(1, 9)]
        assert_valid(search_results_text(text, stories))
        assert_valid(nothing_found_text(text, [text] * 8))
        assert_valid(no_question_text([text] * 8))


def test_briefings_feed_lists_topic_lists_and_settings_never_cut_markup() -> None:
    header = briefing_header(NOW, "UTC", 8)
    for text, url in zip(HOSTILE_TEXTS, itertools.cycle(HOSTILE_URLS), strict=False):
        items = [
            BriefingItem(n, text[:90], text, (text,) * 3, (Source(text, url),) * 4, 9)
            for n in range(1, 9)
        ]
        for part in render_briefing(header, items):
            assert_valid(part.text)
        feeds = [
            FeedHealth(n, u, text, text[:64], NOW, 3, text, False, 5)
            for n, u in enumerate(HOSTILE_URLS, start=1)
        ]
        paused = FeedHealth(99, url, None, "t", None, 0, None, True, 0)
        for message, _ in feeds_messages([*feeds, paused], NOW):
            assert_valid(message)
        topics = [Topic(id=n, name=f"{n}-{'x' * 60}", title=text[:200]) for n in range(1, 60)]
        assert_valid(topics_text(topics, {1, 2}))
        subscriber = Subscriber(
            id=1, chat_id=1, status="active", timezone="UTC", last_briefing_at=None
        )
        assert_valid(settings_text(SubscriberView(subscriber, topics, [480]), NOW))


@pytest.mark.parametrize("length", [4095, 4096, 4097, 9000])
def test_splitting_never_cuts_a_line_inside_markup(length: int) -> None:
    link_line = f'<a href="{escape(_long_url(2048, 800))}">{escape("&" * length)}</a>'
    lines = ["<b>Heading</b>", link_line, escape("<&>" * length), "• <i>done</i>"]
    parts = split_blocks(["\n".join(lines)])
    for part in parts:
        assert_valid(part)
    seen = "\n".join(visible_text(part) for part in parts)
    assert "Heading" in seen and "done" in seen
