"""The fake Bot API's photos, documents, forum topics and channels, read back through the real
PTB client over HTTP: what a bot author relies on Telegram doing, and refusing."""

from __future__ import annotations

import base64

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ChatMemberAdministrator,
    LinkPreviewOptions,
    MessageOriginChannel,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden
from telegram.request import BaseRequest

from bot.request import AiohttpRequest
from sandbox.fake_bot_api import BOT_USER_ID, FakeBotAPI, FakeChat

CHANNEL = -1_001_234_567_890
FORUM = -1_009_876_543_210
USER = 4242
# PTB drops "Bad Request: " from a description and capitalizes the rest (TOPIC_CLOSED arrives as
# "Topic_closed"): a bot matching an error text compares without case, as these tests do.
# The smallest bytes Telegram would take for a picture: a PNG signature is what it checks first.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
OPML = b'<?xml version="1.0"?><opml version="2.0"><body><outline text="Harbor"/></body></opml>'


def client(api: FakeBotAPI, request: BaseRequest | None = None) -> Bot:
    """A PTB bot built as bot/app.py builds it: API and file URLs both under the base URL."""
    return Bot(
        api.token,
        base_url=f"{api.base_url}/bot",
        base_file_url=f"{api.base_url}/file/bot",
        request=request,
    )


# -- photos ------------------------------------------------------------------------------------


async def test_a_photo_caption_may_have_1024_characters_after_its_html_is_parsed(
    api: FakeBotAPI,
) -> None:
    url = "https://example.org/harbour.jpg"
    async with client(api) as bot:
        sent = await bot.send_photo(
            USER,
            url,
            caption="<b>" + "x" * 1020 + "</b> &amp;!",  # 1,024 once the tags are gone
            parse_mode="HTML",
            disable_notification=True,
        )
        with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
            await bot.send_photo(USER, url, caption="x" * 1025)
    (photo,) = api.messages(USER)
    assert (photo.kind, photo.photo, photo.silent) == ("photo", url, True)
    assert photo.plain_text == "x" * 1020 + " &!"
    assert sent.caption == photo.plain_text and sent.photo and sent.photo[-1].file_id
    assert [call.status for call in api.calls_to("sendPhoto")] == [200, 400]


async def test_a_photo_url_telegram_cannot_use_is_refused(api: FakeBotAPI) -> None:
    api.reject_photo_url("https://example.org/article.html")
    api.reject_photo_url(
        "https://example.org/gone.jpg", description="Bad Request: failed to get HTTP URL content"
    )
    async with client(api) as bot:
        with pytest.raises(BadRequest, match=r"^Wrong type of the web page content$"):
            await bot.send_photo(USER, "https://example.org/article.html")
        with pytest.raises(BadRequest, match=r"(?i)^Failed to get HTTP URL content$"):
            await bot.send_photo(USER, "https://example.org/gone.jpg")
        with pytest.raises(BadRequest, match=r"(?i)^Wrong file identifier/HTTP URL specified$"):
            await bot.send_photo(USER, "ftp://example.org/x.jpg")
        with pytest.raises(BadRequest, match=r"(?i)^IMAGE_PROCESS_FAILED$"):
            await bot.send_photo(USER, b"not a picture", filename="chart.png")
        uploaded = await bot.send_photo(USER, PNG, filename="chart.png")
        # A photo's file_id can be sent again, as bots do to avoid uploading twice.
        await bot.send_photo(USER, uploaded.photo[-1].file_id)
    assert [m.photo for m in api.messages(USER)] == ["upload:chart.png", "upload:chart.png"]


async def test_link_preview_options_are_kept_for_the_test_to_check(api: FakeBotAPI) -> None:
    top = "https://example.org/top-story"
    async with client(api) as bot:
        sent = await bot.send_message(
            USER,
            "Top story",
            link_preview_options=LinkPreviewOptions(url=top, show_above_text=True),
        )
        await bot.send_message(USER, "quiet", disable_notification=True)
    first, second = api.messages(USER)
    assert first.link_preview == {"url": top, "show_above_text": True}
    assert not first.link_preview_disabled and not first.silent
    assert sent.link_preview_options is not None and sent.link_preview_options.url == top
    assert second.silent and second.link_preview is None


# -- documents ---------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
async def test_a_document_a_user_sends_downloads_byte_for_byte(
    api: FakeBotAPI, backend: str
) -> None:
    api.inject_document(USER, "feeds.opml", OPML, caption="/import", mime_type="text/x-opml")
    request = AiohttpRequest(4) if backend == "aiohttp" else None
    async with client(api, request) as bot:
        (update,) = await bot.get_updates(timeout=0)
        document = update.message.document
        assert (document.file_name, document.mime_type) == ("feeds.opml", "text/x-opml")
        assert document.file_size == len(OPML)
        assert update.message.caption_entities[0].type == "bot_command"
        file = await document.get_file()
        assert file.file_path.startswith(f"{api.base_url}/file/bot{api.token}/documents/")
        assert bytes(await file.download_as_bytearray()) == OPML


