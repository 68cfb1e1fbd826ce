"""The fake server's HTTP surface as a mixin of `FakeBotAPI`: Bot API methods, /_fake control."""

from __future__ import annotations

import base64
import contextlib
import functools
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.fake_bot_api_support import (
    BOT_USER_ID,
    MAX_TEXT,
    ApiError,
    FakeChat,
    Redirect,
    SentMessage,
    TelegramHTMLError,
    TelegramLimits,
    chat_json,
    check_caption,
    check_reply_markup,
    check_text,
    plain_text_of,
)


class BotApiMethods:
    """getMe, getUpdates, sendMessage, edits, commands, webhooks...: one `_api_<name>` each.

    The state lives on FakeBotAPI; the attributes below are what these methods use of it.
    """

    username: str
    keep_messages: bool
    commands: dict[str, list[dict[str, Any]]]
    localized_commands: dict[tuple[str, str], list[dict[str, Any]]]
    webhook: dict[str, Any]
    members: dict[tuple[int, int], str]
    _chats: dict[int, list[SentMessage]]
    _updates: list[dict[str, Any]]
    _message_ids: itertools.count[int]
    _sent_times: list[float]
    _closing: bool

    calls: list[Any]
    status_counts: dict[int, int]
    rejected_by_limits: int
    _limits: TelegramLimits

    if TYPE_CHECKING:  # provided by FakeBotAPI

        async def _wait_until(self, predicate: Callable[[], bool], within: float) -> None: ...

        def _record(self, method: str, params: dict[str, Any], status: int) -> None: ...

        def inject_message(
            self,
            chat: FakeChat | int,
            text: str,
            *,
            user_id: int | None = None,
            entities: list[dict[str, Any]] | None = None,
            thread_id: int | None = None,
        ) -> dict[str, Any]: ...

        def inject_callback(
            self, chat: FakeChat | int, message_id: int, data: str
        ) -> dict[str, Any]: ...

        def messages(
            self, chat_id: int | None = None, *, thread_id: int | None = None
        ) -> list[SentMessage]: ...

        # provided by ChatsAndMediaMethods (sandbox/fake_bot_api_media.py)
        def chat(self, chat_id: int | str) -> FakeChat: ...

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
        ) -> dict[str, Any]: ...

        def inject_channel_post(self, channel_id: int, text: str) -> dict[str, Any]: ...

        def inject_forwarded_from_channel(
            self, private_chat: FakeChat | int, channel_id: int, text: str, user_id: int | None
        ) -> dict[str, Any]: ...

        def inject_my_chat_member(
            self,
            chat: FakeChat | int,
            new_status: str,
            *,
            old_status: str = "left",
            by_user: int | None = None,
            rights: dict[str, Any] | None = None,
        ) -> dict[str, Any]: ...

        def _member_json(self, chat_id: int, user_id: int) -> dict[str, Any]: ...

        def _media_json(self, message: SentMessage) -> dict[str, Any]: ...

    # -- redirects (a fault mode: a misconfigured proxy or a moved Bot API) -----------------

    def redirect(
        self,
        method: str | None = "sendMessage",
        *,
        location: str | None = None,
        times: int | None = None,
    ) -> Redirect:
        """Answer matching requests `times` times (None: until cleared) with 307 to `location`;
        without one, to the request's own URL: a loop the client gives up on, naming the URL."""
        planned = Redirect(method, location, times)
        self._planned_redirects.append(planned)
        return planned

    def clear_redirects(self) -> None:
        """Stop redirecting."""
        self._planned_redirects.clear()

    @property
    def _planned_redirects(self) -> list[Redirect]:
        # Created on first use, so the server's constructor needs no part in it.
        return self.__dict__.setdefault("_redirects", [])  # type: ignore[no-any-return]

    def _redirect_for(self, method: str) -> Redirect | None:
        for planned in self._planned_redirects:
            if planned.method not in (None, method):
                continue
            if planned.remaining is not None:
                if planned.remaining <= 0:
                    continue
                planned.remaining -= 1
            return planned
        return None

    # -- control endpoints (for a server in another process) --------------------------------

    async def _handle_stats(self, _request: web.Request) -> web.Response:
        times = self._sent_times
        return web.json_response(
            {
                "messages": len(times),
                "rejected_by_limits": self.rejected_by_limits,
                "status_counts": {str(k): v for k, v in self.status_counts.items()},
                "first_message_at": times[0] if times else None,
                "last_message_at": times[-1] if times else None,
                "sent_times": times if _wants(_request, "times") else None,
            }
        )

    async def _handle_inject(self, request: web.Request) -> web.Response:
        body = await request.json()
        try:
            update = self._inject(body)
        except (KeyError, ValueError, LookupError) as exc:  # the test's mistake: say which
            return web.json_response({"ok": False, "error": repr(exc)}, status=400)
        return web.json_response(update)

    def _inject(self, body: dict[str, Any]) -> dict[str, Any]:
        """One /_fake/inject request: "kind" picks what happens (default: a text message)."""
        kind = body.get("kind") or ("callback" if "data" in body else "message")
        chat_id, user_id = body["chat_id"], body.get("user_id")
        if kind == "callback":
            return self.inject_callback(chat_id, body["message_id"], body["data"])
        if kind == "channel_post":
            return self.inject_channel_post(chat_id, body["text"])
        if kind == "document":
            content = base64.b64decode(body["content_base64"])
            return self.inject_document(
                chat_id,
                body["file_name"],
                content,
                caption=body.get("caption"),
                user_id=user_id,
                mime_type=body.get("mime_type"),
                thread_id=body.get("thread_id"),
            )
        if kind == "forwarded_from_channel":
            return self.inject_forwarded_from_channel(
                chat_id, body["channel_id"], body["text"], user_id
            )
        if kind == "my_chat_member":
            return self.inject_my_chat_member(
                chat_id,
                body["new_status"],
                old_status=body.get("old_status", "left"),
                by_user=body.get("by_user"),
                rights=body.get("rights"),
            )
        if kind != "message":
            raise ValueError(f"unknown kind {kind!r}")
        return self.inject_message(
            chat_id,
            body["text"],
            user_id=user_id,
            entities=body.get("entities"),
            thread_id=body.get("thread_id"),
        )

    async def _handle_messages(self, request: web.Request) -> web.Response:
        chat_id = int(request.query["chat_id"])
        thread = request.query.get("thread_id")
        return web.json_response(
            [
                {
                    "message_id": m.message_id,
                    "text": m.text,
                    "plain_text": m.plain_text,
                    "buttons": m.buttons,
                    "kind": m.kind,
                    "photo": m.photo,
                    "document_name": m.document_name,
                    "thread_id": m.thread_id,
                    "silent": m.silent,
                }
                for m in self.messages(chat_id, thread_id=int(thread) if thread else None)
            ]
        )

    async def _handle_reset(self, _request: web.Request) -> web.Response:
        self.calls.clear()
        self._chats.clear()
        self._sent_times.clear()
        self.status_counts.clear()
        self.rejected_by_limits = 0
        self._limits = TelegramLimits()
        return web.json_response({"ok": True})

    # -- Bot API methods ---------------------------------------------------------------------

    async def _api_getMe(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_USER_ID,
            "is_bot": True,
            "first_name": "newsbrief",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            # Telegram forgets every update below the offset: it was confirmed.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0:
            with contextlib.suppress(TimeoutError):
                await self._wait_until(lambda: bool(self._updates) or self._closing, timeout)
        return self._updates[:limit]

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params["chat_id"]
        text = str(params.get("text", ""))
        parse_mode = params.get("parse_mode")
        if self.keep_messages:
            check_text(text, parse_mode)
        elif len(text) > MAX_TEXT:  # count-only (benchmarks): the length, not the markup
            raise TelegramHTMLError("message is too long")
        check_reply_markup(params.get("reply_markup"))
        preview = params.get("link_preview_options") or {}
        message = SentMessage(
            message_id=next(self._message_ids),
            chat_id=chat_id,
            text=text,
            parse_mode=parse_mode,
            reply_markup=params.get("reply_markup"),
            link_preview_disabled=bool(
                preview.get("is_disabled") or params.get("disable_web_page_preview")
            ),
            at=time.monotonic(),
            thread_id=params.get("message_thread_id"),
            silent=bool(params.get("disable_notification")),
            link_preview=dict(preview) or None,
        )
        if self.keep_messages:
            self._chats[chat_id].append(message)
        self._sent_times.append(message.at)
        return self._message_json(message)

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find_message(params.get("chat_id"), params.get("message_id"))
        if message is None:
            raise TelegramHTMLError("message to edit not found")
        if message.kind != "text":  # a photo's or document's caption: editMessageCaption
            raise TelegramHTMLError("there is no text in the message to edit")
        text = str(params.get("text", ""))
        parse_mode = params.get("parse_mode")
        check_text(text, parse_mode)
        markup = params.get("reply_markup")
        check_reply_markup(markup)
        if text == message.text and markup == message.reply_markup:
            raise TelegramHTMLError(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        message.text, message.parse_mode, message.reply_markup = text, parse_mode, markup
        message.edits += 1
        return self._message_json(message)

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find_message(params.get("chat_id"), params.get("message_id"))
        if message is None:
            raise TelegramHTMLError("message to edit not found")
        markup = params.get("reply_markup")
        check_reply_markup(markup)
        if (markup or None) == (message.reply_markup or None):
            raise TelegramHTMLError(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        message.reply_markup = markup
        message.edits += 1
        return self._message_json(message)

    async def _api_editMessageCaption(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find_message(params.get("chat_id"), params.get("message_id"))
        if message is None:
            raise TelegramHTMLError("message to edit not found")
        if message.kind == "text":
            raise TelegramHTMLError("there is no caption in the message to edit")
        caption = str(params.get("caption") or "")
        parse_mode = params.get("parse_mode")
        check_caption(caption, parse_mode)
        markup = params.get("reply_markup")
        check_reply_markup(markup)
        same = plain_text_of(caption, parse_mode) == message.plain_text
        if same and caption == message.text and markup == message.reply_markup:
            raise TelegramHTMLError(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        message.text, message.parse_mode, message.reply_markup = caption, parse_mode, markup
        message.edits += 1
        return self._message_json(message)

    async def _api_answerCallbackQuery(self, _params: dict[str, Any]) -> bool:
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        scope, language = _command_scope(params)
        commands = list(params.get("commands") or [])
        if language:  # a list for one language: kept apart, `commands` stays by scope alone
            self.localized_commands[(scope, language)] = commands
        else:
            self.commands[scope] = commands
        return True

    async def _api_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        scope, language = _command_scope(params)
        if language:
            return self.localized_commands.get((scope, language), [])
        return self.commands.get(scope, [])

    async def _api_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        scope, language = _command_scope(params)
        if language:
            self.localized_commands.pop((scope, language), None)
        else:
            self.commands.pop(scope, None)
        return True

    async def _api_deleteWebhook(self, _params: dict[str, Any]) -> bool:
        self.webhook = {}
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = dict(params)
        return True

    async def _api_getWebhookInfo(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _api_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params["chat_id"]
        if not isinstance(chat_id, int):  # an @username no chat has (known ones are resolved)
            raise ApiError(400, "Bad Request: chat not found")
        return {**chat_json(self.chat(chat_id)), "accent_color_id": 0, "max_reaction_count": 0}

    async def _api_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = params["chat_id"], params["user_id"]
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        return self._member_json(chat_id, user_id)

    async def _api_sendChatAction(self, _params: dict[str, Any]) -> bool:
        return True

    async def _api_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat = self._chats.get(params.get("chat_id"), [])
        chat[:] = [m for m in chat if m.message_id != params.get("message_id")]
        return True

    # -- for tests ---------------------------------------------------------------------------

    def commands_for(
        self,
        scope_type: str = "default",
        chat_id: int | None = None,
        user_id: int | None = None,
        language_code: str | None = None,
    ) -> list[str]:
        """The command names setMyCommands set for exactly this scope (and language)."""
        scope: dict[str, Any] = {"type": scope_type}
        if chat_id is not None:
            scope["chat_id"] = chat_id
        if user_id is not None:
            scope["user_id"] = user_id
        key = json.dumps(scope, sort_keys=True)
        if language_code:
            commands = self.localized_commands.get((key, language_code), [])
        else:
            commands = self.commands.get(key, [])
        return [command["command"] for command in commands]

    # -- helpers ---------------------------------------------------------------------------

    def _find_message(self, chat_id: Any, message_id: Any) -> SentMessage | None:
        """A message the bot sent to a chat, by id."""
        for message in self._chats.get(chat_id, []):
            if message.message_id == message_id:
                return message
        return None

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        """The Message object Telegram returns for a sent message."""
        chat = self.chat(message.chat_id)
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": chat_json(chat),
        }
        if chat.kind == "channel":  # a channel's posts are written as the channel
            body["sender_chat"] = body["chat"]
        else:
            body["from"] = {"id": BOT_USER_ID, "is_bot": True, "first_name": "newsbrief"}
        if message.thread_id is not None:
            body["message_thread_id"] = message.thread_id
            if chat.is_forum:
                body["is_topic_message"] = True
        if message.kind == "text":
            body["text"] = message.plain_text
        else:
            body |= self._media_json(message)
        if message.link_preview:
            body["link_preview_options"] = message.link_preview
        if message.edits:
            body["edit_date"] = int(time.time())
        if message.reply_markup:
            body["reply_markup"] = message.reply_markup
        return body


def redirectable(
    method: str, handler: Callable[[Any, dict[str, Any]], Awaitable[Any]]
) -> Callable[[Any, dict[str, Any]], Awaitable[Any]]:
    """`handler`, answering 307 instead while a redirect for `method` is planned."""

    @functools.wraps(handler)
    async def answer(self: Any, params: dict[str, Any]) -> Any:
        planned = self._redirect_for(method)
        if planned is None:
            return await handler(self, params)
        self._record(method, params, 307)
        # A relative Location resolves against /bot<token>/<method>: the same URL.
        raise web.HTTPTemporaryRedirect(location=planned.location or method)

    return answer


# Every Bot API method can be redirected; the check runs after the server's other faults.
for _name, _handler in list(vars(BotApiMethods).items()):
    if _name.startswith("_api_"):
        setattr(BotApiMethods, _name, redirectable(_name.removeprefix("_api_"), _handler))


def _command_scope(params: dict[str, Any]) -> tuple[str, str]:
    """The key setMyCommands stores a list under: the scope as JSON, and the language."""
    scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
    return scope, str(params.get("language_code") or "")


def _wants(request: web.Request, name: str) -> bool:
    return request.query.get(name, "") in ("1", "true", "yes")
