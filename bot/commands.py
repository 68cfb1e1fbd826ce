"""The command menu Telegram shows (setMyCommands): what each kind of chat can use.

Scopes, most specific first as Telegram picks them: an admin's private chat lists everything;
other private chats add the channel commands (a channel is managed from a private chat);
groups get the subscriber commands; the default scope is the same list, for clients that ask
without a chat.

Descriptions are gettext message ids, translated where they are shown: one menu per language
(setMyCommands' language_code) and /help in the chat's language."""

from __future__ import annotations

from telegram import BotCommand

from bot.i18n import N_, _

SUBSCRIBER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Register and pick topics")),
    ("help", N_("What I can do")),
    ("topics", N_("Topics to follow (tap to toggle)")),
    ("subscribe", N_("Follow a topic: /subscribe tech")),
    ("unsubscribe", N_("Stop following a topic: /unsubscribe tech")),
    ("briefing", N_("Your briefing now")),
    ("more", N_("Ask about the news: /more ukraine talks")),
    ("search", N_("Find stories: /search bridge repairs")),
    ("time", N_("Delivery times: /time 07:30 18:00")),
    ("timezone", N_("Your timezone: /timezone Europe/Berlin")),
    ("follow", N_("Follow words of your own: /follow ukraine grain")),
    ("mute", N_("Leave stories out: /mute football")),
    ("settings", N_("Your settings and options, with buttons")),
    ("language", N_("The language I speak here: /language")),
    ("pause", N_("Pause scheduled briefings")),
    ("resume", N_("Resume scheduled briefings")),
    ("stop", N_("Unsubscribe and forget this chat")),
)

# Only in private chats: a channel is added and managed from there (bot/handlers/channels.py).
CHANNEL_COMMANDS: tuple[tuple[str, str], ...] = (
    ("addchannel", N_("Post briefings in your channel: /addchannel @name")),
    ("channels", N_("The channels you added")),
    ("removechannel", N_("Stop a channel's briefings: /removechannel @name")),
)

ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("addtopic", N_('Add a topic: /addtopic "World News" ukraine')),
    ("deltopic", N_("Remove a topic (asks first): /deltopic World News")),
    ("addfeed", N_("Add a feed or a site's page: /addfeed Tech https://…")),
    ("feeds", N_("Feeds by number, health and weight, with buttons")),
    ("delfeed", N_("Remove a feed (asks first): /delfeed 12")),
    ("pausefeed", N_("Stop checking a feed: /pausefeed 12")),
    ("resumefeed", N_("Check a paused feed again: /resumefeed 12")),
    ("feedweight", N_("Weigh a feed in briefings: /feedweight 12 2")),
    ("stats", N_("Subscribers, briefings, articles, queue")),
    ("broadcast", N_("Message every active subscriber (preview first)")),
    ("export", N_("Send the feeds as an OPML file")),
)


def bot_commands(pairs: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    """BotCommand objects for setMyCommands, described in the current language (command
    names stay English: they are what people type)."""
    return [BotCommand(name, _(description)) for name, description in pairs]
