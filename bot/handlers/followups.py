"""Follow-up handlers: /more <topic>, /search <words>, questions in plain text, story details.

A question is answered from the database's own full-text search over recent articles
(`storage.search`) and a query-focused extractive answer (`summarizer.answer`) citing its
sources. A reply to a briefing asks about that briefing's stories first.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.context import services
from bot.cpu import CpuRunner
from bot.followup_views import (
    RELATED_LABEL,
    answer_text,
    expand_keyboard,
    no_question_text,
    nothing_found_text,
    search_results_text,
    small_talk_text,
    topic_stories_text,
    which_story_text,
)
from bot.handlers.common import reply, rest_of_message
from bot.i18n import current_language
from bot.smalltalk import is_small_talk
from bot.views import MORE_CALLBACK, story_text
from storage.briefings import StoryCard, story_card
from storage.db import Database
from storage.search import (
    ArticleHit,
    search_articles,
    search_stories,
    story_articles,
    topic_stories,
)
from storage.sources import source_label
from storage.topics import get_topic, list_topics
from summarizer.answer import answer_question
from summarizer.language import detect_language
from summarizer.multidoc import StoryArticle, story_sentences
from summarizer.words import query_terms

# "Recent" for questions and /search: older news is rarely what a follow-up is about.
SEARCH_LOOKBACK = timedelta(days=30)
ANSWER_SOURCES = 6  # articles an answer is drawn from
ANSWER_SENTENCES = 4
SEARCH_RESULTS = 8
MORE_SENTENCES, MIN_MORE_SENTENCES = 6, 5
RELATED_STORIES = 3
# An item's "3. Title" line, after an "🔄 Update:" badge in any language and the directional
# isolate a right-to-left briefing puts around it.
ITEM_NUMBER = re.compile(r"^(?:🔄[^\n\d]*)?[\u2066-\u2069\u200e\u200f]*(\d+)\. ", re.M)


async def more_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/more <topic>: that topic's latest stories; /more <question>: an answer from recent
    articles, citing them."""
    question = rest_of_message(update)
    app = services(context)
    if not question:
        await reply(update, no_question_text(await _topic_titles(app.db)))
        return
    async with app.db.session() as session:
        topic = await get_topic(session, question)
        stories = (
            await topic_stories(
                session,
                topic.id,
                since=app.clock() - timedelta(hours=app.settings.news_max_age_hours),
                limit=SEARCH_RESULTS,
            )
            if topic is not None
            else []
        )
    if topic is not None:
        await reply(update, topic_stories_text(topic.title, stories), expand_keyboard(stories))
        return
    await answer_in_chat(update, context, question)


async def question_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Plain text in a private chat is a question (small talk gets how to ask); a reply to a
    briefing asks about its stories: the one it quotes, else all of them, and "tell me more"
    without a subject asks which one."""
    message = update.effective_message
    if message is None or not message.text:
        return
    if is_small_talk(message.text):
        app = services(context)
        await reply(update, small_talk_text(await _topic_titles(app.db)))
        return
    story_ids = replied_story_ids(message)
    quoted = quoted_story_id(message)
    if quoted is not None:
        story_ids = [quoted]
    subject = query_terms(message.text, await question_language(message.text))
    if len(story_ids) > 1 and not subject:
        await reply(update, which_story_text(), which_story_keyboard(message))
        return
    if len(story_ids) == 1 and not subject:
        app = services(context)
        details = await story_details(app.db, app.cpu, story_ids[0], app.clock())
        if details is not None:
            await reply(update, *details)
            return
    await answer_in_chat(update, context, message.text, story_ids)


async def group_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group, a reply to one of the bot's own messages is a question to the bot."""
    message = update.effective_message
    original = message.reply_to_message if message is not None else None
    author = original.from_user if original is not None else None
    if author is not None and author.id == context.bot.id:
        await question_message(update, context)


