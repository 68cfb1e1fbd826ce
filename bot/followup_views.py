"""Texts and keyboards of follow-up answers, /search results and "nothing found". Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.formatting import (
    BUTTONS_PER_ROW,
    MAX_MESSAGE,
    escape,
    escape_attribute,
    shorten,
    telegram_length,
)
from bot.views import MORE_CALLBACK
from storage.search import ArticleHit, StoryHit
from storage.sources import source_label
from summarizer.pooling import CitedSentence

MAX_QUESTION = 120
MAX_ANSWER_SENTENCE = 500


def answer_text(
    question: str, sentences: Sequence[CitedSentence], sources: Sequence[ArticleHit]
) -> str:
    """The answer: each sentence with the number of its source, then the numbered sources.

    Sentences are dropped from the end until the message fits Telegram's limit.
    """
    sentences = list(sentences)
    while True:
        numbers: dict[int, int] = {}
        for sentence in sentences:
            numbers.setdefault(sentence.source, len(numbers) + 1)
        lines = [f"🔎 <b>{escape(shorten(question, MAX_QUESTION))}</b>", ""]
        lines += [
            f"• {escape(shorten(s.text, MAX_ANSWER_SENTENCE))} [{numbers[s.source]}]"
            for s in sentences
        ]
        lines += ["", "<b>Sources</b>"]
        for index, number in numbers.items():
            hit = sources[index]
            name = escape(shorten(source_label(hit.source_name, hit.url), 60))
            lines.append(
                f'[{number}] <a href="{escape_attribute(hit.url)}">{name}</a> — '
                f"{escape(shorten(hit.title, 150))}"
            )
        text = "\n".join(lines)
        if telegram_length(text) <= MAX_MESSAGE or len(sentences) <= 1:
            return text if telegram_length(text) <= MAX_MESSAGE else text[:MAX_MESSAGE]
        sentences.pop()


def nothing_found_text(question: str, topic_titles: Sequence[str]) -> str:
    """No recent article matches: say so and suggest what to ask about."""
    lines = [f"I found no recent news about “{escape(shorten(question, MAX_QUESTION))}”."]
    if topic_titles:
        examples = ", ".join(f"/more {escape(t.lower())}" for t in topic_titles[:8])
        lines.append(f"Try a topic I follow: {examples}.")
    lines.append("Or try other words with /search. Send /help to see all commands.")
    return "\n".join(lines)


def no_question_text(topic_titles: Sequence[str]) -> str:
    """The message had no words to search for: explain how to ask."""
    lines = [
        "Ask me about the news in a few words, e.g. “what's new on the bridge repairs?”, "
        "or use /more &lt;topic&gt; and /search &lt;words&gt;."
    ]
    if topic_titles:
        lines.append("Topics: " + ", ".join(escape(t) for t in topic_titles[:8]) + ".")
    lines.append("Send /help to see all commands, or /briefing for the news.")
    return "\n".join(lines)


def story_line(number: int, story: StoryHit) -> str:
    """'3. Title — 2 Mar · 4 sources'."""
    sources = "1 source" if story.source_count == 1 else f"{story.source_count} sources"
    when = _day(story.first_seen_at)
    return f"{number}. {escape(shorten(story.title, 200))} — {when} · {sources}"


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y}"


def search_results_text(query: str, stories: Sequence[StoryHit]) -> str:
    """The /search answer: matching stories, numbered like their Expand buttons."""
    if not stories:
        return ""
    lines = [f"🔎 <b>Stories about “{escape(shorten(query, MAX_QUESTION))}”</b>", ""]
    lines += [story_line(n, story) for n, story in enumerate(stories, start=1)]
    lines += ["", "Tap a number for the longer summary and all sources."]
    return "\n".join(lines)


def expand_keyboard(stories: Sequence[StoryHit], label: str = "#") -> InlineKeyboardMarkup | None:
    """One button per story, opening the same view as a briefing item's "More" button."""
    buttons = [
        InlineKeyboardButton(f"{label}{n}", callback_data=f"{MORE_CALLBACK}{story.id}")
        for n, story in enumerate(stories, start=1)
    ]
    if not buttons:
        return None
    rows = [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    return InlineKeyboardMarkup(rows)
