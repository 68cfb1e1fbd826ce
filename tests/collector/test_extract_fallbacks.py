"""Page text: recall mode, then the feed's text, when precision mode finds no article.

Also the tables and lists that belong to an article. The pages are in fixtures/pages/; the
collector passes go feed item -> local page -> stored text.
"""

from __future__ import annotations

import html
from concurrent.futures import ProcessPoolExecutor

import pytest
import trafilatura

from collector.extract import (
    MIN_ARTICLE_WORDS,
    TEXT_ARTICLE,
    TEXT_EMPTY,
    TEXT_NOTICE,
    TEXT_SHORT,
    extract_page,
    is_notice,
    text_kind,
)
from collector.processing import TEXT_SOURCE_FEED, TEXT_SOURCE_PAGE, choose_text, lead_image
from collector.service import Collector
from sandbox.collector_options import CollectorOptions
from sandbox.feed_server import LocalFeedServer
from storage.db import Database
from storage.models import Article
from tests.collector.conftest import FIXTURES
from tests.collector.helpers import add_feeds, articles, rss

PAGES = FIXTURES / "pages"

# A few sentences of article prose, over MIN_ARTICLE_WORDS words together.
PROSE = (
    "The county council voted on Tuesday to keep the coastal library open for another five "
    "years. Volunteers will run the reading room on weekday mornings, and the mobile library "
    "will stop at the harbour every Saturday from April."
)


def page_html(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def as_feed_html(paragraphs: list[str]) -> str:
    """Paragraphs as an RSS description (HTML, escaped once for the XML)."""
    return html.escape("".join(f"<p>{p}</p>" for p in paragraphs))


async def collect_one(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    pool: ProcessPoolExecutor,
    page: str,
    description: str,
) -> Article:
    """One feed with one item linking to a fixture page, one collector pass, the stored article."""
    server.add(
        "/fallbacks.xml", rss("Port Alder Wire", [("item-1", server.url(page), description)])
    )
    await add_feeds(db, "local", [server.url("/fallbacks.xml")])
    async with Collector(db, options, executor=pool) as running:  # type: ignore[arg-type]
        report = await running.collect_all()
    assert report.new == 1 and report.errors == 0
    assert len(server.requests_for(page)) == 1  # the page was fetched
    (article,) = await articles(db)
    return article


# -- the rule: what is a notice, what is an article ---------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "We use cookies to improve your experience and to show you personalised advertising.",
        "We and our 842 partners store and/or access information on a device, such as cookies.",
        "Accept all",
        "Manage your privacy settings",
        "This article was originally published on The Conversation. Read the original article.",
        "Reprinted with permission from the Estuary Review.",
        "The post Ferry fares rise appeared first on Harbour Daily.",
        "Please enable JavaScript to view this page.",
        "Your browser is not supported. Please update your browser.",
        "This article is available to subscribers only. Already a subscriber? Log in.",
        "Subscribe to continue reading.",
        "You have reached your limit of free articles this month.",
    ],
)
def test_notices_are_recognised(line: str) -> None:
    assert is_notice(line)
    assert text_kind(line) == TEXT_NOTICE


@pytest.mark.parametrize(
    "line",
    [
        PROSE,
        "The harbour master said the new pier would be finished by April.",
        "Subscribers to the ferry pass will pay less from May, the operator said.",
        "The bakery on Quay Street sold out of cookies before noon on Saturday.",
    ],
)
def test_prose_is_not_a_notice(line: str) -> None:
    assert not is_notice(line)


