"""What the fake Bot API knows of chats beyond private chats and groups, and of files.

A mixin of `FakeBotAPI`: registered chats (channels, forum supergroups with their topics), the
bot's own membership and rights in them (checked before every send, as Telegram does), files
(documents users send, photos and documents the bot sends; getFile and the file download URL),
and the updates that come with them (channel posts, forwards from channels, my_chat_member).
"""

from __future__ import annotations

import itertools
import mimetypes
import posixpath
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web

from sandbox.fake_bot_api_methods import redirectable
from sandbox.fake_bot_api_support import (
    BOT_USER_ID,
    ApiError,
    FakeChat,
    ForumTopic,
    SentMessage,
    StoredFile,
    TelegramHTMLError,
    UploadedFile,
    bot_json,
    chat_json,
    chat_member_json,
    check_caption,
    check_reply_markup,
    check_rights,
    command_entities,
    document_json,
    photo_sizes_json,
    user_json,
)

MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile serves files up to 20 MB to bots
MAX_UPLOAD = 50 * 1024 * 1024  # what a bot may upload as a document
_REJECTED_URL = "Bad Request: wrong type of the web page content"
_NOT_A_FILE = "Bad Request: wrong file identifier/HTTP URL specified"
_NEED_RIGHTS = "Bad Request: need administrator rights in the channel chat"
# Magic numbers of the formats Telegram makes photos from: JPEG, PNG, GIF, BMP, WebP (RIFF).
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"RIFF")


