"""Ranking and feed weights: what goes first in a briefing, and the admin's /feedweight."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.ranking import Offer, fair_share, importance
from storage.feeds import add_feed, get_feed
from tests.bot.conftest import ADMIN_ID, RunningBot, add_topics

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_more_sources_fresher_weightier_rank_higher() -> None:
    assert importance(3, 1) > importance(1, 1)
    assert importance(2, 1) > importance(2, 30)
    assert importance(1, 1, weight=3) > importance(2, 1)
    assert importance(1, 1, topic_matches=2) > importance(1, 1)
    assert importance(5, 1, weight=0) == 0


async def test_feedweight_sets_weight_and_refuses_bad_input(bot: RunningBot) -> None:
    await add_topics(bot.db, "Local")
    url = "https://example.org/rss"
    async with bot.db.session() as session:
        await add_feed(session, "local", url)
    answer = await bot.reply_text(ADMIN_ID, f"/feedweight {url} 2.5")
    assert answer == f"The feed {url} now weighs 2.5."
    async with bot.db.session() as session:
        feed = await get_feed(session, url)
    assert feed is not None and feed.weight == 2.5
    assert (await bot.reply_text(ADMIN_ID, "/feedweight")).startswith("Usage: /feedweight")
    answer = await bot.reply_text(ADMIN_ID, f"/feedweight {url} 99")
    assert answer.startswith("Could not set it: the weight must be between 0 and 10")
    answer = await bot.reply_text(ADMIN_ID, "/feedweight https://nowhere.example/rss 2")
    assert answer.startswith("Could not set it: no feed with URL")


def _offer(story: int, topic: int, score: float, rank: float | None = None) -> Offer:
    return Offer(
        story, topic, NOW - timedelta(hours=1), 1, False, score, score if rank is None else rank
    )


def test_every_followed_topic_gets_its_share_of_a_briefing() -> None:
    world = [_offer(n, 1, 10.0 - n * 0.1) for n in range(10)]  # strong, plentiful
    tech = [_offer(100 + n, 2, 2.0 - n * 0.1) for n in range(3)]
    science = [_offer(200, 3, 1.0)]
    chosen, left = fair_share([*world, *tech, *science], 8)
    by_topic = [o.topic_id for o in chosen]
    assert by_topic.count(2) == 3 and by_topic.count(3) == 1 and by_topic.count(1) == 4
    assert left == 14 - 8
    # Grouped by topic, the topic of the best story first, best first within each.
    assert by_topic == [1, 1, 1, 1, 2, 2, 2, 3]
    assert [o.story_id for o in chosen[:4]] == [0, 1, 2, 3]


def test_a_heavy_feed_orders_its_topic_but_never_jumps_topics() -> None:
    heavy = _offer(1, 1, score=50.0, rank=1.0)  # weight 50 inside World
    tech = _offer(2, 2, score=3.0, rank=3.0)
    chosen, _ = fair_share([heavy, tech], 8)
    assert [o.topic_id for o in chosen] == [2, 1]  # Tech's best story outranks World's
