"""Helpers of the fake Bot API server: request decoding, Telegram HTML checking, JSON shapes."""

from __future__ import annotations

import json
import re
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from sandbox.telegram_html import TelegramHTMLError, visible_text

BOT_USER_ID = 100_000_001
MAX_TEXT = 4096
MAX_CAPTION = 1024  # UTF-16 code units after entity parsing, as for a message's text
MAX_CALLBACK_DATA = 64  # bytes of UTF-8, Telegram's limit for an inline button's data

# Parameters PTB sends JSON-encoded inside a form; everything else is a plain string.
_JSON_PARAMS = {
    "reply_markup",
    "link_preview_options",
    "entities",
    "allowed_updates",
    "commands",
    "scope",
    "reply_parameters",
    "caption_entities",
}
_INT_PARAMS = {
    "chat_id", "message_id", "offset", "limit", "timeout", "cache_time", "user_id",
    "message_thread_id",
}  # fmt: skip
# Never coerced: a file_id or URL that happens to read "true" stays a string.
_TEXT_PARAMS = {
    "text", "caption", "callback_query_id", "url", "secret_token", "parse_mode", "file_id",
    "photo", "document", "name", "language_code",
}  # fmt: skip

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")


@dataclass
class SentMessage:
    """A message as the chat holds it (after any edits)."""

    message_id: int
    chat_id: int
    text: str  # as the bot sent it (HTML when parse_mode is HTML)
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    link_preview_disabled: bool
    at: float
    edits: int = 0
    kind: str = "text"  # "text", "photo" or "document"; a media message's caption is `text`
    photo: str | None = None  # the photo's URL, or "upload:<filename>" for an uploaded one
    document_name: str | None = None
    document_bytes: bytes | None = None  # None when Telegram fetched the document by URL
    file_id: str | None = None  # of the photo or document, as Telegram named it
    thread_id: int | None = None  # message_thread_id: the forum topic (or reply thread)
    silent: bool = False  # disable_notification: delivered without a sound
    link_preview: dict[str, Any] | None = None  # link_preview_options as sent, if any

    @property
    def plain_text(self) -> str:
        """The text as the subscriber reads it: tags removed, entities decoded."""
        return plain_text_of(self.text, self.parse_mode)

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """Every inline button as (label, callback data or URL)."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [
            (button["text"], button.get("callback_data") or button.get("url", ""))
            for row in rows
            for button in row
        ]


@dataclass(frozen=True)
class FakeChat:
    """A chat users talk to the bot from: private (positive id) or group (negative id); with
    `type` "supergroup" (`is_forum`: a forum, messages in topics) or "channel" (see add_chat)."""

    id: int
    type: str = ""
    is_forum: bool = False
    username: str | None = None  # without "@": getChat and every method accept "@username"
    title: str | None = None

    @property
    def kind(self) -> str:
        """'private', 'group', 'supergroup' or 'channel'."""
        return self.type or ("private" if self.id > 0 else "group")

    @property
    def default_user_id(self) -> int:
        """Who speaks when no user is given: the chat's own user in a private chat."""
        return self.id if self.id > 0 else 7_000_000 + abs(self.id) % 1_000_000


@dataclass
class ForumTopic:
    """A topic of a forum supergroup; its message_thread_id is the key it is stored under."""

    name: str
    closed: bool = False
    icon_color: int = 7_322_096  # Telegram's default (blue)


