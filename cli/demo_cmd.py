"""`newsbrief demo`: the whole pipeline offline, from sample feeds to the subscriber's chat."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.settings import Settings, load_settings
from collector.opml import parse_opml
from collector.service import Collector, CollectReport
from sandbox.fake_bot_api import BOT_USER_ID, FakeBotAPI, FakeChat, SentMessage
from sandbox.feed_server import LocalFeedServer
from sandbox.terminal_render import render_buttons, render_message
from storage.db import Database
from storage.feeds import FeedImport, import_feeds
from storage.migrate import upgrade

if TYPE_CHECKING:
    from bot.delivery import DeliveryWorker

# Package data of `sandbox`, so the demo also runs from an installed wheel.
EXAMPLES_DIR = Path(str(resources.files("sandbox") / "examples"))
DEMO_CHAT_ID = 424242
DEMO_ADMIN_ID = 1
# What the demo subscriber types, in order.
DEMO_CONVERSATION = ("/start", "/subscribe world", "/subscribe tech", "/subscribe science")
# The sample news in each language besides English: a German speaker follows it too.
LOCAL_TOPICS = {"de": "deutschland"}
# A channel its editor manages from a private chat, with the top story's lead image.
DEMO_CHANNEL_ID = -1009000000001
DEMO_CHANNEL = "@northbridge_news"
DEMO_EDITOR_ID = 515151
DEMO_CHANNEL_CONVERSATION = (
    f"/addchannel {DEMO_CHANNEL}",
    f"/subscribe {DEMO_CHANNEL} world",
)
# A forum group where one topic gets the Tech briefing.
DEMO_FORUM_ID = -1009000000002
DEMO_FORUM_CONVERSATION = ("/start", "/subscribe tech")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `demo` subcommand."""
    parser = subparsers.add_parser(
        "demo",
        help="run the whole pipeline offline on bundled sample feeds and show the briefing",
        description=(
            "Serves the bundled sample feeds and pages from a local HTTP server, collects "
            "and summarizes them, then plays a subscriber talking to the real bot through a "
            "local stand-in of the Telegram Bot API, and prints what the subscriber receives. "
            "Nothing leaves this machine; nothing is written outside a temporary directory."
        ),
    )
    parser.add_argument(
        "--examples", type=Path, default=EXAMPLES_DIR, help="folder with feeds/, pages/, demo.opml"
    )
    parser.add_argument(
        "--language",
        default="en",
        metavar="CODE",
        help=(
            "the language the demo's people have set in Telegram (their language_code: de, fr, "
            "es, pt, ru, uk, ar, fa; default en): the bot answers and briefs them in it"
        ),
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="bold and underline in the printed messages (default: when printing to a terminal)",
    )
    parser.set_defaults(handler=demo_command)


def demo_command(args: argparse.Namespace) -> int:
    """Run the demo and print the briefing as the subscriber would receive it."""
    examples: Path = args.examples
    if not (examples / "demo.opml").is_file():
        print(f"newsbrief: no demo.opml in {examples}; pass --examples DIR", file=sys.stderr)
        return 1
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    if not args.verbose:
        # The demo's output is the conversation; library progress lines would bury it.
        logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="newsbrief-demo-") as workdir:
        return asyncio.run(
            run_demo(examples, Path(workdir), sys.stdout, color=color, language=args.language)
        )


async def run_demo(
    examples: Path, workdir: Path, out: TextIO, *, color: bool = False, language: str = "en"
) -> int:
    """Collect the sample feeds, then converse with the bot as a subscriber; print it all."""
    started = time.perf_counter()
    async with LocalFeedServer() as site, FakeBotAPI() as telegram:
        site.add_directory(examples / "feeds", "/feeds")
        site.add_directory(examples / "pages", "/pages")
        settings = load_settings(
            database_url=f"sqlite:///{workdir / 'demo.db'}",
            bot_token=telegram.token,
            telegram_api_url=telegram.base_url,
            admin_ids=frozenset({DEMO_ADMIN_ID}),
            allow_private_networks=True,  # the sample feeds are served from 127.0.0.1
        )
        upgrade(settings.database_url)
        db = Database(settings.database_url)
        try:
            await _import_sample_feeds(db, examples / "demo.opml", site.base_url)
            async with Collector(db, settings) as collector:
                report = await collector.collect_all()
                _print_collection(report, out)
                await _converse(
                    settings, db, collector, telegram, out, color=color, language=language
                )
        finally:
            await db.dispose()
    print(f"\n(demo finished in {time.perf_counter() - started:.1f} s)", file=out)
    return 0


async def _import_sample_feeds(db: Database, opml: Path, base_url: str) -> None:
    data = await asyncio.to_thread(opml.read_bytes)
    outlines = parse_opml(data.replace(b"{base_url}", base_url.encode()))
    items = [FeedImport(url=o.url, title=o.title, topic=o.category) for o in outlines]
    async with db.session() as session:
        await import_feeds(session, items, default_topic="news")


def _print_collection(report: CollectReport, out: TextIO) -> None:
    print(f"Collected {report.new} new articles from {len(report.results)} feeds:", file=out)
    for result in report.results:
        outcome = result.error or f"{result.new} new"
        print(f"  {result.title or result.url:<16} {outcome}  ({result.seconds:.2f} s)", file=out)


