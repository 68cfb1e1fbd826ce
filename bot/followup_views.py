"""Texts and keyboards of follow-up answers, /search results and "nothing found". Pure."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.formatting import (
    BUTTONS_PER_ROW,
    MAX_MESSAGE,
    bold,
    escape_within,
    first_message,
    fit_line,
    link,
    shorten,
    telegram_length,
)
from bot.i18n import N_, _, isolate, ngettext, short_date
from bot.views import MORE_CALLBACK
from storage.search import ArticleHit, StoryHit
from storage.sources import source_label
from summarizer.pooling import CitedSentence

MAX_QUESTION = 120
MAX_ANSWER_SENTENCE = 500
MAX_SOURCE_LINE = MAX_MESSAGE // 2  # past this a source line loses its link (its text stays)
MAX_TOPIC_EXAMPLE = 60


def answer_text(
    question: str, sentences: Sequence[CitedSentence], sources: Sequence[ArticleHit]
) -> str:
    """The answer: each sentence with the number of its source, then the numbered sources.

    Sentences are dropped from the end until the message fits Telegram's limit; a source line
    that would take more than half of it shows its text without the link.
    """
    sentences = list(sentences)
    while True:
        numbers: dict[int, int] = {}
        for sentence in sentences:
            numbers.setdefault(sentence.source, len(numbers) + 1)
        lines = [f"🔎 <b>{isolate(_question(question))}</b>", ""]
        lines += [
            f"• {escape_within(shorten(s.text, MAX_ANSWER_SENTENCE), MAX_ANSWER_SENTENCE * 2)} "
            f"[{numbers[s.source]}]"
            for s in sentences
        ]
        lines += ["", bold(_("Sources"))]
        for index, number in numbers.items():
            hit = sources[index]
            name = escape_within(shorten(source_label(hit.source_name, hit.url), 60), 120)
            title = escape_within(shorten(hit.title, 150), 300)
            line = f"[{number}] {isolate(link(hit.url, name))} — {isolate(title)}"
            lines.append(fit_line(line, MAX_SOURCE_LINE))
        text = "\n".join(lines)
        if telegram_length(text) <= MAX_MESSAGE:
            return text
        if len(sentences) <= 1:
            return first_message(lines)
        sentences.pop()


def nothing_found_text(question: str, topic_titles: Sequence[str]) -> str:
    """No recent article matches: say so and suggest what to ask about."""
    lines = [_("I found no recent news about “{question}”.", question=_question(question))]
    if topic_titles:
        examples = ", ".join(isolate(f"/more {_topic(t.lower())}") for t in topic_titles[:8])
        lines.append(_("Try a topic I follow: {examples}.", examples=examples))
    lines.append(_("Or try other words with /search. Send /help to see all commands."))
    return "\n".join(lines)


def small_talk_text(topic_titles: Sequence[str]) -> str:
    """The answer to "hi", "thanks", "ok": a friendly word and how to ask."""
    return "🙂 " + no_question_text(topic_titles)


def which_story_text() -> str:
    """A reply asked for more about a briefing of several stories without saying which."""
    return _("Which story would you like to know more about? Tap its button.")


def topic_stories_text(topic: str, stories: Sequence[StoryHit]) -> str:
    """/more <topic>: the topic's latest stories, numbered like their buttons."""
    if not stories:
        return _(
            "Nothing new in {topic} lately. Send /briefing for your news, or ask me about "
            "something in a few words.",
            topic=_topic(topic),
        )
    latest = _("Latest in {topic}", topic=_topic(topic))
    lines = [f"📰 <b>{latest}</b>", ""]
    lines += [story_line(n, story) for n, story in enumerate(stories, start=1)]
    lines += ["", _("Tap a number for the longer summary and all sources.")]
    return "\n".join(lines)


def no_question_text(topic_titles: Sequence[str]) -> str:
    """The message had no words to search for: explain how to ask."""
    lines = [
        _(
            "Ask me about the news in a few words, e.g. “what's new on the bridge repairs?”, "
            "or use /more &lt;topic&gt; and /search &lt;words&gt;."
        )
    ]
    if topic_titles:
        titles = ", ".join(isolate(_topic(t)) for t in topic_titles[:8])
        lines.append(_("Topics: {names}.", names=titles))
    lines.append(_("Send /help to see all commands, or /briefing for the news."))
    return "\n".join(lines)


def story_line(number: int, story: StoryHit) -> str:
    """'3. Title — 2 Mar · 4 sources'."""
    sources = ngettext("{count} source", "{count} sources", story.source_count)
    when = isolate(short_date(story.first_seen_at))
    # 200 visible characters; at most 350 of HTML, so eight lines always fit one message.
    title = escape_within(shorten(story.title, 200), 350)
    return f"{isolate(f'{number}. {title}')} — {when} · {sources}"


def _question(question: str) -> str:
    return escape_within(shorten(question, MAX_QUESTION), MAX_QUESTION * 5)


def _topic(title: str) -> str:
    return escape_within(shorten(title, MAX_TOPIC_EXAMPLE), MAX_TOPIC_EXAMPLE * 5)


def search_results_text(query: str, stories: Sequence[StoryHit]) -> str:
    """The /search answer: matching stories, numbered like their Expand buttons."""
    if not stories:
        return ""
    about = _("Stories about “{query}”", query=_question(query))
    lines = [f"🔎 <b>{about}</b>", ""]
    lines += [story_line(n, story) for n, story in enumerate(stories, start=1)]
    lines += ["", _("Tap a number for the longer summary and all sources.")]
    return first_message(lines)


RELATED_LABEL = N_("Related #")


def expand_keyboard(stories: Sequence[StoryHit], label: str = "#") -> InlineKeyboardMarkup | None:
    """One button per story (`label` and its number: "#3", "Related #3", the label in the
    current language), opening the same view as a briefing item's "More" button."""
    shown = label if label == "#" else _(label)
    buttons = [
        InlineKeyboardButton(f"{shown}{n}", callback_data=f"{MORE_CALLBACK}{story.id}")
        for n, story in enumerate(stories, start=1)
    ]
    if not buttons:
        return None
    rows = [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    return InlineKeyboardMarkup(rows)
