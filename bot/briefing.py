"""Building briefings from the database: which stories each subscriber gets, rendered once.

A story is news while its newest article's publication time (`articles.news_at`) is within
`NEWS_MAX_AGE_HOURS`: what was already older than that when it was first seen is never briefed,
and what a briefing had to leave out stays eligible, ageing out by its own time. A chat is
offered each story once, and again only as an "Update" when an independent report has joined it
since; what counts as shown is what was delivered (a part Telegram refused shows nothing), and
what a briefing still on its way holds is promised, so a second /briefing does not repeat it.
Each followed topic gets a fair share of the items (`bot.ranking.fair_share`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.constants import ChatType

from bot.formatting import (
    BriefingItem,
    MessagePart,
    Source,
    age_text,
    briefing_header,
    dump_parts,
    load_parts,
    more_stories_text,
    nothing_new_text,
    render_briefing,
    render_with_lead_image,
)
from bot.i18n import _, use_language
from bot.personal import NO_RULES, PersonalRules, follow_heading
from bot.ranking import Offer, fair_share, importance
from bot.settings import Settings
from bot.slots import local_now
from storage import briefings as store
from storage import preferences
from storage.db import Database
from storage.deliveries import MANUAL, ClaimedDelivery

MAX_SENTENCES = 3
RECENT_CACHE_SECONDS = 30.0


class BriefingBuilder:
    """Chooses and renders the briefing of each claimed delivery, a batch at a time."""

    def __init__(self, db: Database, settings: Settings, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self._recent_cache: tuple[datetime, list[store.RecentStory]] | None = None

    async def build(self, rows: Sequence[ClaimedDelivery]) -> dict[int, str | None]:
        """Render and store the payload of every row; returns delivery id -> payload (None:
        nothing new, the row was closed as 'empty')."""
        if not rows:
            return {}
        now = self.clock()
        news_since = now - timedelta(hours=self.settings.news_max_age_hours)
        subscribers = {row.subscriber_id for row in rows}
        async with self.db.session() as session:
            # Promised before seen: a part delivered meanwhile moves its stories from one to
            # the other in one commit, and each statement may see a newer commit than the
            # last (read committed), so this order can never miss a story in between.
            promised = _promised(
                await store.promised_payloads(session, subscribers, [r.id for r in rows])
            )
            followed = await store.subscriptions_of(session, subscribers)
            titles = await store.topic_titles(session)
            phrases: dict[int, str] = {}  # a followed phrase's pseudo-topic -> its words
            topic_ids = set().union(*followed.values()) if followed else set()
            found = await store.candidates(session, topic_ids, news_since)
            filters = {
                sid: PersonalRules.of(entries)
                for sid, entries in (await preferences.filters_of(session, subscribers)).items()
            }
            follows = any(rules.follows for rules in filters.values())
            recent = await self._recent(session, news_since, now) if follows else []
            story_ids = {c.story_id for c in found} | {r.story_id for r in recent}
            mutes = any(rules.mutes for rules in filters.values())
            texts = await store.story_texts(session, story_ids) if mutes else {}
            seen = await store.seen_stories(session, subscribers, story_ids)
            reports = await store.latest_reports(session, story_ids)
            choices: dict[int, tuple[list[Offer], int]] = {}
            for row in rows:
                rules = filters.get(row.subscriber_id, NO_RULES)
                candidates = [*found, *rules.followed_candidates(recent)]
                offers = self._offers(
                    row.subscriber_id,
                    candidates,
                    followed.get(row.subscriber_id, set()) | rules.follow_ids,
                    seen,
                    reports,
                    promised[row.subscriber_id],
                    now,
                )
                offers = rules.without_muted(offers, texts)
                limit = row.options.items or self.settings.briefing_max_items
                choices[row.id] = fair_share(offers, limit)
                phrases.update(rules.phrases)
                # A second row of the same chat in this batch must not repeat these.
                promised[row.subscriber_id].update(o.story_id for o in choices[row.id][0])
            cards = await store.story_cards(
                session, {o.story_id for chosen, _ in choices.values() for o in chosen}
            )
            results = []
            for row in rows:
                # Each chat's briefing in its own language: every text below reads it.
                with use_language(row.language):
                    results.append(
                        self._render(row, *choices[row.id], cards, titles, phrases, now)
                    )
            await store.save_briefings(session, results)
        return {result.delivery_id: result.payload for result in results}

    async def _recent(
        self, session: AsyncSession, news_since: datetime, now: datetime
    ) -> list[store.RecentStory]:
        """Every story that is news, for /follow phrases; kept RECENT_CACHE_SECONDS, since a
        fan-out builds hundreds of batches and one chat with a phrase in each would otherwise
        read them all again each time."""
        cached = self._recent_cache
        if cached is not None and 0 <= (now - cached[0]).total_seconds() < RECENT_CACHE_SECONDS:
            return cached[1]
        recent = await store.recent_stories(session, news_since)
        self._recent_cache = (now, recent)
        return recent

    def _offers(
        self,
        subscriber_id: int,
        found: Sequence[store.Candidate],
        topics: set[int],
        seen: dict[tuple[int, int], store.Seen],
        reports: dict[int, datetime],
        promised: set[int],
        now: datetime,
    ) -> list[Offer]:
        """The stories this chat may be shown now, each placed in one followed topic."""
        by_story: dict[int, list[store.Candidate]] = defaultdict(list)
        for candidate in found:
            if candidate.topic_id in topics and candidate.story_id not in promised:
                by_story[candidate.story_id].append(candidate)
        offers = []
        for story_id, rows in by_story.items():
            before = seen.get((subscriber_id, story_id))
            # Shown before: again only when an independent report has joined since (a copy
            # of one already there, exact or edited, is not news).
            is_update = before is not None
            if before is not None and reports.get(story_id, before.sent_at) <= before.sent_at:
                continue
            # A feed's own topic first, then a keyword match; a chat's own /follow words
            # place a story only when none of its topics carries it.
            home = max(rows, key=lambda c: (c.topic_id > 0, c.via_feed, c.news_at, -c.topic_id))
            news_at = max(c.news_at for c in rows)
            age_hours = (now - news_at).total_seconds() / 3600
            matches = len({c.topic_id for c in rows})
            count = rows[0].source_count
            offers.append(
                Offer(
                    story_id=story_id,
                    topic_id=home.topic_id,
                    news_at=news_at,
                    source_count=count,
                    is_update=is_update,
                    score=importance(count, age_hours, matches, weight=max(c.weight for c in rows)),
                    rank=importance(count, age_hours, matches),
                )
            )
        return offers

    def _render(
        self,
        row: ClaimedDelivery,
        chosen: list[Offer],
        left: int,
        cards: dict[int, store.StoryCard],
        titles: dict[int, str],
        phrases: dict[int, str],
        now: datetime,
    ) -> store.SavedBriefing:
        """The row's briefing in the current language (the chat's, set by the caller)."""
        chosen = [o for o in chosen if o.story_id in cards]
        if not chosen:
            payload = dump_parts([MessagePart(nothing_new_text())]) if row.kind == MANUAL else None
            return store.SavedBriefing(row.id, payload)
        sentences = row.options.sentences
        if sentences is None:
            sentences = self.settings.summary_sentences
        items = [
            story_item(
                cards[o.story_id],
                _heading(o.topic_id, titles, phrases),
                now,
                sentences,
                news_at=o.news_at,
                is_update=o.is_update,
            )
            for o in chosen
        ]
        moment = now if row.kind == MANUAL else row.slot_at
        header = briefing_header(
            local_now(moment, row.timezone),
            row.timezone,
            len(items),
            channel=row.chat_type == ChatType.CHANNEL,
        )
        footer = more_stories_text(left) if left else None
        top = cards[chosen[0].story_id]
        if row.options.lead_image and top.image_url:
            parts = render_with_lead_image(header, items, top.image_url, footer=footer)
        else:
            parts = render_briefing(header, items, footer=footer)
            if row.options.link_preview and top.sources:
                parts[0] = replace(parts[0], preview_url=top.sources[0].url)
        return store.SavedBriefing(row.id, dump_parts(parts))


def story_item(
    card: store.StoryCard,
    topic: str,
    now: datetime,
    sentences: int,
    *,
    news_at: datetime,
    is_update: bool = False,
) -> BriefingItem:
    """A story as a briefing item: its title, the first `sentences` of its summary (at most
    MAX_SENTENCES; 0: the headline alone), its sources, and how old its news is."""
    lines = [line.strip() for line in card.summary.splitlines() if line.strip()]
    limit = max(min(sentences, MAX_SENTENCES), 0)
    return BriefingItem(
        story_id=card.id,
        topic=topic,
        title=card.title,
        sentences=tuple(lines[:limit]),
        sources=tuple(Source(s.name, s.url) for s in card.sources),
        source_count=max(card.source_count, len(card.sources)),
        is_update=is_update,
        age=age_text((now - news_at).total_seconds()),
    )


def _heading(topic_id: int, titles: dict[int, str], phrases: dict[int, str]) -> str:
    """The heading of a topic's items: its title, or a followed phrase's "Following …"."""
    if topic_id in phrases:
        return follow_heading(phrases[topic_id])
    return titles.get(topic_id) or _("News")


def _promised(payloads: Sequence[tuple[int, str, int]]) -> defaultdict[int, set[int]]:
    """Per chat, the stories of the parts of its built deliveries not yet delivered."""
    promised: defaultdict[int, set[int]] = defaultdict(set)
    for subscriber_id, payload, parts_sent in payloads:
        for part in load_parts(payload)[parts_sent:]:
            promised[subscriber_id].update(story_id for story_id, _ in part.stories)
    return promised