class ChatsAndMediaMethods:
    """Channels, forum topics, the bot's membership, photos, documents and getFile."""

    username: str
    token: str
    keep_messages: bool
    members: dict[tuple[int, int], str]
    _chats: dict[int, list[SentMessage]]
    _message_ids: itertools.count[int]
    _sent_times: list[float]

    if TYPE_CHECKING:  # provided by FakeBotAPI and BotApiMethods

        def _add_update(self, body: dict[str, Any]) -> dict[str, Any]: ...

        def _message_json(self, message: SentMessage) -> dict[str, Any]: ...

        def _find_message(self, chat_id: Any, message_id: Any) -> SentMessage | None: ...

    def _init_chats_and_media(self) -> None:
        """Create this mixin's state (called by FakeBotAPI.__init__)."""
        self.member_rights: dict[tuple[int, int], dict[str, bool]] = {}
        # setMyCommands lists for one language_code: (scope JSON, language) -> commands.
        self.localized_commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._known_chats: dict[int, FakeChat] = {}
        self._topics: dict[int, dict[int, ForumTopic]] = {}
        self._files: dict[str, StoredFile] = {}
        self._file_paths: dict[str, StoredFile] = {}
        self._file_numbers = itertools.count(1)
        self._rejected_urls: dict[str, str] = {}

    # -- chats the server knows ---------------------------------------------------------------

    def add_chat(self, chat: FakeChat) -> FakeChat:
        """Make a chat known by id and username (a forum supergroup, a channel, a named
        group); every update and answer about it then carries its type, title and flags."""
        if chat.is_forum and chat.kind != "supergroup":
            raise ValueError("only a supergroup can be a forum")
        if chat.kind in ("channel", "supergroup", "group") and chat.id >= 0:
            raise ValueError(f"a {chat.kind} has a negative id, such as -100...")
        self._known_chats[chat.id] = chat
        if chat.is_forum:
            self._topics.setdefault(chat.id, {})
        return chat

    def add_channel(
        self, chat_id: int, *, username: str | None = None, title: str | None = None
    ) -> FakeChat:
        """A channel (id like -1001234567890) the bot can be added to; see set_member."""
        name = username.removeprefix("@") if username else None
        return self.add_chat(FakeChat(chat_id, "channel", username=name, title=title))

    def chat(self, chat_id: int | str) -> FakeChat:
        """The chat as the server knows it: registered, or the default for its id."""
        if isinstance(chat_id, str):
            found = self._chat_named(chat_id)
            if found is None:
                raise LookupError(f"no chat is called {chat_id}")
            return found
        return self._known_chats.get(chat_id) or FakeChat(chat_id)

    def _as_chat(self, chat: FakeChat | int) -> FakeChat:
        """A chat given to an inject_* method: a FakeChat is remembered, an id looked up."""
        if isinstance(chat, FakeChat):
            self._known_chats.setdefault(chat.id, chat)
            return chat
        return self.chat(chat)

    def _chat_named(self, name: str) -> FakeChat | None:
        wanted = name.removeprefix("@").lower()
        for chat in self._known_chats.values():
            if chat.username and chat.username.lower() == wanted:
                return chat
        return None

    def _resolve_username(self, params: dict[str, Any]) -> None:
        """Every method takes "@channelusername" for chat_id: use the chat's numeric id."""
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            found = self._chat_named(chat_id)
            if found is not None:
                params["chat_id"] = found.id

    # -- forum topics -----------------------------------------------------------------------

    def create_topic(self, chat_id: int, name: str) -> int:
        """A topic of a forum supergroup (see add_chat); returns its message_thread_id."""
        topics = self._forum_topics(chat_id)
        # Telegram's thread id is the id of the service message that created the topic.
        thread_id = next(self._message_ids)
        topics[thread_id] = ForumTopic(name)
        return thread_id

    def close_topic(self, chat_id: int, thread_id: int) -> None:
        """Close a topic: messages to it are refused with TOPIC_CLOSED until reopened."""
        self._topic(chat_id, thread_id).closed = True

    def reopen_topic(self, chat_id: int, thread_id: int) -> None:
        """Reopen a closed topic."""
        self._topic(chat_id, thread_id).closed = False

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """Delete a topic and its messages: sends to it get "message thread not found"."""
        self._topic(chat_id, thread_id)
        del self._topics[chat_id][thread_id]
        messages = self._chats.get(chat_id, [])
        messages[:] = [m for m in messages if m.thread_id != thread_id]

    def topics(self, chat_id: int) -> dict[int, ForumTopic]:
        """A forum's topics by message_thread_id."""
        return dict(self._forum_topics(chat_id))

    def _forum_topics(self, chat_id: int) -> dict[int, ForumTopic]:
        if not self.chat(chat_id).is_forum:
            raise ValueError(
                f"chat {chat_id} is not a forum: add_chat(FakeChat(..., is_forum=True))"
            )
        return self._topics.setdefault(chat_id, {})

    def _topic(self, chat_id: int, thread_id: int) -> ForumTopic:
        topic = self._forum_topics(chat_id).get(thread_id)
        if topic is None:
            raise ValueError(f"chat {chat_id} has no topic {thread_id}")
        return topic

    # -- the bot's membership ----------------------------------------------------------------

    def _set_membership(self, chat_id: int, user_id: int, status: str, rights: Any) -> None:
        checked = check_rights(status, rights)
        self.members[(chat_id, user_id)] = status
        if checked:
            self.member_rights[(chat_id, user_id)] = checked
        else:
            self.member_rights.pop((chat_id, user_id), None)

    def _member_json(self, chat_id: int, user_id: int) -> dict[str, Any]:
        """What getChatMember answers; defaults: the group's default speaker created it, the
        bot has left a channel it was never added to, everyone else is a plain member."""
        chat = self.chat(chat_id)
        status = self.members.get((chat_id, user_id))
        if status is None:
            creator = chat_id < 0 and user_id == chat.default_user_id
            if creator:
                status = "creator"
            elif chat.kind == "channel" and user_id == BOT_USER_ID:
                status = "left"
            else:
                status = "member"
        user = bot_json(self.username) if user_id == BOT_USER_ID else None
        rights = self.member_rights.get((chat_id, user_id))
        channel = chat.kind == "channel"
        return chat_member_json(user_id, status, rights, channel=channel, user=user)

    def _check_destination(self, params: dict[str, Any]) -> None:
        """Refuse a send as Telegram would: unknown @username, a chat the bot is not in (or
        may not post to), a forum topic that does not exist or is closed."""
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str):
            raise ApiError(400, "Bad Request: chat not found")
        if not isinstance(chat_id, int):
            return
        chat = self.chat(chat_id)
        status = self.members.get((chat_id, BOT_USER_ID))
        if chat.kind == "channel":
            if status in (None, "left"):
                raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
            if status == "kicked":
                raise ApiError(403, "Forbidden: bot was kicked from the channel chat")
            if status != "creator" and not self._member_json(chat_id, BOT_USER_ID).get(
                "can_post_messages"
            ):
                raise ApiError(400, _NEED_RIGHTS)
        elif status == "kicked":
            if chat.kind == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.kind} chat")
        elif status == "left" and chat.kind != "private":
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.kind} chat")
        thread_id = params.get("message_thread_id")
        if chat.is_forum and thread_id is not None:
            topic = self._topics.get(chat_id, {}).get(thread_id)
            if topic is None:
                raise ApiError(400, "Bad Request: message thread not found")
            if topic.closed:
                raise ApiError(400, "Bad Request: TOPIC_CLOSED")

    # -- what users and chats do -------------------------------------------------------------

    def _user_message(
        self, chat: FakeChat, user_id: int | None, thread_id: int | None = None
    ) -> dict[str, Any]:
        """The common fields of a message a user writes in `chat` (in topic `thread_id`)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat_json(chat),
            "from": user_json(user_id if user_id is not None else chat.default_user_id),
        }
        if thread_id is not None:
            if chat.is_forum:
                self._topic(chat.id, thread_id)  # a test's typo fails here, not in the bot
                message["is_topic_message"] = True
            message["message_thread_id"] = thread_id
        return message

    def inject_document(
        self,
        chat: FakeChat | int,
        file_name: str,
        content: bytes,
        *,
        caption: str | None = None,
        user_id: int | None = None,
        mime_type: str | None = None,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        """A user sends a file (an OPML export, say); returns the update. The bot gets it with
        getFile and downloads it from {base_url}/file/bot<token>/<file_path>."""
        chat = self._as_chat(chat)
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self._store("document", f"upload:{file_name}", content, file_name, mime)
        message = self._user_message(chat, user_id, thread_id)
        message["document"] = document_json(stored)
        if caption:
            message["caption"] = caption
            if found := command_entities(caption):
                message["caption_entities"] = found
        return self._add_update({"message": message})

    def inject_channel_post(self, channel_id: int, text: str) -> dict[str, Any]:
        """A post in a channel the bot administers: a `channel_post` update, written as the
        channel (sender_chat, no "from")."""
        channel = self._channel(channel_id)
        if self._member_json(channel_id, BOT_USER_ID)["status"] not in ("administrator", "creator"):
            # Telegram sends channel posts only to bots that are administrators of the channel.
            raise ValueError(f"the bot is not an administrator of channel {channel_id}")
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat_json(channel),
            "sender_chat": chat_json(channel),
            "text": text,
        }
        if found := command_entities(text):
            message["entities"] = found
        return self._add_update({"channel_post": message})

    def inject_forwarded_from_channel(
        self,
        private_chat: FakeChat | int,
        channel_id: int,
        text: str,
        user_id: int | None = None,
        *,
        channel_message_id: int | None = None,
    ) -> dict[str, Any]:
        """A user forwards a channel's post to the bot: forward_origin of type "channel" (and
        the legacy forward_from_chat, forward_from_message_id, forward_date)."""
        channel = chat_json(self._channel(channel_id))
        original_id = channel_message_id or next(self._message_ids)
        posted = int(time.time()) - 3600
        message = self._user_message(self._as_chat(private_chat), user_id)
        message |= {
            "text": text,
            "forward_origin": {
                "type": "channel",
                "chat": channel,
                "message_id": original_id,
                "date": posted,
            },
            "forward_from_chat": channel,
            "forward_from_message_id": original_id,
            "forward_date": posted,
        }
        return self._add_update({"message": message})

    def inject_my_chat_member(
        self,
        chat: FakeChat | int,
        new_status: str,
        *,
        old_status: str = "left",
        by_user: int | None = None,
        rights: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Someone changes the bot's membership (adds it, makes it an admin, removes it; in a
        private chat "kicked" is the user blocking it): a `my_chat_member` update, and the
        server's own idea of the bot's membership changes with it."""
        chat = self._as_chat(chat)
        old = self._member_json(chat.id, BOT_USER_ID)
        old_rights = self.member_rights.get((chat.id, BOT_USER_ID))
        if old["status"] != old_status:  # the test says what it was: answer that, not ours
            old = chat_member_json(
                BOT_USER_ID, old_status, channel=chat.kind == "channel", user=old["user"]
            )
        self._set_membership(chat.id, BOT_USER_ID, new_status, rights)
        new = self._member_json(chat.id, BOT_USER_ID)
        if old == new and old_rights == self.member_rights.get((chat.id, BOT_USER_ID)):
            raise ValueError("Telegram sends my_chat_member only when something changed")
        update = {
            "chat": chat_json(chat),
            "from": user_json(by_user if by_user is not None else chat.default_user_id),
            "date": int(time.time()),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        return self._add_update({"my_chat_member": update})

    def _channel(self, channel_id: int) -> FakeChat:
        channel = self.chat(channel_id)
        if channel.kind != "channel":
            raise ValueError(f"chat {channel_id} is not a channel: add_channel() it first")
        return channel

    # -- files -------------------------------------------------------------------------------

    def reject_photo_url(self, url: str, *, description: str = _REJECTED_URL) -> None:
        """Telegram cannot make a picture of `url` (an HTML page, a 404): sendPhoto with it,
        or sendDocument, is answered 400 with `description` (Telegram's full wording)."""
        self._rejected_urls[url] = description

    def _store(
        self,
        kind: str,
        source: str,
        content: bytes | None,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        number = next(self._file_numbers)
        # Telegram's ids are opaque; its prefixes are kept so logs read alike.
        prefix, unique = ("AgAC", "AQAD") if kind == "photo" else ("BQAC", "AgAD")
        stored = StoredFile(
            f"{prefix}{number:08d}",
            f"{unique}{number}",
            kind,
            source,
            content,
            file_name,
            mime_type,
        )
        self._files[stored.file_id] = stored
        if kind == "photo":  # the thumbnail's id (see photo_sizes_json) names the same file
            self._files[f"{stored.file_id}s"] = stored
        return stored

    def _media_json(self, message: SentMessage) -> dict[str, Any]:
        """The photo or document fields of a sent media message, with its caption."""
        body: dict[str, Any] = {}
        stored = self._files.get(message.file_id or "")
        if stored is not None:
            if message.kind == "photo":
                body["photo"] = photo_sizes_json(stored)
            else:
                body["document"] = document_json(stored)
        caption = message.plain_text
        if caption:
            body["caption"] = caption
        return body

    def _source(self, value: Any, kind: str) -> tuple[StoredFile | None, str, bytes | None]:
        """The file a send names: (a file Telegram already has, its source, new content)."""
        if isinstance(value, UploadedFile):
            return None, f"upload:{value.filename}", value.content
        text = str(value or "")
        if not text:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        if text in self._rejected_urls:
            raise ApiError(400, self._rejected_urls[text])
        known = self._files.get(text)
        if known is not None:
            if known.kind != kind:
                raise ApiError(
                    400,
                    f"Bad Request: can't use file of type {known.kind.title()} as {kind.title()}",
                )
            return known, known.source, known.content
        url = urlsplit(text)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise ApiError(400, _NOT_A_FILE)
        return None, text, None

    def _send_media(self, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        """sendPhoto and sendDocument: check, record in the chat, answer the Message."""
        known, source, content = self._source(params.get(kind), kind)
        if known is None and content is not None:
            if kind == "photo" and not content.startswith(_IMAGE_MAGIC):
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            if len(content) > MAX_UPLOAD:
                raise ApiError(413, "Request Entity Too Large")
        caption = str(params.get("caption") or "")
        parse_mode = params.get("parse_mode")
        check_caption(caption, parse_mode)
        check_reply_markup(params.get("reply_markup"))
        upload = params.get(kind)
        if known is None:
            name = upload.filename if isinstance(upload, UploadedFile) else None
            name = name or (posixpath.basename(urlsplit(source).path) or None)
            mime = upload.content_type if isinstance(upload, UploadedFile) else None
            if kind == "photo":
                name = mime = None  # a photo is re-encoded: Telegram keeps no name
            known = self._store(kind, source, content, name, mime)
        message = SentMessage(
            message_id=next(self._message_ids),
            chat_id=params["chat_id"],
            text=caption,
            parse_mode=parse_mode,
            reply_markup=params.get("reply_markup"),
            link_preview_disabled=False,
            at=time.monotonic(),
            kind=kind,
            photo=source if kind == "photo" else None,
            document_name=known.file_name if kind == "document" else None,
            document_bytes=known.content if kind == "document" else None,
            file_id=known.file_id,
            thread_id=params.get("message_thread_id"),
            silent=bool(params.get("disable_notification")),
        )
        if self.keep_messages:
            self._chats[message.chat_id].append(message)
        self._sent_times.append(message.at)
        body = self._message_json(message)
        if params.get("show_caption_above_media") and caption:
            body["show_caption_above_media"] = True
        return body

    async def _handle_file(self, request: web.Request) -> web.Response:
        """GET /file/bot<token>/<file_path>: a file's bytes, once getFile named its path."""
        stored = self._file_paths.get(request.match_info["file_path"])
        if request.match_info["token"] != self.token or stored is None or stored.content is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(body=stored.content, content_type="application/octet-stream")

    # -- Bot API methods ---------------------------------------------------------------------

    async def _api_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media("photo", params)

    async def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media("document", params)

    async def _api_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if (stored.size or 0) > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        if stored.file_path is None:
            folder = "photos" if stored.kind == "photo" else "documents"
            suffix = posixpath.splitext(stored.file_name or "")[1] or (
                ".jpg" if stored.kind == "photo" else ""
            )
            stored.file_path = f"{folder}/file_{stored.file_unique_id}{suffix}"
            self._file_paths[stored.file_path] = stored
        body = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if stored.size is not None:
            body["file_size"] = stored.size
        return body | {"file_path": stored.file_path}

    async def _api_createForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        name = str(params.get("name") or "")
        if not 1 <= len(name) <= 128:
            raise TelegramHTMLError("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_INVALID")
        if not self.chat(params["chat_id"]).is_forum:
            raise TelegramHTMLError("the chat is not a forum")
        thread_id = self.create_topic(params["chat_id"], name)
        topic = self._topics[params["chat_id"]][thread_id]
        return {"message_thread_id": thread_id, "name": name, "icon_color": topic.icon_color}

    async def _api_closeForumTopic(self, params: dict[str, Any]) -> bool:
        self._bot_topic(params).closed = True
        return True

    async def _api_reopenForumTopic(self, params: dict[str, Any]) -> bool:
        self._bot_topic(params).closed = False
        return True

    async def _api_deleteForumTopic(self, params: dict[str, Any]) -> bool:
        self._bot_topic(params)
        self.delete_topic(params["chat_id"], params["message_thread_id"])
        return True

    def _bot_topic(self, params: dict[str, Any]) -> ForumTopic:
        """The topic a topic method names, or the 400 Telegram answers."""
        if not self.chat(params["chat_id"]).is_forum:
            raise TelegramHTMLError("the chat is not a forum")
        topic = self._topics.get(params["chat_id"], {}).get(params.get("message_thread_id"))
        if topic is None:
            raise TelegramHTMLError("message thread not found")
        return topic


# Every Bot API method can be redirected, these too (see fake_bot_api_methods).
for _name, _handler in list(vars(ChatsAndMediaMethods).items()):
    if _name.startswith("_api_"):
        setattr(ChatsAndMediaMethods, _name, redirectable(_name.removeprefix("_api_"), _handler))
