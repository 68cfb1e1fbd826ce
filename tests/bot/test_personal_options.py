"""A chat's own choices, through the real bot: /follow and /mute phrases, and the /settings
buttons for items, sentences, silence, link previews and the lead image."""

from __future__ import annotations

from sqlalchemy import update

from sandbox.fake_bot_api import SentMessage
from storage.models import Article
from tests.bot.conftest import (
    RunningBot,
    add_story,
    add_subscribers,
    add_topics,
    briefing,
    items,
)

CHAT = 5151


async def press(bot: RunningBot, label: str, chat: int = CHAT) -> SentMessage:
    """Press a button of the newest message that has it; returns that message, redrawn."""
    calls = len(bot.api.calls_to("answerCallbackQuery"))
    bot.api.press_button(chat, label)
    await bot.api.wait_for_calls("answerCallbackQuery", calls + 1)
    await bot.api.wait_for_calls("editMessageText", 1)
    return next(m for m in reversed(bot.api.messages(chat)) if "Your settings" in m.plain_text)


async def test_a_followed_phrase_brings_stories_from_topics_the_chat_does_not_follow(
    bot: RunningBot,
) -> None:
    await add_topics(bot.db, "World", "Business")
    await add_subscribers(bot.db, [CHAT], topic="world")
    now = bot.clock()
    await add_story(bot.db, "world", "Summit opens in Geneva", ["Leaders met."], fetched_at=now)
    await add_story(
        bot.db, "business", "Grain prices climb after export deal", ["Wheat rose."], fetched_at=now
    )
    await add_story(bot.db, "business", "Chip maker posts record profit", ["x."], fetched_at=now)

    answer = await bot.reply_text(CHAT, "/follow grains")
    assert "Following “grains”" in answer

    messages = await briefing(bot, CHAT)
    assert sorted(items(messages)) == [
        "Grain prices climb after export deal",
        "Summit opens in Geneva",
    ]
    text = "\n".join(m.plain_text for m in messages)
    assert "FOLLOWING “GRAINS”" in text  # its own heading, matched by stem (grains ~ grain)
    assert "Chip maker" not in text


async def test_a_muted_phrase_drops_matching_stories_from_followed_topics(
    bot: RunningBot,
) -> None:
    await add_topics(bot.db, "Sport")
    await add_subscribers(bot.db, [CHAT], topic="sport")
    now = bot.clock()
    await add_story(bot.db, "sport", "Football club sacks its manager", ["x."], fetched_at=now)
    await add_story(bot.db, "sport", "Tennis final goes to five sets", ["y."], fetched_at=now)
    answer = await bot.reply_text(CHAT, "/mute football")
    assert "Muted “football”" in answer
    assert items(await briefing(bot, CHAT)) == ["Tennis final goes to five sets"]


async def test_filters_that_cannot_match_get_a_clear_answer(bot: RunningBot) -> None:
    await add_topics(bot.db, "World")
    await add_subscribers(bot.db, [CHAT], topic="world")
    usage = await bot.reply_text(CHAT, "/follow")
    assert "/follow ukraine grain" in usage and "You follow: none yet" in usage
    assert "nothing to look for" in await bot.reply_text(CHAT, "/follow -sport")
    assert "too long" in await bot.reply_text(CHAT, "/mute " + "x" * 80)
    # A word every story has would match everything.
    assert "in nearly every story" in await bot.reply_text(CHAT, "/mute the")
    assert "in nearly every story" in await bot.reply_text(CHAT, "/follow (a+)+$")
    # Patterns are words, never regular expressions: this is the word "harbour".
    assert "Following “harbour.*”" in await bot.reply_text(CHAT, "/follow harbour.*")


async def test_settings_buttons_change_items_and_sentences_and_remove_a_phrase(
    bot: RunningBot,
) -> None:
    await add_topics(bot.db, "World")
    await add_subscribers(bot.db, [CHAT], topic="world")
    now = bot.clock()
    for n in range(5):
        await add_story(
            bot.db, "world", f"World story {n}", [f"First line {n}.", "Second."], fetched_at=now
        )
    await bot.reply_text(CHAT, "/follow harbour")
    settings = await bot.reply_text(CHAT, "/settings")
    assert "Items per briefing: 8" in settings and "Following: “harbour”" in settings

    shown = await press(bot, "Items −")
    assert "Items per briefing: 7" in shown.plain_text
    for _ in range(6):  # the floor is 3, however often it is pressed
        bot.api.press_button(CHAT, "Items −")
    await bot.api.wait_for_calls("answerCallbackQuery", 7)
    for _ in range(3):
        bot.api.press_button(CHAT, "Sentences −")
    await bot.api.wait_for_calls("answerCallbackQuery", 10)
    bot.api.press_button(CHAT, "Unfollow “harbour”")
    await bot.api.wait_for_calls("answerCallbackQuery", 11)
    settings = await bot.reply_text(CHAT, "/settings")
    assert "Items per briefing: 3" in settings
    assert "Sentences per item: 0 (headlines only)" in settings
    assert "Following: none" in settings

    messages = await briefing(bot, CHAT)
    assert len(items(messages)) == 3
    text = "\n".join(m.plain_text for m in messages)
    assert "➕ 2 more stories" in text
    assert "First line" not in text  # headlines only


