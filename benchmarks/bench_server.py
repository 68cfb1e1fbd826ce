"""The benchmark's feed server, run as its own process so it never shares the collector's loop.

Serves N feeds of M items and one generated article page per item, spread over several loopback
addresses (127.0.0.1, 127.0.0.2, ...) so the collector's per-host limit acts as with real sites.
Feeds carry an ETag; a conditional GET gets 304. Every response waits a configurable latency.

    python benchmarks/bench_server.py --feeds 1000 --items 20 --hosts 20 --latency-ms 100

prints "PORT <n>" when ready. GET /control?latency_ms=N changes the latency; GET /stats gives
request counts, body bytes and the server's peak RSS; GET /stats?reset=1 also zeroes them.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import resource
import socket
import sys
from collections import Counter

from aiohttp import web

_VOCABULARY = (
    "council harbor river bridge market school hospital station road village valley county "
    "minister mayor residents workers farmers engineers police court judge report survey "
    "budget funding plan project contract deal vote election meeting hearing inquiry "
    "storm flood drought harvest winter summer autumn spring weather forecast season "
    "company factory shop trade price cost wage job jobs export import loan bank tax "
    "water power energy fuel grid solar wind train bus ferry airport port ship cargo "
    "doctor nurse patient clinic ward research study scientists data results trial "
    "library museum festival concert theatre team match league coach players fans "
    "said announced warned agreed rejected approved opened closed delayed expected "
    "reported confirmed denied promised planned raised cut increased reduced "
    "new old local national regional public private small large early late major "
    "first second third last next several many few more less most three four five "
    "years months weeks days hours people families children pupils visitors owners"
)
WORDS = _VOCABULARY.split()


def article_words(feed: int, item: int, count: int) -> list[str]:
    """Deterministic, unique text for one article."""
    rng = random.Random(feed * 100_003 + item)
    return [rng.choice(WORDS) for _ in range(count)]


def article_paragraphs(feed: int, item: int) -> list[str]:
    """Seven paragraphs of 3-5 sentences, 10-24 words each (about 500 words)."""
    rng = random.Random(-(feed * 100_003 + item))
    words = iter(article_words(feed, item, 1200))
    paragraphs = []
    for _ in range(7):
        sentences = []
        for _ in range(rng.randint(3, 5)):
            chunk = [next(words) for _ in range(rng.randint(10, 24))]
            sentences.append(" ".join(chunk).capitalize() + ".")
        paragraphs.append(" ".join(sentences))
    return paragraphs


def title_of(feed: int, item: int) -> str:
    """A headline for an article."""
    words = article_words(feed, item + 7_777, 7)
    return " ".join(words).capitalize() + f" ({feed}-{item})"


def page_html(feed: int, item: int) -> bytes:
    """A news page: navigation, the article, a sidebar and a footer."""
    paragraphs = "\n".join(f"<p>{p}</p>" for p in article_paragraphs(feed, item))
    title = title_of(feed, item)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Bench Daily {feed}</title><meta property="og:site_name" content="Bench Daily">
<meta property="article:published_time" content="2026-11-{1 + item % 25:02d}T08:00:00Z">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a>
<a href="/weather">Weather</a> <a href="/contact">Contact</a></nav>
<header><p>Sign up for our morning newsletter!</p></header>
<main><article><h1>{title}</h1><p class="byline">By Staff Reporter</p>
{paragraphs}</article></main>
<aside><h3>Most read</h3><ul><li><a href="/1">Parking fees rise again</a></li>
<li><a href="/2">Lost cat returns home</a></li><li><a href="/3">Road works next week</a></li>
</ul></aside><footer><p>Copyright 2026 Bench Daily. All rights reserved.</p>
<p><a href="/privacy">Privacy</a> <a href="/terms">Terms</a></p></footer></body></html>
""".encode()


class BenchServer:
    """aiohttp handlers over generated content, with counters."""

    def __init__(self, feeds: int, items: int, hosts: int, latency: float) -> None:
        self.feeds, self.items, self.hosts, self.latency = feeds, items, hosts, latency
        self.port = 0
        self.counts: Counter[str] = Counter()

    def host_of(self, feed: int) -> str:
        """The loopback address a feed (and its pages) is served from."""
        return f"127.0.0.{1 + feed % self.hosts}"

    def feed_xml(self, feed: int) -> bytes:
        """An RSS 2.0 feed of `items` items."""
        base = f"http://{self.host_of(feed)}:{self.port}"
        entries = []
        for item in range(self.items):
            summary = article_paragraphs(feed, item)[0][:200]
            entries.append(
                f"<item><title>{title_of(feed, item)}</title>"
                f"<link>{base}/pages/{feed}/{item}.html?utm_source=rss</link>"
                f"<guid isPermaLink='false'>bench-{feed}-{item}</guid>"
                f"<pubDate>Mon, {1 + item % 25:02d} Nov 2026 08:00:00 GMT</pubDate>"
                f"<description>{summary}</description></item>"
            )
        return (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>Bench Daily {feed}</title><link>{base}/</link>"
            f"<description>Feed {feed}</description>{''.join(entries)}</channel></rss>"
        ).encode()

    async def feed(self, request: web.Request) -> web.Response:
        """A feed, with ETag and 304."""
        await asyncio.sleep(self.latency)
        feed = int(request.match_info["feed"])
        if not 0 <= feed < self.feeds:
            raise web.HTTPNotFound()
        etag = '"' + hashlib.sha1(f"{feed}-{self.items}".encode()).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            self.counts["feed_304"] += 1
            return web.Response(status=304, headers={"ETag": etag})
        body = self.feed_xml(feed)
        self.counts["feed_200"] += 1
        self.counts["feed_body_bytes"] += len(body)
        return web.Response(
            body=body, headers={"ETag": etag, "Content-Type": "application/rss+xml"}
        )

    async def page(self, request: web.Request) -> web.Response:
        """An article page."""
        await asyncio.sleep(self.latency)
        body = page_html(int(request.match_info["feed"]), int(request.match_info["item"]))
        self.counts["page_200"] += 1
        self.counts["page_body_bytes"] += len(body)
        return web.Response(body=body, content_type="text/html", charset="utf-8")

    async def stats(self, request: web.Request) -> web.Response:
        """Counters and this process's peak RSS; ?reset=1 zeroes the counters afterwards."""
        data = dict(self.counts)
        data["server_max_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if request.query.get("reset"):
            self.counts.clear()
        return web.json_response(data)

    async def control(self, request: web.Request) -> web.Response:
        """Change the per-response latency."""
        self.latency = float(request.query.get("latency_ms", "0")) / 1000
        return web.json_response({"latency_ms": self.latency * 1000})


async def serve(args: argparse.Namespace) -> None:
    """Bind every loopback address on one port and serve until killed."""
    server = BenchServer(args.feeds, args.items, args.hosts, args.latency_ms / 1000)
    app = web.Application()
    app.router.add_get("/feeds/{feed}.xml", server.feed)
    app.router.add_get("/pages/{feed}/{item}.html", server.page)
    app.router.add_get("/stats", server.stats)
    app.router.add_get("/control", server.control)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    server.port = probe.getsockname()[1]
    probe.close()
    for host in range(args.hosts):
        site = web.TCPSite(runner, f"127.0.0.{1 + host}", server.port, backlog=1024)
        await site.start()
    print(f"PORT {server.port}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    """Parse arguments and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    try:
        asyncio.run(serve(parser.parse_args()))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
