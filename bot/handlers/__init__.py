"""Command, button and fallback handlers, registered on an Application in one place."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.admin_views import BROADCAST_CALLBACK, DELETE_TOPIC_CALLBACK, FEED_CALLBACK
from bot.handlers import (
    admin,
    channels,
    common,
    followups,
    language,
    opml_files,
    preferences,
    subscriber,
    topics,
)
from bot.preference_views import OPTION_CALLBACK, UNFILTER_CALLBACK
from bot.views import BRIEFING_NOW_CALLBACK, MORE_CALLBACK, TIMEZONE_CALLBACK, TOPIC_CALLBACK

# Commands about the chat's own subscription; from a private chat, each also works on a
# channel its sender administers, named first (/time @channel 07:30).
CHAT_HANDLERS = {
    "topics": topics.show_topics,
    "subscribe": topics.subscribe_command,
    "unsubscribe": topics.unsubscribe_command,
    "briefing": subscriber.briefing_now,
    "time": subscriber.set_times,
    "timezone": subscriber.set_timezone,
    "settings": subscriber.show_settings,
    "follow": preferences.follow_command,
    "mute": preferences.mute_command,
    "language": language.language_command,
    "pause": subscriber.pause,
    "resume": subscriber.resume,
    "removechannel": channels.remove_channel_command,
}

SUBSCRIBER_HANDLERS = {
    "start": topics.start,
    "help": subscriber.show_help,
    **{name: channels.targetable(handler) for name, handler in CHAT_HANDLERS.items()},
    "stop": subscriber.stop,
    "more": followups.more_command,
    "search": followups.search_command,
    "addchannel": channels.add_channel_command,
    "channels": channels.list_channels_command,
}

ADMIN_HANDLERS = {
    "addtopic": admin.add_topic_command,
    "deltopic": admin.delete_topic_command,
    "addfeed": admin.add_feed_command,
    "delfeed": admin.delete_feed_command,
    "feeds": admin.list_feeds_command,
    "feedweight": admin.feed_weight_command,
    "pausefeed": admin.pause_feed_command,
    "resumefeed": admin.resume_feed_command,
    "stats": admin.stats_command,
    "broadcast": admin.broadcast_command,
    "export": opml_files.export_command,
}

# A button's data, optionally after the channel it is for.
TARGET = r"^(?:@\d+:)?"

# Slow handlers (a feed fetched, an answer pooled in the worker pool) run beside the others
# instead of holding up every chat's updates.
NON_BLOCKING = {"addfeed", "more", "search"}


def register_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler: commands, buttons, then the fallbacks for anything else."""
    for name, callback in {**SUBSCRIBER_HANDLERS, **ADMIN_HANDLERS}.items():
        application.add_handler(CommandHandler(name, callback, block=name not in NON_BLOCKING))
    # Buttons that may name a channel ("@<id>:" before their data, bot/handlers/channels.py).
    for pattern, callback in (
        (TOPIC_CALLBACK, topics.toggle_topic),
        (TIMEZONE_CALLBACK, subscriber.choose_timezone),
        (OPTION_CALLBACK, preferences.option_button),  # /settings: an option's button
        (UNFILTER_CALLBACK, preferences.unfilter_button),  # /settings: a phrase's remove button
        (language.LANGUAGE_CALLBACK, language.choose_language),  # /language: a language's button
    ):
        application.add_handler(
            CallbackQueryHandler(channels.targetable_button(callback), pattern=TARGET + pattern)
        )
    application.add_handler(
        CallbackQueryHandler(subscriber.more_about_story, pattern=f"^{MORE_CALLBACK}", block=False)
    )
    # The admins' buttons: a feed's, "Remove the topic?", a broadcast's Send / Cancel.
    application.add_handler(CallbackQueryHandler(admin.feed_button, pattern=f"^{FEED_CALLBACK}"))
    application.add_handler(
        CallbackQueryHandler(admin.delete_topic_button, pattern=f"^{DELETE_TOPIC_CALLBACK}")
    )
    application.add_handler(
        CallbackQueryHandler(admin.broadcast_button, pattern=f"^{BROADCAST_CALLBACK}")
    )
    application.add_handler(
        CallbackQueryHandler(topics.first_briefing, pattern=f"^{BRIEFING_NOW_CALLBACK}$")
    )
    # The bot added to, removed from or restricted in a chat; commands posted in a channel;
    # a channel's post forwarded to register it.
    application.add_handler(
        ChatMemberHandler(channels.bot_membership, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_handler(
        MessageHandler(filters.UpdateType.CHANNEL_POST & filters.COMMAND, channels.channel_command)
    )
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.FORWARDED & ~filters.COMMAND,
            channels.forwarded_post,
        )
    )
    # A file sent to the bot: an admin's OPML feed list (feeds fetched: beside the others).
    application.add_handler(
        MessageHandler(
            filters.Document.ALL & filters.ChatType.PRIVATE,
            opml_files.receive_document,
            block=False,
        )
    )
    # Any other button (an old keyboard, forged data) is still answered.
    application.add_handler(CallbackQueryHandler(common.unknown_button))
    application.add_handler(
        MessageHandler(filters.COMMAND & ~filters.UpdateType.CHANNEL_POSTS, common.unknown_command)
    )
    application.add_handler(
        MessageHandler(
            filters.TEXT & filters.ChatType.PRIVATE, followups.question_message, block=False
        )
    )
    # Groups: a question is a reply to the bot's own message (a briefing, an answer); the
    # chatter of the members is not for the bot.
    application.add_handler(
        MessageHandler(
            filters.TEXT & filters.REPLY & filters.ChatType.GROUPS & ~filters.COMMAND,
            followups.group_reply,
            block=False,
        )
    )
    # Before everything else: the chat's language for every answer, and a chat that had
    # blocked the bot and writes to it is back.
    application.add_handler(TypeHandler(Update, common.reactivate), group=-1)
    application.add_error_handler(common.log_error)