@dataclass
class StoredFile:
    """A file Telegram holds: a user's document, or a photo or document the bot sent."""

    file_id: str
    file_unique_id: str
    kind: str  # "photo" or "document"
    source: str  # the URL Telegram fetched it from, or "upload:<filename>"
    content: bytes | None  # None when fetched by URL: the fake server never downloads
    file_name: str | None = None
    mime_type: str | None = None
    file_path: str | None = None  # set by getFile; the file is downloadable from then on

    @property
    def size(self) -> int | None:
        """Bytes, when the server has the content."""
        return None if self.content is None else len(self.content)


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request (PTB's InputFile): what the bot uploaded."""

    filename: str
    content: bytes
    content_type: str


class ApiError(Exception):
    """An error answer of a Bot API method: HTTP status and Telegram's full description."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


async def parse_params(request: web.Request) -> dict[str, Any]:
    """Decode a Bot API request the way PTB sends it: query, form fields or a JSON body; the
    file parts of a multipart upload become UploadedFile values."""
    params: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            params.update(body if isinstance(body, dict) else {})
            return params
        if request.content_type.startswith("multipart/"):
            params.update(await _multipart(request))
        else:
            form = await request.post()
            params.update({key: value for key, value in form.items() if isinstance(value, str)})
    return {key: _coerce(key, value) for key, value in params.items()}


async def _multipart(request: web.Request) -> dict[str, Any]:
    # Read part by part rather than request.post(), which spools files to open temporary
    # files: an upload is kept as bytes in the recorded call and the chat, nothing to close.
    fields: dict[str, Any] = {}
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename is None:
            fields[part.name] = await part.text()
        else:
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            fields[part.name] = UploadedFile(part.filename, await part.read(), content_type)
    return fields


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in _TEXT_PARAMS:
        return value
    if name in _JSON_PARAMS:
        return json.loads(value)
    if name in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value  # e.g. "@channelname"
    if value in ("true", "false"):
        return value == "true"
    return value


def plain_text_of(text: str, parse_mode: Any) -> str:
    """What the reader sees; raises TelegramHTMLError where Telegram would refuse the HTML."""
    if str(parse_mode or "").upper() != "HTML":
        return text
    return visible_text(text)


class TelegramLimits:
    """Telegram's flood limits as sliding windows: 30 messages/s (1,000/s for messages sent with
    `allow_paid_broadcast`), 1/s per chat, 20/min per group."""

    OVERALL_PER_SECOND = 30
    PAID_PER_SECOND = 1000
    GROUP_PER_MINUTE = 20
    CHAT_SECONDS = 1.0

    def __init__(self) -> None:
        self.overall: deque[float] = deque()
        self.per_chat: dict[int, float] = {}
        self.per_group: dict[int, deque[float]] = defaultdict(deque)
        self.refusals: list[tuple[float, str]] = []  # (when, which limit): what a test reports
        self.admitted: list[float] = []  # when each message counted (arrival, as Telegram counts)

    def admit(self, chat_id: Any, now: float, *, paid: bool = False) -> int:
        """Seconds to wait if a message now would break a limit; 0 (and counted) otherwise."""
        while self.overall and now - self.overall[0] >= 1.0:
            self.overall.popleft()
        if len(self.overall) >= (self.PAID_PER_SECOND if paid else self.OVERALL_PER_SECOND):
            self.refusals.append((now, "overall"))
            return 1
        if isinstance(chat_id, int):
            last = self.per_chat.get(chat_id)
            if last is not None and now - last < self.CHAT_SECONDS:
                self.refusals.append((now, f"chat {chat_id}: {now - last:.3f} s after the last"))
                return 1
            if chat_id < 0:
                window = self.per_group[chat_id]
                while window and now - window[0] >= 60.0:
                    window.popleft()
                if len(window) >= self.GROUP_PER_MINUTE:
                    self.refusals.append((now, f"group {chat_id}"))
                    return max(1, int(60.0 - (now - window[0])) + 1)
                window.append(now)
            self.per_chat[chat_id] = now
        self.overall.append(now)
        self.admitted.append(now)
        return 0


def chat_json(chat: FakeChat) -> dict[str, Any]:
    """A Chat object as Telegram sends it."""
    body: dict[str, Any] = {"id": chat.id, "type": chat.kind}
    if chat.kind == "private":
        body["first_name"] = f"User{chat.id}"
    else:
        default = "Channel" if chat.kind == "channel" else "Group"
        body["title"] = chat.title or f"{default} {abs(chat.id)}"
    if chat.username:
        body["username"] = chat.username
    if chat.is_forum:
        body["is_forum"] = True
    return body


def bot_json(username: str) -> dict[str, Any]:
    """The bot itself as a User object (a ChatMember's user, a message's sender)."""
    return {"id": BOT_USER_ID, "is_bot": True, "first_name": "newsbrief", "username": username}


def user_json(user_id: int) -> dict[str, Any]:
    """A User object for a human sender."""
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": f"User{user_id}",
        "username": f"user{user_id}",
        "language_code": "en",
    }


# Telegram's placeholder sender of a message an anonymous group admin writes as the group.
ANONYMOUS_ADMIN = {
    "id": 1_087_968_824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
_ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories",
)  # fmt: skip
_MEMBER_RIGHTS = (
    "can_change_info", "can_invite_users", "can_pin_messages", "can_send_messages",
    "can_send_polls", "can_send_other_messages", "can_add_web_page_previews",
    "can_manage_topics", "can_send_audios", "can_send_documents", "can_send_photos",
    "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_edit_tag",
)  # fmt: skip
# An administrator's rights that exist only in channels; Telegram's "add admin" screen has them
# on by default, so an administrator without a `rights` mapping may post.
_CHANNEL_ADMIN_RIGHTS = ("can_post_messages", "can_edit_messages")
_RIGHTS_OF = {
    "administrator": {
        *_ADMIN_RIGHTS, *_CHANNEL_ADMIN_RIGHTS, "can_pin_messages", "can_manage_topics",
        "is_anonymous",
    },
    "restricted": {*_MEMBER_RIGHTS, "is_member"},
}  # fmt: skip
MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")


def check_rights(status: str, rights: Mapping[str, Any] | None) -> dict[str, bool]:
    """Rights a test gives a member, checked: known ChatMember fields of that status only."""
    if status not in MEMBER_STATUSES:
        raise ValueError(f"unknown chat member status {status!r}")
    if not rights:
        return {}
    allowed = _RIGHTS_OF.get(status, set())
    unknown = sorted(set(rights) - allowed)
    if unknown:
        raise ValueError(f"not rights of a {status!r} chat member: {', '.join(unknown)}")
    return {name: bool(value) for name, value in rights.items()}


def chat_member_json(
    user_id: int,
    status: str,
    rights: Mapping[str, Any] | None = None,
    *,
    channel: bool = False,
    user: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ChatMember object as getChatMember returns it, with the fields its status requires;
    `rights` overrides an administrator's (all granted) or a restricted member's (none)."""
    body: dict[str, Any] = {"status": status, "user": user or user_json(user_id)}
    if status == "creator":
        body["is_anonymous"] = False
    elif status == "administrator":
        body |= {"can_be_edited": False, "is_anonymous": False}
        body |= dict.fromkeys(_ADMIN_RIGHTS, True)
        if channel:
            body |= dict.fromkeys(_CHANNEL_ADMIN_RIGHTS, True)
    elif status == "restricted":
        body |= {"is_member": True, "until_date": 0} | dict.fromkeys(_MEMBER_RIGHTS, False)
    elif status == "kicked":
        body["until_date"] = 0
    if status in _RIGHTS_OF:
        body |= dict(rights or {})
    return body


