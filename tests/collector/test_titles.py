"""Every stored article has a title a reader can use: the feed's, else the page's."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

from collector.service import Collector
from sandbox.collector_options import CollectorOptions
from sandbox.feed_server import LocalFeedServer
from storage.db import Database
from tests.collector.helpers import add_feeds, articles, page


async def test_an_item_with_neither_title_nor_text_is_named_by_its_page(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    server.add(
        "/bare.xml",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Bare Wire</title>'
        "<item><link>{base_url}/news/quay.html</link><guid>quay-1</guid></item>"
        "</channel></rss>",
    )
    server.add(
        "/news/quay.html",
        page(
            "Quay wall repairs finish ahead of the storm season",
            [
                "Engineers finished repairs to the quay wall on Friday, two weeks early.",
                "The harbour board said the wall would hold against winter storms.",
            ],
        ),
        "text/html; charset=utf-8",
    )
    await add_feeds(db, "local", [server.url("/bare.xml")])
    async with Collector(db, options, executor=process_pool) as running:  # type: ignore[arg-type]
        report = await running.collect_all()
    assert [r.new for r in report.results] == [1]
    (article,) = await articles(db)
    assert article.title == "Quay wall repairs finish ahead of the storm season"
    assert "Engineers finished repairs" in article.text