async def test_silent_delivery_and_the_top_storys_link_preview(bot: RunningBot) -> None:
    await add_topics(bot.db, "World")
    await add_subscribers(bot.db, [CHAT], topic="world")
    await add_story(
        bot.db,
        "world",
        "Bridge reopens",
        ["Traffic flows again."],
        [("Gazette", "https://gazette.example/bridge")],
        fetched_at=bot.clock(),
    )
    await bot.reply_text(CHAT, "/settings")
    await press(bot, "Silent: off")
    await press(bot, "Link preview: off")
    await briefing(bot, CHAT)
    sent = [c for c in bot.api.calls_to("sendMessage") if c.params.get("chat_id") == CHAT]
    last = sent[-1].params
    assert last.get("disable_notification") is True
    preview = last["link_preview_options"]
    assert preview["url"] == "https://gazette.example/bridge" and preview["show_above_text"]


async def _story_with_image(bot: RunningBot, image: str) -> None:
    story = await add_story(
        bot.db,
        "world",
        "Volcano erupts near the coast",
        ["Ash closed the airport.", "Villages were evacuated."],
        fetched_at=bot.clock(),
    )
    async with bot.db.session() as session:
        await session.execute(
            update(Article).where(Article.story_id == story).values(image_url=image)
        )


async def test_the_lead_image_goes_as_a_photo_with_the_first_item_as_caption(
    bot: RunningBot,
) -> None:
    await add_topics(bot.db, "World")
    await add_subscribers(bot.db, [CHAT], topic="world")
    await _story_with_image(bot, "https://img.example/volcano.jpg")
    await add_story(bot.db, "world", "Second story", ["z."], fetched_at=bot.clock())
    await bot.reply_text(CHAT, "/settings")
    await press(bot, "Lead image: off")

    messages = await briefing(bot, CHAT)
    photos = bot.api.calls_to("sendPhoto")
    assert len(photos) == 1 and photos[0].params["photo"] == "https://img.example/volcano.jpg"
    caption = photos[0].params["caption"]
    assert "Your briefing" in caption and "Volcano erupts" in caption
    assert "Second story" not in caption
    assert items(messages) == ["Volcano erupts near the coast", "Second story"]
    assert "2. Second story" in messages[-1].plain_text  # numbering goes on after the photo


async def test_a_refused_image_never_holds_the_briefing_back(bot: RunningBot) -> None:
    await add_topics(bot.db, "World")
    await add_subscribers(bot.db, [CHAT], topic="world")
    await _story_with_image(bot, "https://img.example/broken.jpg")
    bot.api.reject_photo_url("https://img.example/broken.jpg")
    await bot.reply_text(CHAT, "/settings")
    await press(bot, "Lead image: off")
    messages = await briefing(bot, CHAT)
    assert items(messages) == ["Volcano erupts near the coast"]
    assert [c.status for c in bot.api.calls_to("sendPhoto")] == [400]
    assert "Ash closed the airport." in messages[-1].plain_text


async def test_only_a_groups_admins_change_its_options(bot: RunningBot) -> None:
    group = -100777
    await add_topics(bot.db, "World")
    await add_subscribers(bot.db, [group], topic="world")
    bot.api.inject_message(group, "/settings")
    await bot.api.wait_for_messages(group, 1)
    member = 990001
    bot.api.set_member(group, member, "member")
    bot.api.press_button(group, "Silent: off", user_id=member)
    await bot.api.wait_for_calls("answerCallbackQuery", 1)
    assert bot.api.calls_to("editMessageText") == []
    settings = await bot.reply_text(group, "/settings")
    assert "Silent delivery: off" in settings


async def test_an_image_whose_caption_would_not_fit_becomes_the_link_preview(
    bot: RunningBot,
) -> None:
    await add_topics(bot.db, "World")
    await add_subscribers(bot.db, [CHAT], topic="world")
    long = ["The eruption sent ash twelve kilometres into the sky over the coast. " * 6] * 3
    story = await add_story(bot.db, "world", "Volcano erupts", long, fetched_at=bot.clock())
    async with bot.db.session() as session:
        await session.execute(
            update(Article)
            .where(Article.story_id == story)
            .values(image_url="https://img.example/v.jpg")
        )
    await bot.reply_text(CHAT, "/settings")
    await press(bot, "Lead image: off")
    messages = await briefing(bot, CHAT)
    assert bot.api.calls_to("sendPhoto") == []  # 1,024 characters could not hold the item
    assert messages[0].link_preview is not None
    assert messages[0].link_preview["url"] == "https://img.example/v.jpg"
    assert messages[0].link_preview["show_above_text"] is True
    assert "Volcano erupts" in messages[0].plain_text
