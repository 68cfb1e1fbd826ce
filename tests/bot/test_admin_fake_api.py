"""The fake Bot API's newer Telegram behaviours, read back through the real PTB client: a
user's formatting (entities), chat members, anonymous admins, quotes, unchanged edits."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest

from sandbox.fake_bot_api import FakeBotAPI

GROUP = -100_700


async def updates(bot: Bot) -> list[Update]:
    return list(await bot.get_updates(timeout=0))


async def test_injected_messages_carry_formatting_quotes_and_sender_chats(
    api: FakeBotAPI,
) -> None:
    async with Bot(api.token, base_url=f"{api.base_url}/bot") as bot:
        sent = await bot.send_message(GROUP, "Bridge repairs begin; harbour strike ends")
        api.inject_message(
            1, "/broadcast 🚢 Big news", entities=[{"type": "bold", "offset": 14, "length": 8}]
        )
        api.inject_message(GROUP, "/subscribe world", user_id=None, sender_chat=GROUP)
        api.inject_message(
            GROUP, "more?", reply_to_message_id=sent.message_id, quote="harbour strike"
        )
        formatted, anonymous, quoting = (u.message for u in await updates(bot))
    assert formatted is not None and formatted.text_html == "/broadcast 🚢 <b>Big news</b>"
    assert anonymous is not None and anonymous.sender_chat is not None
    assert anonymous.sender_chat.id == GROUP
    assert anonymous.from_user is not None and anonymous.from_user.username == "GroupAnonymousBot"
    assert quoting is not None and quoting.quote is not None
    assert (quoting.quote.text, quoting.quote.position) == ("harbour strike", 22)
    with pytest.raises(ValueError, match="outside the text"):
        api.inject_message(1, "short", entities=[{"type": "bold", "offset": 3, "length": 9}])


async def test_chat_members_have_the_status_a_test_gives_them(api: FakeBotAPI) -> None:
    api.set_member(GROUP, 601, "administrator")
    api.set_member(GROUP, 603, "kicked")
    async with Bot(api.token, base_url=f"{api.base_url}/bot") as bot:
        admin = await bot.get_chat_member(GROUP, 601)
        member = await bot.get_chat_member(GROUP, 602)
        kicked = await bot.get_chat_member(GROUP, 603)
        creator = await bot.get_chat_member(GROUP, 7_000_000 + 100_700)  # the default speaker
    assert admin.status == ChatMemberStatus.ADMINISTRATOR and admin.user.id == 601
    assert member.status == ChatMemberStatus.MEMBER
    assert kicked.status == ChatMemberStatus.BANNED
    assert creator.status == ChatMemberStatus.OWNER
    with pytest.raises(ValueError, match="unknown chat member status"):
        api.set_member(GROUP, 604, "boss")


async def test_an_edit_that_changes_nothing_is_refused_as_telegram_does(api: FakeBotAPI) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Send", callback_data="x")]])
    async with Bot(api.token, base_url=f"{api.base_url}/bot") as bot:
        sent = await bot.send_message(1, "preview", reply_markup=markup)
        await bot.edit_message_reply_markup(1, sent.message_id, reply_markup=None)
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_reply_markup(1, sent.message_id, reply_markup=None)
    assert api.messages(1)[0].buttons == []
