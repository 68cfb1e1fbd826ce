"""Ranking and feed weights: what goes first in a briefing, and the admin's /feedweight."""

from __future__ import annotations

from bot.ranking import importance
from storage.feeds import add_feed, get_feed
from tests.bot.conftest import ADMIN_ID, RunningBot, add_topics


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
