"""`newsbrief summarize [FILE|URL|-] [-n N] [--algorithm NAME] [--title T]`."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from pathlib import Path

from summarizer import ALGORITHMS, UnknownAlgorithmError, summarize
from summarizer.api import check_algorithm

_HTML = re.compile(r"<(!doctype html|html|head|body|article|main|div|p)[\s>/]", re.IGNORECASE)
_URL = re.compile(r"^https?://", re.IGNORECASE)


class InputError(Exception):
    """The input cannot be read or fetched; the message is for the user."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `summarize` subcommand."""
    parser = subparsers.add_parser(
        "summarize",
        help="print the key sentences of an article (text, HTML file, URL or stdin)",
        description="Print the best sentences of an article, one per line, in article order.",
    )
    parser.add_argument(
        "source",
        nargs="?",
        default="-",
        help="a text or HTML file, an http(s) URL, or - for standard input (default)",
    )
    parser.add_argument(
        "-n", "--sentences", type=int, default=3, help="how many sentences (default 3)"
    )
    parser.add_argument(
        "-a",
        "--algorithm",
        default="news",
        help=f"one of {', '.join(ALGORITHMS)} (default news)",
    )
    parser.add_argument("--title", help="the article's headline (improves the news method)")
    parser.set_defaults(handler=summarize_command)


def looks_like_html(text: str) -> bool:
    """True when the text is an HTML page rather than plain article text."""
    return bool(_HTML.search(text[:5000]))


def _read_source(source: str) -> tuple[str, str | None]:
    """The source's raw text, and its URL when it was fetched."""
    if source == "-":
        return sys.stdin.buffer.read().decode("utf-8", errors="replace"), None
    if _URL.match(source):
        return "", source
    try:
        return Path(source).read_bytes().decode("utf-8", errors="replace"), None
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror or exc}") from None


def _fetch(url: str) -> tuple[str, str | None]:
    """The main text and title of the page at `url`, fetched through the collector."""
    # Imported here: httpx and trafilatura are only needed when the input is a URL.
    from bot.settings import load_settings
    from collector.errors import FetchError
    from collector.pages import fetch_page_text

    try:
        page = asyncio.run(fetch_page_text(url, load_settings()))
    except FetchError as exc:
        raise InputError(f"cannot fetch {url}: {exc}") from None
    return page.text, page.title


def article_text(source: str) -> tuple[str, str | None]:
    """Article text (paragraphs by blank lines) and any title found, from FILE, URL or stdin."""
    raw, url = _read_source(source)
    if url is not None:
        return _fetch(url)
    if looks_like_html(raw):
        from collector.extract import extract_page

        page = extract_page(raw)
        return page.text, page.title
    return raw, None


def summarize_command(args: argparse.Namespace) -> int:
    """Print the summary, one sentence per line."""
    try:
        algorithm = check_algorithm(args.algorithm)
    except UnknownAlgorithmError as exc:
        print(f"newsbrief: {exc}", file=sys.stderr)
        return 2
    if args.sentences < 1:
        print("newsbrief: -n must be at least 1", file=sys.stderr)
        return 2
    try:
        text, found_title = article_text(args.source)
    except InputError as exc:
        print(f"newsbrief: {exc}", file=sys.stderr)
        return 1
    sentences = summarize(
        text, title=args.title or found_title, sentences=args.sentences, algorithm=algorithm
    )
    if not sentences:
        print("newsbrief: no article text found in the input", file=sys.stderr)
        return 1
    for sentence in sentences:
        print(sentence)
    return 0
