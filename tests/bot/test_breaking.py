"""Breaking news through the real bot: a story many outlets report within the hour goes at once
to the chats that turned it on, never twice, at most three a day, and not again in a briefing."""

from __future__ import annotations

from datetime import timedelta

from tests.bot.conftest import RunningBot, add_story, add_subscribers, add_topics

ON, OFF = 6101, 6102


def sources(n: int, slug: str) -> list[tuple[str, str]]:
    """`n` independent outlets reporting one story."""
    return [(f"Outlet {k}", f"https://outlet{k}.example/{slug}") for k in range(n)]


async def turn_breaking_on(bot: RunningBot, chat: int) -> None:
    """Open /settings and press the breaking news button."""
    await bot.send(chat, "/settings")
    edits = len(bot.api.calls_to("editMessageText"))
    bot.api.press_button(chat, "Breaking news: off")
    await bot.api.wait_for_calls("editMessageText", edits + 1)


async def tick(bot: RunningBot) -> None:
    """A delivery tick a minute later (no briefing falls due: times are 08:00)."""
    bot.clock.advance(minutes=1)
    await bot.tick_and_deliver()


async def test_a_big_story_goes_at_once_to_the_chats_that_asked_and_only_once(
    bot: RunningBot,
) -> None:
    await add_topics(bot.db, "World")
    await add_subscribers(bot.db, [ON, OFF], topic="world")
    await turn_breaking_on(bot, ON)
    before_on, before_off = len(bot.api.messages(ON)), len(bot.api.messages(OFF))
    await add_story(
        bot.db, "world", "Small story", ["x."], sources(2, "small"), fetched_at=bot.clock()
    )
    await add_story(
        bot.db,
        "world",
        "Earthquake hits the capital",
        ["Buildings collapsed.", "Rescue teams are on the way."],
        sources(6, "quake"),
        fetched_at=bot.clock(),
    )
    await tick(bot)
    (alert,) = bot.api.messages(ON)[before_on:]
    assert alert.plain_text.startswith("⚡ Breaking · 6 sources within the hour")
    assert "Earthquake hits the capital" in alert.plain_text
    assert "Buildings collapsed." in alert.plain_text
    assert "Small story" not in alert.plain_text
    assert len(bot.api.messages(OFF)) == before_off  # off by default

    await tick(bot)
    await tick(bot)
    assert len(bot.api.messages(ON)) == before_on + 1  # never twice
    # The next briefing does not repeat it.
    bot.clock.advance(minutes=1)
    bot.api.inject_message(ON, "/briefing")
    await bot.api.wait_for_messages(ON, before_on + 2)
    await bot.services.worker.run_until_idle()
    briefing = bot.api.messages(ON)[-1].plain_text
    assert "Small story" in briefing and "Earthquake" not in briefing


async def test_late_stale_muted_and_capped_stories_are_not_sent(bot: RunningBot) -> None:
    await add_topics(bot.db, "World")
    await add_subscribers(bot.db, [ON], topic="world")
    await turn_breaking_on(bot, ON)
    await bot.send(ON, "/mute football")
    before = len(bot.api.messages(ON))
    now = bot.clock()
    # Reached many sources, but its first report was two hours ago: no longer breaking.
    await add_story(
        bot.db,
        "world",
        "Old flood",
        ["x."],
        sources(8, "flood"),
        fetched_at=now - timedelta(hours=2),
    )
    await add_story(
        bot.db, "world", "Football final stuns fans", ["y."], sources(8, "final"), fetched_at=now
    )
    for n in range(4):
        await add_story(
            bot.db, "world", f"Big story {n}", ["z."], sources(5 + n, f"big{n}"), fetched_at=now
        )
    await tick(bot)
    alerts = [m.plain_text for m in bot.api.messages(ON)[before:]]
    assert len(alerts) == 3  # NEWSBRIEF_BREAKING_MAX_PER_DAY
    text = "\n".join(alerts)
    assert "Old flood" not in text and "Football" not in text
    # The biggest go first.
    assert "Big story 3" in text and "Big story 2" in text and "Big story 1" in text
    # A day later the cap is free again, but those stories are no longer breaking.
    bot.clock.advance(days=1)
    await tick(bot)
    assert len(bot.api.messages(ON)) == before + 3