async def test_get_file_refuses_what_is_over_20_mb(api: FakeBotAPI) -> None:
    update = api.inject_document(USER, "dump.zip", b"\0" * (20 * 1024 * 1024 + 1))
    async with client(api) as bot:
        with pytest.raises(BadRequest, match=r"^File is too big$"):
            await bot.get_file(update["message"]["document"]["file_id"])
        with pytest.raises(BadRequest, match=r"^Invalid file_id$"):
            await bot.get_file("no-such-file")


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
async def test_a_document_the_bot_sends_is_recorded_with_its_name_and_bytes(
    api: FakeBotAPI, backend: str
) -> None:
    request = AiohttpRequest(4) if backend == "aiohttp" else None
    async with client(api, request) as bot:
        sent = await bot.send_document(
            USER,
            OPML,
            filename="subscriptions.opml",
            caption="<i>Your feeds</i>",
            parse_mode="HTML",
        )
        echoed = await (await sent.document.get_file()).download_as_bytearray()
    (message,) = api.messages(USER)
    assert (message.kind, message.document_name, message.document_bytes) == (
        "document",
        "subscriptions.opml",
        OPML,
    )
    assert message.plain_text == "Your feeds" and sent.caption == "Your feeds"
    assert sent.document.file_name == "subscriptions.opml" and bytes(echoed) == OPML


# -- forum topics ------------------------------------------------------------------------------


async def test_forum_topics_take_messages_until_closed_or_deleted(api: FakeBotAPI) -> None:
    api.add_chat(FakeChat(FORUM, "supergroup", is_forum=True, title="Newsroom"))
    world = api.create_topic(FORUM, "World")
    sport = api.create_topic(FORUM, "Sport")
    api.inject_message(FORUM, "/latest", thread_id=world)
    async with client(api) as bot:
        assert (await bot.get_chat(FORUM)).is_forum
        (update,) = await bot.get_updates(timeout=0)
        asked = update.message
        assert asked.is_topic_message and asked.message_thread_id == world
        answer = await asked.reply_text("Latest world news")  # PTB answers in the same topic
        assert answer.message_thread_id == world and answer.is_topic_message
        await bot.send_message(FORUM, "General chat")
        api.close_topic(FORUM, sport)
        with pytest.raises(BadRequest, match=r"(?i)^TOPIC_CLOSED$"):
            await bot.send_message(FORUM, "score", message_thread_id=sport)
        api.reopen_topic(FORUM, sport)
        await bot.send_photo(FORUM, "https://example.org/goal.jpg", message_thread_id=sport)
        api.delete_topic(FORUM, sport)
        with pytest.raises(BadRequest, match=r"^Message thread not found$"):
            await bot.send_message(FORUM, "score", message_thread_id=sport)
        with pytest.raises(BadRequest, match=r"^Message thread not found$"):
            await bot.send_message(FORUM, "x", message_thread_id=999_999)
    assert [m.thread_id for m in api.messages(FORUM)] == [world, None]
    assert [m.plain_text for m in api.messages(FORUM, thread_id=world)] == ["Latest world news"]
    with pytest.raises(ValueError, match="no topic"):
        api.inject_message(FORUM, "lost", thread_id=sport)


# -- channels ----------------------------------------------------------------------------------


async def test_the_bot_posts_in_a_channel_only_as_an_admin_who_may_post(api: FakeBotAPI) -> None:
    api.add_channel(CHANNEL, username="harbour_news", title="Harbour News")
    async with client(api) as bot:
        chat = await bot.get_chat("@harbour_news")
        assert (chat.id, chat.type, chat.title) == (CHANNEL, ChatType.CHANNEL, "Harbour News")
        never_added = await bot.get_chat_member(CHANNEL, BOT_USER_ID)
        assert never_added.status == ChatMemberStatus.LEFT and never_added.user.is_bot
        with pytest.raises(
            Forbidden, match=r"^Forbidden: bot is not a member of the channel chat$"
        ):
            await bot.send_message("@harbour_news", "Morning briefing")
        api.set_member(CHANNEL, BOT_USER_ID, "member")
        with pytest.raises(BadRequest, match=r"^Need administrator rights in the channel chat$"):
            await bot.send_message(CHANNEL, "Morning briefing")
        api.set_member(CHANNEL, BOT_USER_ID, "administrator", rights={"can_post_messages": False})
        with pytest.raises(BadRequest, match=r"^Need administrator rights in the channel chat$"):
            await bot.send_photo(CHANNEL, "https://example.org/a.jpg")
        api.set_member(CHANNEL, BOT_USER_ID, "administrator", rights={"can_post_messages": True})
        admin = await bot.get_chat_member("@harbour_news", BOT_USER_ID)
        assert isinstance(admin, ChatMemberAdministrator) and admin.can_post_messages
        posted = await bot.send_message("@harbour_news", "Morning briefing")
        api.set_member(CHANNEL, BOT_USER_ID, "kicked")
        with pytest.raises(Forbidden, match=r"^Forbidden: bot was kicked from the channel chat$"):
            await bot.send_message(CHANNEL, "Evening briefing")
        with pytest.raises(BadRequest, match=r"^Chat not found$"):
            await bot.get_chat("@no_such_channel")
    assert posted.sender_chat is not None and posted.sender_chat.id == CHANNEL
    assert posted.from_user is None
    assert api.texts(CHANNEL) == ["Morning briefing"]
    with pytest.raises(ValueError, match="not rights of a 'administrator'"):
        api.set_member(CHANNEL, BOT_USER_ID, "administrator", rights={"can_post_message": True})


