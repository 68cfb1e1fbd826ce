"""The command menu Telegram shows (setMyCommands), for subscribers and for admins."""

from __future__ import annotations

from telegram import BotCommand

SUBSCRIBER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Register and pick topics"),
    ("help", "What I can do"),
    ("topics", "Topics to follow (tap to toggle)"),
    ("subscribe", "Follow a topic: /subscribe tech"),
    ("unsubscribe", "Stop following a topic: /unsubscribe tech"),
    ("briefing", "Your briefing now"),
    ("more", "Ask about the news: /more ukraine talks"),
    ("search", "Find stories: /search bridge repairs"),
    ("time", "Delivery times: /time 07:30 18:00"),
    ("timezone", "Your timezone: /timezone Europe/Berlin"),
    ("settings", "Show your settings"),
    ("pause", "Pause scheduled briefings"),
    ("resume", "Resume scheduled briefings"),
    ("stop", "Unsubscribe and forget this chat"),
)

ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("addtopic", "Add a topic: /addtopic Tech ai chips"),
    ("deltopic", "Remove a topic: /deltopic tech"),
    ("addfeed", "Add a feed: /addfeed tech https://…"),
    ("delfeed", "Remove a feed: /delfeed https://…"),
    ("feeds", "Feeds and their health"),
    ("feedweight", "Weigh a feed in briefings: /feedweight https://… 2"),
    ("stats", "Subscribers, briefings, articles, queue"),
    ("broadcast", "Message every active subscriber"),
)


def bot_commands(pairs: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    """BotCommand objects for setMyCommands."""
    return [BotCommand(name, description) for name, description in pairs]
