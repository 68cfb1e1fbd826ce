"""Building briefings from the database: which stories each subscriber gets, rendered once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.formatting import (
    BriefingItem,
    MessagePart,
    Source,
    briefing_header,
    dump_parts,
    nothing_new_text,
    render_briefing,
)
from bot.ranking import importance
from bot.settings import Settings
from bot.slots import local_now
from storage import briefings as store
from storage.db import Database
from storage.deliveries import MANUAL, ClaimedDelivery

MAX_SENTENCES = 3


@dataclass(frozen=True)
class _Pick:
    story_id: int
    topic_id: int
    latest_at: datetime
    source_count: int
    is_update: bool
    score: float = 0.0


class BriefingBuilder:
    """Chooses and renders the briefing of each claimed delivery, a batch at a time."""

    def __init__(self, db: Database, settings: Settings, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    async def build(self, rows: Sequence[ClaimedDelivery]) -> dict[int, str | None]:
        """Render and store the payload of every row; returns delivery id -> payload (None:
        nothing new, the row was closed as 'empty')."""
        if not rows:
            return {}
        now = self.clock()
        floor = now - timedelta(hours=self.settings.briefing_lookback_hours)
        since = {row.id: max(row.last_briefing_at or floor, floor) for row in rows}
        async with self.db.session() as session:
            followed = await store.subscriptions_of(session, {r.subscriber_id for r in rows})
            titles = await store.topic_titles(session)
            topic_ids = set().union(*followed.values()) if followed else set()
            found = await store.candidates(session, topic_ids, min(since.values()))
            shown = await store.sent_counts(session, followed.keys(), {c.story_id for c in found})
            picks: dict[int, list[_Pick]] = {}
            for row in rows:
                picks[row.id] = self._choose(
                    row, found, followed.get(row.subscriber_id, set()), since[row.id], shown, now
                )
                for pick in picks[row.id]:  # a second row of the same chat must not repeat it
                    shown[(row.subscriber_id, pick.story_id)] = pick.source_count
            cards = await store.story_cards(
                session, {p.story_id for chosen in picks.values() for p in chosen}
            )
            results = [self._render(row, picks[row.id], cards, titles, now) for row in rows]
            await store.save_briefings(session, results)
        return {result.delivery_id: result.payload for result in results}

    def _choose(
        self,
        row: ClaimedDelivery,
        found: Sequence[store.Candidate],
        topics: set[int],
        since: datetime,
        shown: dict[tuple[int, int], int],
        now: datetime,
    ) -> list[_Pick]:
        by_story: dict[int, list[store.Candidate]] = defaultdict(list)
        for candidate in found:
            if candidate.topic_id in topics and candidate.latest_at > since:
                by_story[candidate.story_id].append(candidate)
        picks = []
        for story_id, matches in by_story.items():
            count = matches[0].source_count
            before = shown.get((row.subscriber_id, story_id))
            if before is not None and before >= count:
                continue  # already shown, and no new source since
            latest = max(m.latest_at for m in matches)
            score = importance(
                count,
                (now - latest).total_seconds() / 3600,
                topic_matches=len({m.topic_id for m in matches}),
                weight=max(m.weight for m in matches),
            )
            picks.append(
                _Pick(
                    story_id,
                    min(m.topic_id for m in matches),
                    latest,
                    count,
                    is_update=before is not None,
                    score=score,
                )
            )
        # Importance (sources, recency, topics, feed weight), then the freshest.
        picks.sort(key=lambda p: (-p.score, -p.latest_at.timestamp(), p.story_id))
        return picks[: self.settings.briefing_max_items]

    def _render(
        self,
        row: ClaimedDelivery,
        picks: list[_Pick],
        cards: dict[int, store.StoryCard],
        titles: dict[int, str],
        now: datetime,
    ) -> store.SavedBriefing:
        picks = [p for p in picks if p.story_id in cards]
        if not picks:
            payload = dump_parts([MessagePart(nothing_new_text())]) if row.kind == MANUAL else None
            return store.SavedBriefing(row.id, row.subscriber_id, payload, (), now)
        items = _group_by_topic(
            [self._item(p, cards[p.story_id], titles.get(p.topic_id, "News")) for p in picks]
        )
        moment = now if row.kind == MANUAL else row.slot_at
        header = briefing_header(local_now(moment, row.timezone), row.timezone, len(items))
        payload = dump_parts(render_briefing(header, items))
        shown = [(p.story_id, p.source_count) for p in picks]
        return store.SavedBriefing(row.id, row.subscriber_id, payload, shown, now)

    def _item(self, pick: _Pick, card: store.StoryCard, topic: str) -> BriefingItem:
        sentences = [line.strip() for line in card.summary.splitlines() if line.strip()]
        limit = min(self.settings.summary_sentences, MAX_SENTENCES)
        return BriefingItem(
            story_id=card.id,
            topic=topic,
            title=card.title,
            sentences=tuple(sentences[:limit]),
            sources=tuple(Source(s.name, s.url) for s in card.sources),
            source_count=max(card.source_count, len(card.sources)),
            is_update=pick.is_update,
        )


def _group_by_topic(items: list[BriefingItem]) -> list[BriefingItem]:
    """Items of one topic together; topics in order of their best item."""
    order: dict[str, int] = {}
    for index, item in enumerate(items):
        order.setdefault(item.topic, index)
    return sorted(items, key=lambda item: order[item.topic])