async def test_channel_posts_and_membership_changes_arrive_as_updates(api: FakeBotAPI) -> None:
    api.add_channel(CHANNEL, username="harbour_news")
    api.inject_my_chat_member(CHANNEL, "administrator", rights={"can_post_messages": True})
    api.inject_channel_post(CHANNEL, "Ferry timetable changes from Monday")
    async with client(api) as bot:
        added, post = await bot.get_updates(timeout=0)
        await bot.send_message(CHANNEL, "Allowed now")
    member = added.my_chat_member
    assert member is not None and member.chat.type == ChatType.CHANNEL
    assert member.old_chat_member.status == ChatMemberStatus.LEFT
    assert member.new_chat_member.status == ChatMemberStatus.ADMINISTRATOR
    assert member.new_chat_member.user.id == BOT_USER_ID
    assert isinstance(member.new_chat_member, ChatMemberAdministrator)
    assert member.new_chat_member.can_post_messages
    channel_post = post.channel_post
    assert channel_post is not None and channel_post.chat.type == ChatType.CHANNEL
    assert channel_post.sender_chat.id == CHANNEL and channel_post.from_user is None
    assert post.effective_chat.username == "harbour_news"


async def test_removing_or_blocking_the_bot_makes_every_send_fail(api: FakeBotAPI) -> None:
    group = FakeChat(-100_555, "supergroup")
    api.inject_my_chat_member(group, "kicked", old_status="member")
    api.inject_my_chat_member(USER, "kicked", old_status="member")  # the user blocked the bot
    async with client(api) as bot:
        updates = await bot.get_updates(timeout=0)
        assert [u.my_chat_member.new_chat_member.status for u in updates] == ["kicked"] * 2
        with pytest.raises(
            Forbidden, match=r"^Forbidden: bot was kicked from the supergroup chat$"
        ):
            await bot.send_message(group.id, "x")
        with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
            await bot.send_message(USER, "x")
        api.inject_my_chat_member(USER, "member", old_status="kicked")  # unblocked
        await bot.send_message(USER, "welcome back")
    assert api.texts(USER) == ["welcome back"]


async def test_a_post_forwarded_from_a_channel_names_the_channel(api: FakeBotAPI) -> None:
    api.add_channel(CHANNEL, username="harbour_news", title="Harbour News")
    api.inject_forwarded_from_channel(USER, CHANNEL, "Bridge closed tonight", channel_message_id=77)
    async with client(api) as bot:
        (update,) = await bot.get_updates(timeout=0)
    origin = update.message.forward_origin
    assert isinstance(origin, MessageOriginChannel)
    assert (origin.chat.id, origin.chat.title, origin.message_id) == (CHANNEL, "Harbour News", 77)
    assert update.message.chat.type == ChatType.PRIVATE
    assert update.message.api_kwargs.get("forward_from_chat", {}).get("id") == CHANNEL


# -- commands and the control endpoint ---------------------------------------------------------


async def test_commands_are_kept_per_scope_and_language(api: FakeBotAPI) -> None:
    async with client(api) as bot:
        await bot.set_my_commands([BotCommand("start", "Subscribe")])
        await bot.set_my_commands([BotCommand("start", "Abonnieren")], language_code="de")
        await bot.set_my_commands(
            [BotCommand("start", "Subscribe"), BotCommand("stats", "Stats")],
            scope=BotCommandScopeChat(42),
        )
        german = await bot.get_my_commands(language_code="de")
    assert api.commands_for("default") == ["start"]
    assert api.commands_for("chat", chat_id=42) == ["start", "stats"]
    assert api.commands_for("default", language_code="de") == ["start"]
    assert german[0].description == "Abonnieren"
    assert api.commands_for("chat", chat_id=43) == []


async def test_a_server_in_another_process_takes_channel_posts_and_documents(
    api: FakeBotAPI,
) -> None:
    api.add_channel(CHANNEL)
    api.set_member(CHANNEL, BOT_USER_ID, "administrator")
    async with httpx.AsyncClient(base_url=api.base_url) as http:
        await http.post(
            "/_fake/inject", json={"kind": "channel_post", "chat_id": CHANNEL, "text": "news"}
        )
        encoded = base64.b64encode(OPML).decode()
        document = {
            "kind": "document",
            "chat_id": USER,
            "file_name": "feeds.opml",
            "content_base64": encoded,
        }
        await http.post("/_fake/inject", json=document)
        refused = await http.post("/_fake/inject", json={"kind": "channel_post", "chat_id": 5})
    assert refused.status_code == 400
    async with client(api) as bot:
        post, upload = await bot.get_updates(timeout=0)
        data = await (await upload.message.document.get_file()).download_as_bytearray()
    assert post.channel_post.text == "news" and bytes(data) == OPML