def test_the_kind_of_a_text_is_decided_by_notice_lines_and_the_words_outside_them() -> None:
    assert text_kind("") == text_kind(" \n\n ") == TEXT_EMPTY
    assert text_kind("Ferry timetable changes for the winter") == TEXT_SHORT  # a single short line
    assert text_kind("Home\n\nLocal\n\nSport") == TEXT_SHORT
    assert len(PROSE.split()) >= MIN_ARTICLE_WORDS and text_kind(PROSE) == TEXT_ARTICLE
    # A cookie wall with its buttons, or a reprint line with a short credit, is only a notice.
    assert text_kind("We use cookies on this site.\n\nAccept all\n\nReject all") == TEXT_NOTICE
    assert text_kind("Photo: Jane Example\n\nReprinted with permission.") == TEXT_NOTICE
    # An article that carries a notice line is still an article.
    notice = "This article was originally published by The Estuary Review."
    assert text_kind(f"{PROSE}\n\n{notice}") == TEXT_ARTICLE


@pytest.mark.parametrize(
    ("page", "feed", "source"),
    [
        # An article page wins unless the feed's article is over twice as long (a teaser page).
        (PROSE, PROSE[:60], TEXT_SOURCE_PAGE),
        (PROSE, PROSE * 2, TEXT_SOURCE_PAGE),  # exactly twice as long
        (PROSE, " ".join([PROSE] * 3), TEXT_SOURCE_FEED),
        # A notice-only page never wins over feed text, however short the feed's.
        (
            "We use cookies on this site. Accept all. Reject all. Manage your settings.",
            PROSE,
            TEXT_SOURCE_FEED,
        ),
        ("Reprinted with permission from The Estuary Review.", "Seals are back.", TEXT_SOURCE_FEED),
        # A page that found no article (one short line) loses to a longer feed text.
        ("Ferry timetable changes for the winter", PROSE, TEXT_SOURCE_FEED),
        (
            "Ferry timetable changes for the winter and spring",
            "Ferry times change.",
            TEXT_SOURCE_PAGE,
        ),
        # A feed whose text is only a notice loses to the page's text.
        (PROSE[:80], "The post Library saved appeared first on Harbour Daily.", TEXT_SOURCE_PAGE),
        # Never an empty body while either source had text.
        ("Reprinted with permission.", "", TEXT_SOURCE_PAGE),
        ("", "Please enable JavaScript.", TEXT_SOURCE_FEED),
        ("", PROSE, TEXT_SOURCE_FEED),
        ("", "", TEXT_SOURCE_FEED),
    ],
)
def test_the_text_is_chosen_by_kind_then_length(page: str, feed: str, source: str) -> None:
    text, chosen = choose_text(page, feed)
    assert chosen == source
    assert text == (page if source == TEXT_SOURCE_PAGE else feed)
    assert text or not (page or feed)


# -- precision finds nothing, recall finds the article ------------------------------------------


def test_recall_mode_extracts_what_precision_mode_misses() -> None:
    markup = page_html("night-trains.html")
    # The premise: trafilatura's precision mode finds nothing on this page.
    assert trafilatura.extract(markup, favor_precision=True, include_comments=False) is None
    page = extract_page(markup)
    assert page.mode == "recall" and page.kind == TEXT_ARTICLE
    assert page.text.startswith("Sleeper trains will run between Port Alder and the capital")
    assert page.text.count("\n\n") == 3  # four paragraphs
    # The metadata is the page's; recall mode picks up no menu or footer.
    assert page.title == "Night trains return to the coast line"
    assert page.site_name == "Port Alder News" and page.author == "T Brennan"
    for furniture in ("Home", "Transport", "Opinion", "Puzzles", "Copyright", "Privacy"):
        assert furniture not in page.text


