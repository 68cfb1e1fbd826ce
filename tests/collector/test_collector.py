"""A collection pass against the local feed server, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import socket
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from collector.service import Collector
from sandbox.collector_options import CollectorOptions
from sandbox.feed_server import LocalFeedServer
from storage.clock import utcnow
from storage.db import Database
from storage.models import ArticleTopic, FeedEntry, FeedFailure, Story, Topic
from tests.collector.conftest import LoopbackTransport, fake_resolver, fixture_text
from tests.collector.helpers import add_feeds, articles, count, feed_row, page, rss, story

FORMATS = ["rss2.xml", "atom.xml", "rss1.rdf", "rss091.xml", "feed.json"]


def collector(
    db: Database, options: CollectorOptions, pool: ProcessPoolExecutor, **kwargs: object
) -> Collector:
    return Collector(db, options, executor=pool, **kwargs)  # type: ignore[arg-type]


async def topic_names(db: Database, article_id: int) -> set[str]:
    async with db.session() as session:
        rows = await session.scalars(
            select(Topic.name)
            .join(ArticleTopic, ArticleTopic.topic_id == Topic.id)
            .where(ArticleTopic.article_id == article_id)
        )
        return set(rows)


async def test_first_pass_stores_every_format_and_the_second_is_all_304(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    await add_feeds(db, "local", [server.url(name) for name in FORMATS])
    await add_feeds(db, "space", [], keywords="comet -football")
    started = utcnow()
    async with collector(db, options, process_pool) as running:
        first = await running.collect_all()
        second = await running.collect_all()

    assert {r.url: (r.status, r.new) for r in first.results} == {
        server.url("rss2.xml"): ("ok", 3),
        server.url("atom.xml"): ("ok", 1),
        server.url("rss1.rdf"): ("ok", 1),
        server.url("rss091.xml"): ("ok", 1),
        server.url("feed.json"): ("ok", 1),
    }
    stored = {a.url: a for a in await articles(db)}
    bridge = stored[server.url("/pages/bridge.html")]  # tracking parameters stripped
    assert bridge.title == "Port Alder opens its rebuilt swing bridge"
    assert bridge.text_source == "page" and "storm surge bent its turning mechanism" in bridge.text
    assert "Subscribe to our newsletter" not in bridge.text and "Copyright" not in bridge.text
    assert bridge.summary and all(line in bridge.text for line in bridge.summary.splitlines())
    assert bridge.source_name == "Harbor Gazette"
    assert bridge.published_at == datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # the feed's date
    # The page of the third item is missing (404): its text comes from the feed.
    quota = stored[server.url("/pages/missing-page.html")]
    assert quota.text_source == "feed" and quota.text.startswith("The harbor council of Port")
    comet = stored[server.url("/pages/comet.html")]
    assert comet.author == "R. Okafor"
    assert await topic_names(db, comet.id) == {"local", "space"}  # feed topic + keyword
    assert await topic_names(db, bridge.id) == {"local"}
    for article in stored.values():
        assert (await story(db, article.story_id)).title == article.title
    assert await count(db, Story) == 7

    assert {r.status for r in second.results} == {"not_modified"}
    assert second.new == 0 and len(await articles(db)) == 7
    again = server.requests_for("/rss2.xml")[1]
    assert again.status == 304 and again.headers["If-None-Match"]
    assert len(server.requests_for("/pages/bridge.html")) == 1  # pages are not fetched again
    gazette = await feed_row(db, server.url("rss2.xml"))
    assert gazette.title == "Harbor Gazette" and gazette.etag and gazette.error_count == 0
    assert gazette.next_check_at >= started + timedelta(minutes=60)  # <ttl>60</ttl>


async def test_each_failure_is_recorded_and_the_pass_goes_on(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    options.max_body_bytes = 5 * 1024 * 1024
    options.fetch_timeout_seconds = 1.5  # generous: huge.xml streams 10 MB on a busy machine
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{probe.getsockname()[1]}/feed.xml"
    server.fail("/broken-500.xml", 500)
    server.delay("/slow.xml", 5)
    server.add("/slow.xml", fixture_text("atom.xml", server.base_url))
    server.oversize("/huge.xml", 10 * 1024 * 1024)
    server.garbage("/garbage.xml", 8192)
    server.add(
        "/latin1.xml",
        b"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Caf\xe9 news"
        b"</title><item><title>Men\xfc</title><guid isPermaLink='false'>l-1</guid>"
        b"<description>Plain text.</description></item></channel></rss>",
    )
    server.add(
        "/dupes.xml",
        rss(
            "Dupes", [("same", server.url(f"/pages/none-{i}.html"), f"Text {i}.") for i in range(3)]
        ),
    )
    names = ["rss2.xml", "broken-500.xml", "slow.xml", "huge.xml", "garbage.xml", "latin1.xml"]
    urls = [server.url(n) for n in names] + [refused, server.url("dupes.xml")]
    await add_feeds(db, "local", urls)
    before = utcnow()
    async with collector(db, options, process_pool) as running:
        report = await running.collect_all()

    outcome = {r.url: (r.status, r.new, r.error) for r in report.results}
    assert outcome[server.url("rss2.xml")] == ("ok", 3, None)
    assert outcome[server.url("latin1.xml")] == ("ok", 1, None)
    assert outcome[server.url("dupes.xml")] == ("ok", 1, None)
    expected_errors = {
        server.url("broken-500.xml"): "HTTP 500 Internal Server Error",
        server.url("slow.xml"): "did not answer within 1.5s",
        server.url("huge.xml"): "body is over the 5 MB limit",
        server.url("garbage.xml"): "not a usable feed",
        refused: "Connection refused",
    }
    for url, message in expected_errors.items():
        status, new, error = outcome[url]
        assert status == "error" and new == 0 and error and message in error, (url, error)
        feed = await feed_row(db, url)
        assert feed.error_count == 1 and feed.last_error == error and not feed.paused
        assert feed.next_check_at >= before + timedelta(seconds=900)
    assert report.errors == 5 and report.new == 5
    async with db.session() as session:
        reasons = set(await session.scalars(select(FeedFailure.reason)))
    assert len(reasons) == 5
    assert len(await articles(db)) == 5


async def test_a_redirect_to_loopback_is_refused_with_the_guard_on(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    options.allow_private_networks = False
    server.redirect("/sneaky.xml", server.url("/rss2.xml"))
    await add_feeds(db, "local", ["http://news.example/sneaky.xml", "http://news.example/atom.xml"])
    transport = LoopbackTransport(server)
    async with collector(
        db, options, process_pool, resolver=fake_resolver, transport=transport
    ) as running:
        report = await running.collect_all()

    results = {r.url: r for r in report.results}
    sneaky = results["http://news.example/sneaky.xml"]
    assert sneaky.status == "error" and sneaky.error
    assert sneaky.error.startswith("refused 127.0.0.1: a loopback address")
    assert (await feed_row(db, sneaky.url)).error_count == 1
    # The public feed is collected; its page links point at 127.0.0.1, so the guard refuses
    # them too and the article keeps the feed's own text.
    assert results["http://news.example/atom.xml"].new == 1
    (comet,) = await articles(db)
    assert comet.text_source == "feed" and comet.text.startswith("A comet is visible")
    assert not server.requests_for("/pages/comet.html")


async def test_the_same_article_in_two_feeds_is_stored_once_with_two_sources(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    link = server.url("/pages/bridge.html")
    server.add("/a.xml", rss("Coast Daily", [("a-1", link + "?utm_campaign=x", "Bridge.")]))
    server.add("/b.xml", rss("Harbor Radio", [("b-77", link + "#top", "Bridge!")]))
    await add_feeds(db, "local", [server.url("/a.xml")])
    await add_feeds(db, "transport", [server.url("/b.xml")])
    async with collector(db, options, process_pool) as running:
        report = await running.collect_all()

    assert sorted((r.new, r.unchanged) for r in report.results) == [(0, 1), (1, 0)]
    (bridge,) = await articles(db)
    assert await count(db, FeedEntry) == 2
    assert await topic_names(db, bridge.id) == {"local", "transport"}
    assert (await story(db, bridge.story_id)).source_count == 2


async def test_a_republished_article_is_recognised_by_url_and_by_text(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    bridge = (server.base_url + "/pages/bridge.html").encode()
    copy = fixture_text("pages/bridge.html", server.base_url).replace(
        b'<link rel="canonical" href="' + bridge + b'">', b""
    )
    server.add("/mirror/bridge-copy.html", copy, "text/html; charset=utf-8")
    url = server.url("/pages/bridge.html")
    server.add("/feed.xml", rss("Gazette", [("g-1", url, "Bridge.")]))
    await add_feeds(db, "local", [server.url("/feed.xml")])
    async with collector(db, options, process_pool) as running:
        await running.collect_all()
        # The same article under a new GUID, and its text again under another URL.
        republished = [("g-2", url, "Bridge."), ("g-3", server.url("/mirror/bridge-copy.html"), "")]
        server.add("/feed.xml", rss("Gazette", republished))
        report = await running.collect_all()

    (result,) = report.results
    assert (result.status, result.new, result.unchanged) == ("ok", 0, 2)
    assert len(await articles(db)) == 1
    assert await count(db, FeedEntry) == 3


WIRE = [
    "Rescue teams reached the flooded mountain village of Kestrel Ford on Tuesday after two days "
    "in which the only road was cut by a landslide, the regional emergency office said.",
    "About four hundred residents spent the nights in the school gym, which stands on higher "
    "ground, and helicopters dropped water, blankets and medicine to the families there.",
    "Engineers expect to reopen one lane of the road by the weekend once the slope above it has "
    "been checked, and the office said it would review the warning system that gave residents "
    "less than an hour to leave.",
    "Farmers in the lower valley moved cattle to the ridge pastures on Monday night, and several "
    "lost hay stored in barns near the water. The regional council has promised emergency "
    "payments to households whose ground floors were flooded.",
]


async def test_the_same_wire_story_on_two_sites_joins_one_story(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    edited = ["KESTREL FORD (Agency) - " + WIRE[0], *WIRE[1:], "Reporting by our correspondent."]
    server.add("/one/flood.html", page("Flood village reached", WIRE, "Valley Post"), "text/html")
    server.add("/two/flood.html", page("Rescuers reach village", edited, "Hill Times"), "text/html")
    server.add("/one.xml", rss("Valley Post", [("p-1", server.url("/one/flood.html"), "")]))
    server.add("/two.xml", rss("Hill Times", [("t-1", server.url("/two/flood.html"), "")]))
    await add_feeds(db, "local", [server.url("/one.xml")])
    async with collector(db, options, process_pool) as running:
        await running.collect_all()
        await add_feeds(db, "local", [server.url("/two.xml")])
        report = await running.collect_all()

    assert report.new == 1
    first, second = await articles(db)
    assert second.near_duplicate_of == first.id and second.story_id == first.story_id
    joined = await story(db, first.story_id)
    assert joined.source_count == 2
    assert joined.summary == first.summary  # the story keeps its first summary
    assert await count(db, Story) == 1


async def test_failures_back_off_then_pause_the_feed_and_tell_the_admins_once(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    url = server.url("/rss2.xml")
    server.fail("/rss2.xml", 500)
    await add_feeds(db, "local", [url])
    async with collector(db, options, process_pool) as running:
        delays = []
        reports = []
        for _ in range(3):
            checked = utcnow()
            reports.append(await running.collect_all())
            delays.append((await feed_row(db, url)).next_check_at - checked)
        fourth = await running.collect_all()
        server.clear("/rss2.xml")
        recovered = await running.check_feed(url)

    assert [r.results[0].status for r in reports] == ["error", "error", "paused"]
    assert [r.newly_paused for r in reports] == [[], [], [url]]
    assert fourth.results == [] and fourth.newly_paused == []  # paused: not checked, told once
    assert timedelta(minutes=15) <= delays[0] < timedelta(minutes=16)
    assert timedelta(minutes=30) <= delays[1] < timedelta(minutes=31)
    assert recovered.status == "ok" and recovered.new == 3
    feed = await feed_row(db, url)
    assert not feed.paused and feed.error_count == 0 and feed.last_error is None
    assert await count(db, FeedFailure) == 3


async def test_retry_after_and_cache_hints_set_the_next_check(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    server.fail("/busy.xml", 429, retry_after=7200)
    server.add("/cached.xml", fixture_text("atom.xml", server.base_url),
               headers={"Cache-Control": "max-age=5400"})  # fmt: skip
    await add_feeds(db, "local", [server.url("/busy.xml"), server.url("/cached.xml")])
    checked = utcnow()
    async with collector(db, options, process_pool) as running:
        await running.collect_all()
    busy = (await feed_row(db, server.url("/busy.xml"))).next_check_at - checked
    cached = (await feed_row(db, server.url("/cached.xml"))).next_check_at - checked
    assert timedelta(hours=2) <= busy < timedelta(hours=2, minutes=1)
    assert timedelta(minutes=90) <= cached < timedelta(minutes=91)


async def test_collect_due_checks_only_due_feeds(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    await add_feeds(db, "local", [server.url("/atom.xml"), server.url("/feed.json")])
    async with collector(db, options, process_pool) as running:
        first = await running.collect_due()
        nothing = await running.collect_due()
        later = await running.collect_due(utcnow() + timedelta(minutes=16))
        unknown = await running.check_feed("http://nowhere.example/feed")
    assert [r.status for r in first.results] == ["ok", "ok"]
    assert nothing.results == []
    assert [r.status for r in later.results] == ["not_modified", "not_modified"]
    assert (
        unknown.status == "error"
        and unknown.error == "no feed with URL http://nowhere.example/feed"
    )


async def test_nul_characters_from_a_feed_are_not_stored(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Nul\u0000 Feed",
        "items": [{"id": "n-1", "title": "Bad\u0000 title", "content_text": "Body\u0000 text."}],
    }
    server.add("/nul.json", json.dumps(document), "application/feed+json")
    await add_feeds(db, "local", [server.url("/nul.json")])
    async with collector(db, options, process_pool) as running:
        report = await running.collect_all()
    assert report.results[0].new == 1
    (article,) = await articles(db)
    assert article.title == "Bad title" and article.text == "Body text."
    assert article.source_name == "Nul Feed"


async def test_a_feed_check_stops_at_its_deadline_and_leaves_the_rest_for_the_next_pass(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    # Each dripping page sends a byte every 0.4 s: always inside the 2 s read timeout, so
    # only the request's overall deadline (4 x 2 s) would end it, after 8 s per page.
    options.fetch_timeout_seconds = 2.0
    options.feed_check_deadline_seconds = 2.0
    options.max_per_host = 8
    items = []
    for i in range(6):
        path = f"/pages/p{i}.html"
        paragraphs = [WIRE[i % 4], f"This is story number {i}, told in its own words."]
        server.add(path, page(f"Story {i}", paragraphs), "text/html; charset=utf-8")
        if i >= 2:
            server.drip(path, every=0.4, total=60)
        items.append((f"d-{i}", server.url(path), f"Feed text {i}."))
    server.add("/drip.xml", rss("Drip News", items))
    url = server.url("/drip.xml")
    await add_feeds(db, "local", [url])
    async with collector(db, options, process_pool) as running:
        first = (await running.collect_due()).results[0]
        # The check ends at its deadline instead of after the dripping pages' 8 s each; the
        # two finished items are stored, the four others are not recorded as seen.
        assert first.seconds < 6, first.seconds
        assert (first.status, first.new, first.unchanged, first.left) == ("ok", 2, 0, 4)
        assert first.warning and first.warning.startswith("4 new items left for the next pass")
        stored = {a.url for a in await articles(db)}
        assert stored == {server.url("/pages/p0.html"), server.url("/pages/p1.html")}
        # Due again at the next pass, and fetched in full then (no validator, so no 304).
        feed = await feed_row(db, url)
        assert feed.next_check_at <= utcnow() and feed.etag is None

        for i in range(2, 6):
            server.clear(f"/pages/p{i}.html")
        second = (await running.collect_due()).results[0]
        third = (await running.collect_due(utcnow() + timedelta(minutes=16))).results[0]

    assert "If-None-Match" not in server.requests_for("/drip.xml")[1].headers
    assert (second.status, second.new, second.unchanged, second.left) == ("ok", 4, 2, 0)
    assert third.status == "not_modified"
    # Nothing lost, nothing twice.
    stored_all = await articles(db)
    assert sorted(a.url for a in stored_all) == sorted(
        server.url(f"/pages/p{i}.html") for i in range(6)
    )
    assert all(a.text_source == "page" for a in stored_all)  # none fell back to the feed text
    assert await count(db, FeedEntry) == 6


async def test_an_article_is_stored_in_the_language_its_text_is_written_in(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    # Written for this test. The feed declares English (a CMS default); the text is Portuguese.
    paragraphs = [
        "Os trabalhadores dos transportes de Porto Alegre entraram em greve nesta segunda-feira "
        "depois de três semanas de negociações sem acordo com as empresas.",
        "O sindicato disse que a paralisação vai durar quarenta e oito horas e que os serviços "
        "mínimos serão garantidos nos hospitais e nas escolas da cidade.",
    ]
    server.add("/pt/greve.html", page("Greve nos transportes", paragraphs, "Diário"), "text/html")
    feed = rss("Diário", [("g-1", server.url("/pt/greve.html"), "")]).replace(
        "<channel><title>Diário</title>", "<channel><title>Diário</title><language>en</language>"
    )
    server.add("/pt.xml", feed)
    await add_feeds(db, "local", [server.url("/pt.xml")])
    # "negociação" is "negociações" only by Portuguese rules (English ones keep the endings).
    await add_feeds(db, "labour", [], keywords="negociação")
    async with collector(db, options, process_pool) as running:
        await running.collect_all()
    (article,) = await articles(db)
    assert article.language == "pt"
    assert await topic_names(db, article.id) == {"local", "labour"}