async def search_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/search <words>: matching stories (title, date, sources) with buttons to expand each."""
    query = rest_of_message(update)
    app = services(context)
    language = await question_language(query)
    terms = query_terms(query, language)
    if not terms:
        await reply(update, no_question_text(await _topic_titles(app.db)))
        return
    async with app.db.session() as session:
        stories = await search_stories(
            session,
            terms,
            since=app.clock() - SEARCH_LOOKBACK,
            limit=SEARCH_RESULTS,
            language=language,
        )
    if not stories:
        await reply(update, nothing_found_text(query, await _topic_titles(app.db)))
        return
    await reply(update, search_results_text(query, stories), expand_keyboard(stories))


def quoted_story_id(message: Message) -> int | None:
    """The story whose item the reply quotes (Telegram's quote of a part of the briefing)."""
    original = message.reply_to_message
    quote = message.quote.text if message.quote is not None else ""
    if original is None or not quote or not original.text:
        return None
    where = original.text.find(quote.strip())
    if where < 0:
        return None
    numbers = [int(n) for n in ITEM_NUMBER.findall(original.text[: where + 1])]
    if not numbers:
        return None
    buttons = more_buttons(original)
    return buttons.get(numbers[-1])


def more_buttons(message: Message) -> dict[int, int]:
    """A briefing message's "More #n" buttons: item number -> story id."""
    markup = message.reply_markup
    found: dict[int, int] = {}
    for row in markup.inline_keyboard if markup is not None else ():
        for button in row:
            data, label = button.callback_data, button.text
            number = label.rsplit("#", 1)[-1]
            if isinstance(data, str) and data.startswith(MORE_CALLBACK) and number.isdigit():
                suffix = data.removeprefix(MORE_CALLBACK)
                if suffix.isdigit():
                    found[int(number)] = int(suffix)
    return found


def which_story_keyboard(message: Message) -> InlineKeyboardMarkup | None:
    """The replied briefing's "More" buttons again, under the question which story is meant."""
    original = message.reply_to_message
    markup = original.reply_markup if original is not None else None
    return markup if isinstance(markup, InlineKeyboardMarkup) else None


def replied_story_ids(message: Message) -> list[int]:
    """The stories of the briefing message this message replies to (from its More buttons)."""
    original = message.reply_to_message
    markup = original.reply_markup if original is not None else None
    if markup is None:
        return []
    ids: list[int] = []
    for row in markup.inline_keyboard:
        for button in row:
            data = button.callback_data
            if isinstance(data, str) and data.startswith(MORE_CALLBACK):
                suffix = data.removeprefix(MORE_CALLBACK)
                if suffix.isdigit():
                    ids.append(int(suffix))
    return ids


async def answer_in_chat(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    question: str,
    story_ids: Sequence[int] = (),
) -> None:
    """Search, answer and reply; "nothing found" with topic suggestions when nothing matches."""
    app = services(context)
    text = await followup_answer(app.db, app.cpu, question, app.clock(), story_ids)
    await reply(update, text)


async def question_language(text: str) -> str:
    """The language a question is written in: told from its words, the chat's interface
    language deciding when they are too few to say. In a thread: the first call loads the
    language model (half a second), which must not stall the event loop."""
    chat = current_language()
    found = await asyncio.to_thread(detect_language, text, hint=chat)
    return found or chat


def _story_articles(hits: Sequence[ArticleHit]) -> list[StoryArticle]:
    return [StoryArticle(source_label(h.source_name, h.url), h.title, h.text) for h in hits]


async def followup_answer(
    db: Database, cpu: CpuRunner, question: str, now: datetime, story_ids: Sequence[int] = ()
) -> str:
    """The HTML answer to `question` (within `story_ids` first, if given) from recent news,
    searched in the question's own language."""
    language = await question_language(question)
    terms = query_terms(question, language)
    async with db.session() as session:
        hits: list[ArticleHit] = []
        if story_ids:
            hits = (
                await search_articles(
                    session,
                    terms,
                    story_ids=story_ids,
                    match="any",
                    limit=ANSWER_SOURCES,
                    language=language,
                )
                if terms
                else await story_articles(session, story_ids, limit=ANSWER_SOURCES)
            )
        if not hits and terms:
            hits = await search_articles(
                session, terms, since=now - SEARCH_LOOKBACK, limit=ANSWER_SOURCES, language=language
            )
    if not hits:
        topics = await _topic_titles(db)
        return nothing_found_text(question, topics) if terms else no_question_text(topics)
    # Pooling six articles is tens of milliseconds of CPU: never on the event loop.
    sentences = await cpu.run(answer_question, question, _story_articles(hits), ANSWER_SENTENCES)
    if not sentences:  # nothing in them is about the question: no unrelated news instead
        return nothing_found_text(question, await _topic_titles(db))
    return answer_text(question, sentences, hits)


async def story_details(
    db: Database, cpu: CpuRunner, story_id: int, now: datetime
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """The "More" view of a story: longer pooled summary, all sources, related stories."""
    async with db.session() as session:
        card = await story_card(session, story_id)
        if card is None:
            return None
        articles = await story_articles(session, [story_id])
        related = await search_stories(
            session,
            query_terms(card.title),
            since=now - SEARCH_LOOKBACK,
            limit=RELATED_STORIES,
            match="any",
            exclude_story_id=story_id,
        )
    pooled = await cpu.run(story_sentences, _story_articles(articles), MORE_SENTENCES)
    text = story_text(card, longer_summary(card, [s.text for s in pooled]), related)
    return text, expand_keyboard(related, label=RELATED_LABEL)


def longer_summary(card: StoryCard, pooled: Sequence[str]) -> list[str]:
    """The pooled sentences (5-7 wanted), topped up from the story's stored summary."""
    chosen = list(pooled)
    if len(chosen) >= MIN_MORE_SENTENCES:
        return chosen
    # Feed-only articles carry little text; the story's own summary fills the gap.
    seen = {" ".join(s.split()) for s in chosen}
    for line in card.summary.splitlines():
        normalized = " ".join(line.split())
        if normalized and normalized not in seen and len(chosen) < MORE_SENTENCES:
            chosen.append(normalized)
            seen.add(normalized)
    return chosen


async def _topic_titles(db: Database) -> list[str]:
    async with db.session() as session:
        return [topic.title for topic, _feeds, _subscribers in await list_topics(session)]
