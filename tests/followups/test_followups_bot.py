"""Acceptance: follow-up questions, /more, /search and the More button, through the fake API."""

from __future__ import annotations

import re

import pytest

from sandbox.fake_bot_api import SentMessage
from storage.search import story_articles
from storage.topics import add_topic
from tests.bot.conftest import RunningBot
from tests.followups.news import CEASEFIRE, FERRY, LIBRARY, Report, add_reported_story

CHAT = 7001


@pytest.fixture
async def world(bot: RunningBot) -> dict[str, int]:
    """Topics World and Local; the ceasefire (3 sources), ferry (2) and library (1) stories."""
    async with bot.db.session() as session:
        await add_topic(session, "World")
        await add_topic(session, "Local")
    now = bot.clock()
    return {
        "ceasefire": await add_reported_story(bot.db, "world", CEASEFIRE, fetched_at=now),
        "ferry": await add_reported_story(bot.db, "local", FERRY, fetched_at=now),
        "library": await add_reported_story(bot.db, "local", LIBRARY, fetched_at=now),
    }


def _answer_sentences(message: SentMessage) -> list[tuple[str, int]]:
    """The bullet sentences of an answer with the source number each cites."""
    found = re.findall(r"^• (.+) \[(\d+)\]$", message.plain_text, flags=re.MULTILINE)
    return [(text, int(number)) for text, number in found]


def _cited_links(message: SentMessage) -> dict[int, str]:
    return {
        int(n): url for n, url in re.findall(r'^\[(\d+)\] <a href="([^"]+)">', message.text, re.M)
    }


def _url_report(url: str, reports: list[Report], urls: list[str]) -> Report:
    return reports[urls.index(url)]


async def _article_urls(bot: RunningBot, story_id: int) -> list[str]:
    async with bot.db.session() as session:
        return [a.url for a in await story_articles(session, [story_id])]


def _well_formed(message: SentMessage) -> None:
    assert len(message.text) <= 4096 and message.link_preview_disabled


async def test_a_question_is_answered_from_matching_articles_with_citations(
    bot: RunningBot, world: dict[str, int]
) -> None:
    (answer,) = await bot.send(CHAT, "What's new on the Valdoria prisoner talks?")
    _well_formed(answer)
    sentences = _answer_sentences(answer)
    links = _cited_links(answer)
    urls = await _article_urls(bot, world["ceasefire"])
    assert sentences and set(links.values()) <= set(urls)
    for text, number in sentences:
        # Each sentence is quoted from the very article it cites.
        assert text in _url_report(links[number], list(CEASEFIRE), urls).paragraphs


async def test_more_command_answers_and_escapes_the_question(
    bot: RunningBot, world: dict[str, int]
) -> None:
    (answer,) = await bot.send(CHAT, "/more ferry strike <night> & pay")
    _well_formed(answer)
    assert "ferry strike <night> & pay" in answer.plain_text
    ferry = {p for r in FERRY for p in r.paragraphs}
    assert _answer_sentences(answer) and all(t in ferry for t, _ in _answer_sentences(answer))
    assert set(_cited_links(answer).values()) <= set(await _article_urls(bot, world["ferry"]))
    usage = await bot.reply_text(CHAT, "/more")
    assert "/more <topic>" in usage and "World" in usage


async def test_an_unmatched_question_gets_nothing_found_and_topic_suggestions(
    bot: RunningBot, world: dict[str, int]
) -> None:
    text = await bot.reply_text(CHAT, "Any news on the moon landing?")
    assert text.startswith("I found no recent news about “Any news on the moon landing?”")
    assert "/more local" in text and "/more world" in text and "/search" in text


async def test_search_lists_matching_stories_with_expand_buttons(
    bot: RunningBot, world: dict[str, int]
) -> None:
    (listing,) = await bot.send(CHAT, "/search talks")
    _well_formed(listing)
    lines = listing.plain_text.splitlines()
    assert "1. Valdoria ceasefire talks resume in Geneva — 2 Mar 2026 · 3 sources" in lines
    assert "2. Ferry crews strike over night shifts — 2 Mar 2026 · 2 sources" in lines
    assert listing.buttons == [
        ("#1", f"more:{world['ceasefire']}"),
        ("#2", f"more:{world['ferry']}"),
    ]
    bot.api.press_button(CHAT, "#1")
    (expanded,) = (await bot.api.wait_for_messages(CHAT, 2))[1:]
    assert expanded.plain_text.startswith("Valdoria ceasefire talks resume in Geneva\n\n")
    assert "Sources (3)" in expanded.plain_text


async def test_more_button_gives_a_longer_pooled_summary_all_sources_and_related(
    bot: RunningBot, world: dict[str, int]
) -> None:
    await bot.send(CHAT, "/start")
    await bot.send(CHAT, "/subscribe world")
    (briefing,) = await bot.send(CHAT, "/briefing")
    assert "3 sources" in briefing.plain_text
    bot.api.press_button(CHAT, "More #1")
    more = (await bot.api.wait_for_messages(CHAT, len(bot.api.messages(CHAT)) + 1))[-1]
    _well_formed(more)
    title, summary, *_ = more.plain_text.split("\n\n")
    assert title == CEASEFIRE[0].title
    pooled = [p for r in CEASEFIRE for p in r.paragraphs if p in summary]
    assert 5 <= len(pooled) <= 7 and len(" ".join(pooled)) == len(summary)
    assert {r.source for r in CEASEFIRE} == {
        r.source for r in CEASEFIRE if any(p in summary for p in r.paragraphs)
    }
    for url in await _article_urls(bot, world["ceasefire"]):
        assert f'<a href="{url}">' in more.text
    assert "Related\n1. Ferry crews strike over night shifts" in more.plain_text
    assert more.buttons == [("Related #1", f"more:{world['ferry']}")]


async def test_a_reply_to_a_briefing_asks_about_its_stories(
    bot: RunningBot, world: dict[str, int]
) -> None:
    assert "Ask me about the news" in await bot.reply_text(CHAT, "tell me more")
    await bot.send(CHAT, "/start")
    await bot.send(CHAT, "/subscribe world")
    (briefing,) = await bot.send(CHAT, "/briefing")
    before = len(bot.api.messages(CHAT))
    bot.api.inject_message(CHAT, "tell me more", reply_to_message_id=briefing.message_id)
    (answer,) = (await bot.api.wait_for_messages(CHAT, before + 1))[before:]
    # A briefing of one story: "tell me more" is that story's longer view, sources and all.
    assert answer.plain_text.startswith("Valdoria ceasefire talks resume in Geneva\n\n")
    ceasefire = {p for r in CEASEFIRE for p in r.paragraphs}
    summary = answer.plain_text.split("\n\n")[1]
    assert any(sentence in summary for sentence in ceasefire)
    # A question with a subject is answered from the story's articles.
    before = len(bot.api.messages(CHAT))
    bot.api.inject_message(
        CHAT, "what about the prisoner exchange?", reply_to_message_id=briefing.message_id
    )
    (answer,) = (await bot.api.wait_for_messages(CHAT, before + 1))[before:]
    assert _answer_sentences(answer) and all(t in ceasefire for t, _ in _answer_sentences(answer))


async def test_groups_answer_commands_but_not_every_message(
    bot: RunningBot, world: dict[str, int]
) -> None:
    group = -7002
    bot.api.inject_message(group, "what's new on the ferry strike?", user_id=77)
    (listing,) = await bot.send(group, f"/search@{bot.api.username} ferry", user_id=77)
    assert listing.plain_text.startswith("🔎 Stories about “ferry”")
    assert len(bot.api.messages(group)) == 1
