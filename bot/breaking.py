"""Breaking news: a story many outlets report within the hour goes at once to the chats that
asked for it (/settings, off by default), never twice, at most a few times a day.

Each delivery tick scans the stories first seen within `breaking_window_minutes` that already
have `breaking_min_sources` sources. A chat gets one when the story is in a topic it follows
(or matches a phrase it follows), no phrase it muted matches it, it was not shown the story
yet, and fewer than `breaking_max_per_day` alerts went to it in the last 24 hours. The alert is
rendered when queued (like a broadcast) and goes through the delivery queue, with its
guarantees: exactly once (the queue's unique slot is the story's first report), resumed after a
restart, within the flood limits; once delivered, the story counts as shown and the next
briefing does not repeat it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.briefing import story_item
from bot.formatting import MessagePart, dump_parts, escape, render_briefing
from bot.i18n import _, ngettext, num, use_language
from bot.personal import PersonalRules
from bot.settings import Settings
from storage import breaking as store
from storage.briefings import StoryCard, story_cards, story_texts
from storage.db import Database
from storage.preferences import filters_of
from storage.subscribers import languages_of

log = logging.getLogger(__name__)


def alert_header(source_count: int, minutes: int) -> str:
    """The first line of an alert (in the current language)."""
    if minutes == 60:
        within = ngettext(
            "{count} source within the hour", "{count} sources within the hour", source_count
        )
    else:
        within = ngettext(
            "{count} source within {minutes} minutes",
            "{count} sources within {minutes} minutes",
            source_count,
            minutes=num(minutes),
        )
    breaking = _("Breaking")
    return f"⚡ <b>{breaking}</b> · <i>{escape(within)}</i>"


class BreakingScanner:
    """Queues breaking alerts; `scan` is safe to repeat and to run in several processes."""

    def __init__(self, db: Database, settings: Settings, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    async def scan(self) -> int:
        """Queue the alerts due now; returns how many were queued."""
        now = self.clock()
        settings = self.settings
        window = timedelta(minutes=settings.breaking_window_minutes)
        queued = 0
        async with self.db.session() as session:
            stories = await store.breaking_stories(
                session, first_seen_since=now - window, min_sources=settings.breaking_min_sources
            )
            if not stories:
                return 0
            readers = await store.breaking_readers(session)
            if not readers:
                return 0
            ids = [reader.subscriber_id for reader in readers]
            story_ids = [story.story_id for story in stories]
            shown = await store.already_shown(session, ids, story_ids)
            sent_today = await store.alerts_since(session, ids, now - timedelta(days=1))
            filters = await filters_of(session, ids)
            languages = await languages_of(session, ids)
            texts = await story_texts(session, story_ids)
            cards = await story_cards(session, story_ids)
            for story in sorted(stories, key=lambda s: (-s.source_count, s.first_seen_at)):
                card = cards.get(story.story_id)
                if card is None:
                    continue
                for reader in readers:
                    if (reader.subscriber_id, story.story_id) in shown:
                        continue
                    if sent_today.get(reader.subscriber_id, 0) >= settings.breaking_max_per_day:
                        continue
                    rules = PersonalRules.of(filters.get(reader.subscriber_id, []))
                    if not self._wanted(story, reader, rules, texts.get(story.story_id)):
                        continue
                    # Rendered now, in the reader's language: the queue sends it as it is.
                    with use_language(languages.get(reader.subscriber_id)):
                        payload = self._render(card, story, reader, now)
                    if await store.enqueue_alert(
                        session, reader.subscriber_id, store.alert_slot(story), payload, now
                    ):
                        queued += 1
                        sent_today[reader.subscriber_id] = (
                            sent_today.get(reader.subscriber_id, 0) + 1
                        )
        if queued:
            log.info("breaking news: %d alerts queued", queued)
        return queued

    @staticmethod
    def _wanted(
        story: store.BreakingStory,
        reader: store.BreakingReader,
        rules: PersonalRules,
        text: tuple[str, str] | None,
    ) -> bool:
        """In a followed topic or phrase, and in no muted phrase."""
        if rules.muted(text):
            return False
        return bool(story.topic_ids & reader.topic_ids) or rules.follows_text(text)

    def _render(
        self,
        card: StoryCard,
        story: store.BreakingStory,
        reader: store.BreakingReader,
        now: datetime,
    ) -> str:
        sentences = reader.options.sentences
        if sentences is None:
            sentences = self.settings.summary_sentences
        item = story_item(card, _("Breaking"), now, sentences, news_at=story.first_seen_at)
        header = alert_header(story.source_count, self.settings.breaking_window_minutes)
        parts: list[MessagePart] = render_briefing(header, [item])
        return dump_parts(parts)
