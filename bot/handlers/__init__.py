"""Command, button and fallback handlers, registered on an Application in one place."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.handlers import admin, common, followups, subscriber, topics
from bot.views import MORE_CALLBACK, TOPIC_CALLBACK

SUBSCRIBER_HANDLERS = {
    "start": topics.start,
    "help": subscriber.show_help,
    "topics": topics.show_topics,
    "subscribe": topics.subscribe_command,
    "unsubscribe": topics.unsubscribe_command,
    "briefing": subscriber.briefing_now,
    "time": subscriber.set_times,
    "timezone": subscriber.set_timezone,
    "settings": subscriber.show_settings,
    "pause": subscriber.pause,
    "resume": subscriber.resume,
    "stop": subscriber.stop,
    "more": followups.more_command,
    "search": followups.search_command,
}

ADMIN_HANDLERS = {
    "addtopic": admin.add_topic_command,
    "deltopic": admin.delete_topic_command,
    "addfeed": admin.add_feed_command,
    "delfeed": admin.delete_feed_command,
    "feeds": admin.list_feeds_command,
    "feedweight": admin.feed_weight_command,
    "stats": admin.stats_command,
    "broadcast": admin.broadcast_command,
}

# Slow handlers (a feed fetched, an answer pooled in the worker pool) run beside the others
# instead of holding up every chat's updates.
NON_BLOCKING = {"addfeed", "more", "search"}


def register_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler: commands, buttons, then the fallbacks for anything else."""
    for name, callback in {**SUBSCRIBER_HANDLERS, **ADMIN_HANDLERS}.items():
        application.add_handler(CommandHandler(name, callback, block=name not in NON_BLOCKING))
    application.add_handler(CallbackQueryHandler(topics.toggle_topic, pattern=f"^{TOPIC_CALLBACK}"))
    application.add_handler(
        CallbackQueryHandler(
            subscriber.more_about_story, pattern=f"^{MORE_CALLBACK}", block=False
        )
    )
    application.add_handler(MessageHandler(filters.COMMAND, common.unknown_command))
    application.add_handler(
        # Groups: only commands (every chatter's message is not a question for the bot).
        MessageHandler(
            filters.TEXT & filters.ChatType.PRIVATE, followups.question_message, block=False
        )
    )
    application.add_error_handler(common.log_error)
