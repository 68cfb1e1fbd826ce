"""/broadcast keeps the admin's formatting, shows a preview, and sends only on Send."""

from __future__ import annotations

from typing import Any

from tests.bot.conftest import ADMIN_ID, RunningBot, deliveries_of

BODY: list[tuple[str, dict[str, Any] | None]] = [
    ("🗞 ", None),  # outside the Basic Multilingual Plane: two UTF-16 units, one character
    ("Big news", {"type": "bold"}),
    (": the ", None),
    ("ferry", {"type": "italic"}),
    (" runs ", None),
    ("late", {"type": "underline"}),
    (", ", None),
    ("old times", {"type": "strikethrough"}),
    (". Read ", None),
    ("the notice", {"type": "text_link", "url": 'https://harbour.example/?a=1&b="2"'}),
    (". Call ", None),
    ("tide()", {"type": "code"}),
    (" and <see> & smile\n", None),
    ("print(1 < 2)", {"type": "pre", "language": "python"}),
    ("\n", None),
    ("the winner", {"type": "spoiler"}),
    ("\n", None),
    ("Quoted words", {"type": "blockquote"}),
    ("\nBoat ", None),
    # Only bots with a Fragment username may send custom emoji: it goes as the plain emoji.
    ("⛴", {"type": "custom_emoji", "custom_emoji_id": "5368324170671202286"}),
]
EXPECTED = (
    "📣 🗞 <b>Big news</b>: the <i>ferry</i> runs <u>late</u>, <s>old times</s>. Read "
    '<a href="https://harbour.example/?a=1&amp;b=&quot;2&quot;">the notice</a>. Call '
    "<code>tide()</code> and &lt;see&gt; &amp; smile\n"
    '<pre><code class="language-python">print(1 &lt; 2)</code></pre>\n'
    '<span class="tg-spoiler">the winner</span>\n'
    "<blockquote>Quoted words</blockquote>\nBoat ⛴"
)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def formatted(command: str, parts: list[tuple[str, dict[str, Any] | None]]) -> tuple[str, list]:
    """The text an admin's app sends, with its formatting as Telegram's entities."""
    text, entities = command, []
    for piece, entity in parts:
        if entity is not None:
            entities.append({**entity, "offset": utf16(text), "length": utf16(piece)})
        text += piece
    return text, entities


async def start_subscribers(bot: RunningBot) -> None:
    for chat in (11, 12, 13):
        await bot.send(chat, "/start")
    await bot.send(13, "/pause")


async def test_broadcast_keeps_formatting_and_waits_for_send(bot: RunningBot) -> None:
    await start_subscribers(bot)
    text, entities = formatted("/broadcast ", BODY)
    bot.api.inject_message(ADMIN_ID, text, entities=entities)
    (preview,) = await bot.api.wait_for_messages(ADMIN_ID, 1)
    assert preview.text == (
        "<i>Preview: Send queues this for 2 active subscribers.</i>\n\n" + EXPECTED
    )
    assert [label for label, _ in preview.buttons] == ["📣 Send to 2", "Cancel"]
    send_data = preview.buttons[0][1]
    await bot.services.worker.run_until_idle()
    assert await deliveries_of(bot.db, 11) == []  # nothing goes before Send

    bot.api.press_button(ADMIN_ID, "Send to 2")
    await bot.api.wait_for_calls("editMessageText")
    (sent,) = bot.api.messages(ADMIN_ID)
    assert sent.plain_text.startswith("✅ Queued for 2 active subscribers.\n\n📣 🗞 Big news: ")
    assert sent.buttons == []
    await bot.services.worker.run_until_idle()
    for chat in (11, 12):
        last = (await bot.api.wait_for_messages(chat, 2))[-1]
        assert last.text == EXPECTED
        assert last.plain_text.startswith("📣 🗞 Big news: the ferry runs late, old times.")
    assert len(bot.api.messages(13)) == 2  # paused: /start and /pause answers only

    # A second tap on Send (or one after a restart) queues nothing more and says why.
    bot.api.inject_callback(ADMIN_ID, preview.message_id, send_data)
    await bot.api.wait_for_calls("answerCallbackQuery", 2)
    answer = bot.api.calls_to("answerCallbackQuery")[-1].params
    assert answer["text"].startswith("This preview is closed (sent, cancelled, or the bot")
    await bot.api.wait_for_calls("editMessageReplyMarkup")
    assert len(await deliveries_of(bot.db, 11)) == 1
    await bot.send(ADMIN_ID, "/stats")  # handled after the press, error handler included
    assert [m.plain_text.split("\n")[0] for m in bot.api.messages(ADMIN_ID)] == [
        "✅ Queued for 2 active subscribers.",
        "Stats",
    ]  # no "Sorry, something went wrong"


async def test_a_cancelled_broadcast_sends_nothing(bot: RunningBot) -> None:
    await start_subscribers(bot)
    (preview,) = await bot.send(ADMIN_ID, "/broadcast Maintenance <tonight> & tomorrow")
    assert preview.plain_text == (
        "Preview: Send queues this for 2 active subscribers.\n\n📣 Maintenance <tonight> & tomorrow"
    )
    bot.api.press_button(ADMIN_ID, "Cancel")
    await bot.api.wait_for_calls("editMessageText")
    assert bot.api.messages(ADMIN_ID)[-1].plain_text == (
        "✖️ Cancelled: nothing was sent.\n\n📣 Maintenance <tonight> & tomorrow"
    )
    await bot.services.worker.run_until_idle()
    assert await deliveries_of(bot.db, 11) == []
    assert len(bot.api.messages(11)) == 1


async def test_broadcast_refuses_nothing_to_send_and_nobody_to_send_to(bot: RunningBot) -> None:
    assert (await bot.reply_text(ADMIN_ID, "/broadcast hello")) == (
        "Nobody would get it: there are no active subscribers."
    )
    usage = await bot.reply_text(ADMIN_ID, "/broadcast   ")
    assert usage.startswith("Usage: /broadcast <text>")
    assert "Bold, italic, links and the rest of Telegram's formatting are kept." in usage