def document_json(stored: StoredFile) -> dict[str, Any]:
    """A Document object."""
    body: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.file_name:
        body["file_name"] = stored.file_name
    if stored.mime_type:
        body["mime_type"] = stored.mime_type
    if stored.size is not None:
        body["file_size"] = stored.size
    return body


def photo_sizes_json(stored: StoredFile) -> list[dict[str, Any]]:
    """The PhotoSize list of a sent photo: a thumbnail and the full picture."""
    full = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": 1280,
        "height": 720,
    }
    if stored.size is not None:
        full["file_size"] = stored.size
    small = {
        "file_id": f"{stored.file_id}s",
        "file_unique_id": f"{stored.file_unique_id}s",
        "width": 90,
        "height": 51,
    }
    return [small, full]


def command_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command entity Telegram attaches to a message starting with a command."""
    match = _COMMAND_RE.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": len(match.group(0))}]


def check_entities(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entities a test attaches to a user's message, checked as Telegram would never send them
    otherwise: inside the text (UTF-16 code units), non-empty, links with a URL."""
    size = len(text.encode("utf-16-le")) // 2
    for entity in entities:
        offset, length = int(entity["offset"]), int(entity["length"])
        if offset < 0 or length <= 0 or offset + length > size:
            raise ValueError(f"entity {entity} is outside the text ({size} UTF-16 units)")
        if entity["type"] == "text_link" and not entity.get("url"):
            raise ValueError(f"a text_link entity needs a url: {entity}")
    return [dict(entity) for entity in entities]


def quote_json(original: str, quote: str) -> dict[str, Any]:
    """The TextQuote of a reply quoting part of `original` (position in UTF-16 code units)."""
    position = original.find(quote)
    if position < 0:
        raise ValueError(f"{quote!r} is not part of the message it quotes")
    return {
        "text": quote,
        "position": len(original[:position].encode("utf-16-le")) // 2,
        "is_manual": True,
    }


def check_text(text: str, parse_mode: Any) -> None:
    """Refuse what Telegram refuses: empty text, bad HTML, more than 4096 characters."""
    plain = plain_text_of(text, parse_mode)  # raises TelegramHTMLError on bad markup
    if not plain.strip():
        raise TelegramHTMLError("message text is empty")
    if len(plain.encode("utf-16-le")) // 2 > MAX_TEXT:
        raise TelegramHTMLError("message is too long")


def check_caption(caption: str, parse_mode: Any) -> None:
    """Refuse what Telegram refuses in a media caption: bad HTML, more than 1,024 characters
    (an empty caption is no caption)."""
    plain = plain_text_of(caption, parse_mode)  # raises TelegramHTMLError on bad markup
    if len(plain.encode("utf-16-le")) // 2 > MAX_CAPTION:
        raise TelegramHTMLError("message caption is too long")


def check_reply_markup(markup: Any) -> None:
    """Refuse what Telegram refuses in an inline keyboard: callback data of 0 or > 64 bytes."""
    if not isinstance(markup, dict):
        return
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            data = button.get("callback_data") if isinstance(button, dict) else None
            if data is None:
                continue
            if not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA:
                raise TelegramHTMLError("BUTTON_DATA_INVALID")


@dataclass
class Redirect:
    """A planned redirect answer (307, method and body kept) for matching requests."""

    method: str | None
    location: str | None  # None: the request's own URL, a loop the client gives up on
    remaining: int | None  # None: until cleared