async def test_an_article_only_recall_mode_finds_is_stored_from_the_page(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    teaser = "Sleeper trains return to the coast line in March."
    article = await collect_one(
        db, server, options, process_pool, "/pages/night-trains.html", teaser
    )
    assert article.text_source == "page"
    assert article.text == extract_page(page_html("night-trains.html")).text
    assert "eleven years after the last overnight service" in article.text
    assert article.summary and article.summary != teaser


# -- a cookie wall: the article is in the feed ------------------------------------------------


async def test_a_cookie_wall_never_wins_over_the_feeds_article(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    wall = extract_page(page_html("consent.html"))
    assert wall.kind == TEXT_NOTICE and wall.text.startswith("We use cookies and data")
    paragraphs = [
        "The Quay Street market will open on Sundays from May, the town council said on "
        "Monday, after a trial last summer drew more than two thousand visitors a week.",
        "Stallholders will pay the same weekly fee as on Saturdays, and the council will "
        "close the street to traffic from seven in the morning until four in the afternoon.",
        "Shopkeepers on the street said the trial had brought them new customers, although "
        "some residents complained about noise when the stalls were set up.",
    ]
    article = await collect_one(
        db, server, options, process_pool, "/pages/consent.html", as_feed_html(paragraphs)
    )
    # The wall is over half as long as the feed's text: the length rule alone would keep it.
    assert len(wall.text) >= 0.5 * len(article.text)
    assert article.text_source == "feed"
    assert article.text == "\n\n".join(paragraphs)
    assert "cookies" not in article.text and "cookies" not in article.summary


# -- a reprint notice ---------------------------------------------------------------------------


def test_a_reprint_line_inside_an_article_keeps_the_article() -> None:
    prose = (
        "Twenty years ago a seal in the Alder estuary was a rare sight; last summer volunteers "
        "counted more than three hundred on the sandbanks at low tide.",
        "Marine biologists say the ban on set nets and cleaner water since the paper mill "
        "closed brought them back.",
    )
    markup = (
        "<html><head><title>Why the harbour seals came back</title></head><body><article>"
        "<h1>Why the harbour seals came back</h1>"
        + "".join(f"<p>{p}</p>" for p in prose)
        + "<p>This article was originally published by The Estuary Review and is reprinted "
        "with permission.</p></article></body></html>"
    )
    page = extract_page(markup)
    assert page.mode == "precision" and page.kind == TEXT_ARTICLE
    assert page.text.split("\n\n")[:2] == list(prose)


async def test_a_reprint_notice_page_gives_way_to_the_feeds_text(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    notice = extract_page(page_html("harbour-seals.html"))
    # Both modes find only the reprint line.
    assert notice.kind == TEXT_NOTICE and notice.mode == "precision"
    assert notice.text.startswith("This article was originally published by The Estuary Review")
    teaser = (
        "Three hundred seals now live on the Alder estuary sandbanks, the largest colony on "
        "this coast since records began."
    )
    article = await collect_one(
        db, server, options, process_pool, "/pages/harbour-seals.html", teaser
    )
    # The notice is over half as long as the teaser: the length rule alone would keep it.
    assert len(notice.text) >= 0.5 * len(teaser)
    assert article.text_source == "feed" and article.text == teaser


# -- tables and lists that belong to the article ------------------------------------------------


async def test_an_articles_data_table_is_stored_one_row_per_line(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    article = await collect_one(
        db, server, options, process_pool, "/pages/water-quality.html", "Lead levels fall."
    )
    assert article.text_source == "page"
    paragraphs = article.text.split("\n\n")
    table = paragraphs[2:7]
    assert table == [
        "Lead in tap water, micrograms per litre",  # the caption
        "District: Old Harbour; October 2025: 8.4; October 2026: 4.1",
        "District: Quayside; October 2025: 6.2; October 2026: 3.3",
        "District: Riverside; October 2025: 2.9; October 2026: 2.7",
        "District: Hillcrest; October 2025: 2.2; October 2026: 1.9",
    ]
    assert paragraphs[1].startswith("Engineers took samples") and paragraphs[7].startswith(
        "The board said the largest falls"
    )
    # The link table beside the article (market prices) is not the article's.
    assert "FTSE" not in article.text and "Oil" not in article.text


def test_a_table_without_a_header_and_a_layout_table() -> None:
    prose = [PROSE, PROSE.replace("coastal library", "harbour museum")]
    plain = (
        "<table><tr><td>Monday</td><td>9:00</td><td>17:00</td></tr>"
        "<tr><td>Saturday</td><td>10:00</td><td></td></tr></table>"
    )
    markup = (
        "<html><head><title>Library saved</title></head><body><article><h1>Library saved</h1>"
        f"<p>{prose[0]}</p><p>Opening hours:</p>{plain}<p>{prose[1]}</p></article></body></html>"
    )
    page = extract_page(markup)
    assert page.text.split("\n\n") == [
        prose[0], "Opening hours:", "Monday; 9:00; 17:00", "Saturday; 10:00", prose[1]
    ]  # fmt: skip

    # A table that lays out the page: its cells are read as paragraphs, not as one row.
    layout = (
        "<html><head><title>Library saved</title></head><body><table><tr>"
        "<td><h1>Library saved</h1>" + "".join(f"<p>{p}</p>" for p in prose) + "</td>"
        "</tr></table></body></html>"
    )
    assert extract_page(layout).text.split("\n\n") == prose


async def test_an_articles_list_is_kept_and_the_site_menus_are_not(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    article = await collect_one(
        db, server, options, process_pool, "/pages/school-meals.html", "Free school meals."
    )
    assert article.text_source == "page"
    paragraphs = article.text.split("\n\n")
    assert paragraphs[2:6] == [
        "- Lunches will be cooked on site in the twelve schools that have kitchens",
        "- Schools without a kitchen will get meals delivered from the Quay Street depot",
        "- Every menu will offer a vegetarian choice each day",
        "- Families will no longer need to apply or show proof of income",
    ]
    assert paragraphs[1].endswith("Under the plan:")
    assert paragraphs[6].startswith("Head teachers welcomed the decision")
    # The header menu, the section nav, the related links and the footer list are gone.
    for furniture in ("Home", "Weather", "Opinion", "Jobs", "Hillcrest primary", "Privacy"):
        assert furniture not in article.text


# -- the real article shape ---------------------------------------------------------------------


def test_a_big_news_sites_article_page_extracts_as_before() -> None:
    """The shape of the scraped seed page: furniture all around, prose in precision mode."""
    page = extract_page(page_html("harbour-pilots.html"))
    expected = (PAGES / "harbour-pilots.expected.txt").read_text(encoding="utf-8").strip()
    assert page.text == expected  # what the extractor gave before the fallbacks
    assert page.mode == "precision" and page.kind == TEXT_ARTICLE
    assert page.title == "Harbour pilots held secret talks with shipowners over strike: report"
    assert page.author == "Jane Example" and page.site_name == "Harbour Daily"
    assert page.published == "2026-06-29"
    for furniture in ("Expand / Collapse", "Watch TV", "All rights reserved", "CLICK HERE"):
        assert furniture not in page.text


def test_every_article_page_among_the_fixtures_extracts_in_precision_mode() -> None:
    not_articles = {"night-trains.html", "consent.html", "harbour-seals.html"}
    for path in sorted(PAGES.glob("*.html")):
        if path.name not in not_articles:
            page = extract_page(path.read_text(encoding="utf-8"))
            assert (page.mode, page.kind) == ("precision", TEXT_ARTICLE), path.name


def test_a_pages_relative_lead_image_becomes_an_absolute_url() -> None:
    page = "https://news.example/world/2026/harbour.html"
    assert lead_image(None, "/img/lead.jpg", page) == "https://news.example/img/lead.jpg"
    assert lead_image(None, "lead.jpg", page) == "https://news.example/world/2026/lead.jpg"
    # The feed's own image wins; what Telegram could not fetch is no image at all.
    assert lead_image("https://cdn.example/a.jpg", "/img/b.jpg", page) == (
        "https://cdn.example/a.jpg"
    )
    assert lead_image(None, "data:image/png;base64,AAAA", page) is None
    assert lead_image("javascript:alert(1)", None, page) is None
