"""The command menu Telegram shows (setMyCommands): what each kind of chat can use.

Scopes, most specific first as Telegram picks them: an admin's private chat lists everything;
other private chats add the channel commands (a channel is managed from a private chat);
groups get the subscriber commands; the default scope is the same list, for clients that ask
without a chat."""

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
    ("follow", "Follow words of your own: /follow ukraine grain"),
    ("mute", "Leave stories out: /mute football"),
    ("settings", "Your settings and options, with buttons"),
    ("pause", "Pause scheduled briefings"),
    ("resume", "Resume scheduled briefings"),
    ("stop", "Unsubscribe and forget this chat"),
)

# Only in private chats: a channel is added and managed from there (bot/handlers/channels.py).
CHANNEL_COMMANDS: tuple[tuple[str, str], ...] = (
    ("addchannel", "Post briefings in your channel: /addchannel @name"),
    ("channels", "The channels you added"),
    ("removechannel", "Stop a channel's briefings: /removechannel @name"),
)

ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("addtopic", 'Add a topic: /addtopic "World News" ukraine'),
    ("deltopic", "Remove a topic (asks first): /deltopic World News"),
    ("addfeed", "Add a feed or a site's page: /addfeed Tech https://…"),
    ("feeds", "Feeds by number, health and weight, with buttons"),
    ("delfeed", "Remove a feed (asks first): /delfeed 12"),
    ("pausefeed", "Stop checking a feed: /pausefeed 12"),
    ("resumefeed", "Check a paused feed again: /resumefeed 12"),
    ("feedweight", "Weigh a feed in briefings: /feedweight 12 2"),
    ("stats", "Subscribers, briefings, articles, queue"),
    ("broadcast", "Message every active subscriber (preview first)"),
    ("export", "Send the feeds as an OPML file"),
)


def bot_commands(pairs: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    """BotCommand objects for setMyCommands."""
    return [BotCommand(name, description) for name, description in pairs]