async def _converse(
    settings: Settings,
    db: Database,
    collector: Collector,
    telegram: FakeBotAPI,
    out: TextIO,
    *,
    color: bool,
    language: str = "en",
) -> None:
    from bot.app import build_application
    from bot.context import services

    application = build_application(settings, db, collector=collector, schedule_jobs=False)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            print("\nA subscriber talks to the bot:", file=out)
            local = LOCAL_TOPICS.get(language.split("-")[0].lower())
            conversation = (*DEMO_CONVERSATION, *([f"/subscribe {local}"] if local else []))
            for text in conversation:
                replies = await _say(telegram, text, language=language)
                print(f"  > {text}", file=out)
                for reply in replies:
                    first_line = render_message(reply.text).splitlines()[0]
                    print(f"    {first_line}", file=out)
            # Telegram allows one message per second per chat: parts come >= 1 s apart.
            briefing = await _say(telegram, "/briefing", quiet=1.5, language=language)
            print("  > /briefing\n", file=out)
            print("The briefing, exactly as the subscriber receives it:", file=out)
            for message in briefing:
                _print_message(message, out, color=color)
            await _channel_and_forum(
                telegram, services(application).worker, out, color=color, language=language
            )
        finally:
            await application.updater.stop()
            await application.stop()


async def _channel_and_forum(
    telegram: FakeBotAPI,
    worker: DeliveryWorker,
    out: TextIO,
    *,
    color: bool,
    language: str = "en",
) -> None:
    """An editor adds a channel (lead image on), a forum topic subscribes; both get briefed."""
    telegram.add_channel(DEMO_CHANNEL_ID, username=DEMO_CHANNEL, title="Northbridge News")
    telegram.set_member(DEMO_CHANNEL_ID, DEMO_EDITOR_ID, "administrator")
    telegram.set_member(DEMO_CHANNEL_ID, BOT_USER_ID, "administrator")
    print(f"\nAn editor adds the channel {DEMO_CHANNEL} from a private chat:", file=out)
    for text in DEMO_CHANNEL_CONVERSATION:
        replies = await _say(telegram, text, chat=DEMO_EDITOR_ID, language=language)
        print(f"  > {text}", file=out)
        print(f"    {render_message(replies[0].text).splitlines()[0]}", file=out)
    (settings,) = await _say(
        telegram, f"/settings {DEMO_CHANNEL}", chat=DEMO_EDITOR_ID, language=language
    )
    # By its data, not its label: the label is in the editor's language.
    label, data = next(b for b in settings.buttons if b[1].endswith(":lead_image"))
    pressed = telegram.inject_callback(
        DEMO_EDITOR_ID, settings.message_id, data, user_id=DEMO_EDITOR_ID
    )
    pressed["callback_query"]["from"]["language_code"] = language
    await telegram.wait_for_calls("editMessageText", 1, within=20.0)
    print(f"  > /settings {DEMO_CHANNEL}   [ {label} ] pressed", file=out)
    await _say(telegram, f"/briefing {DEMO_CHANNEL}", chat=DEMO_EDITOR_ID, language=language)
    print(f"  > /briefing {DEMO_CHANNEL}\n", file=out)
    await worker.run_until_idle()  # a channel takes 20 messages a minute: parts 3 s apart
    print("What the channel's readers see (the lead image, with the first item):", file=out)
    for message in telegram.messages(DEMO_CHANNEL_ID):
        _print_message(message, out, color=color)

    forum = telegram.add_chat(
        FakeChat(DEMO_FORUM_ID, "supergroup", is_forum=True, title="Northbridge Newsroom")
    )
    desk = telegram.create_topic(forum.id, "Tech desk")
    print("\nIn a forum group, the “Tech desk” topic subscribes on its own:", file=out)
    for text in DEMO_FORUM_CONVERSATION:
        replies = await _say(telegram, text, chat=forum.id, thread_id=desk, language=language)
        print(f"  > {text}", file=out)
        print(f"    {render_message(replies[0].text).splitlines()[0]}", file=out)
    briefing = await _say(
        telegram, "/briefing", quiet=1.5, chat=forum.id, thread_id=desk, language=language
    )
    print("  > /briefing\n", file=out)
    print("What the “Tech desk” topic receives:", file=out)
    for message in briefing:
        _print_message(message, out, color=color)


async def _say(
    telegram: FakeBotAPI,
    text: str,
    quiet: float = 0.3,
    *,
    chat: int = DEMO_CHAT_ID,
    thread_id: int | None = None,
    language: str = "en",
) -> list[SentMessage]:
    """Send `text` in a chat (as its user, whose Telegram app speaks `language`) and return
    the bot's replies once it falls quiet."""
    before = len(telegram.messages(chat))
    user = chat if chat > 0 else None
    update = telegram.inject_message(chat, text, user_id=user, thread_id=thread_id)
    # Telegram sends the app's language with every message; set before the bot polls it.
    update["message"]["from"]["language_code"] = language
    await telegram.wait_for_messages(chat, before + 1, within=20.0)
    await _until_quiet(lambda: len(telegram.messages(chat)), quiet=quiet)
    return telegram.messages(chat)[before:]


async def _until_quiet(count: Callable[[], int], quiet: float) -> None:
    # A briefing may span several messages: wait until none has arrived for `quiet` seconds.
    seen = count()
    while True:
        await asyncio.sleep(quiet)
        if count() == seen:
            return
        seen = count()


def _print_message(message: SentMessage, out: TextIO, *, color: bool) -> None:
    rule = "─" * 72
    print(rule, file=out)
    if message.photo:
        print(f"🖼  [photo: {message.photo}]", file=out)
    print(render_message(message.text, color=color), file=out)
    buttons = [label for label, _ in message.buttons]
    if buttons:
        print(render_buttons([buttons]), file=out)
    print(rule, file=out)
