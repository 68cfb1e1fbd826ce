"""What feeds and pages say reaches subscribers decoded once, without invisible controls."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

from collector.htmltext import clean_text
from collector.service import Collector
from sandbox.collector_options import CollectorOptions
from sandbox.feed_server import LocalFeedServer
from storage.db import Database
from storage.models import Article
from tests.collector.helpers import add_feeds, articles, story

# Not asserted for pages: trafilatura drops every non-printable character from page text, ZWNJ,
# ZWJ and LRM included (see docs/collector.md, "Text hygiene").

HYGIENE_FEEDS = ["rss.xml", "atom.xml", "feed.json", "undefined-entity.xml"]
INVISIBLE = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u2060\ufeff\u00ad"
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "I want", with a ZWNJ
HEBREW = "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd"
ARABIC = "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645"
CODER = "\U0001f469\u200d\U0001f4bb"  # woman technologist: an emoji joined by a ZWJ


def test_clean_text_drops_controls_and_keeps_scripts_joiners_and_marks() -> None:
    kept = f"{PERSIAN} {HEBREW} {ARABIC} {CODER} a\u200eb\u200fc\u061cd\tx\ny"
    assert clean_text(kept) == kept
    spoofed = "invoice\u202egpj.exe\u202c a\u200bb\u2060c\ufeffd\u00ade\u2066f\u2069\x07\x85!"
    assert clean_text(spoofed) == "invoicegpj.exe abcdef!"


async def test_feed_and_page_text_is_stored_decoded_once_and_without_invisible_controls(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    await add_feeds(db, "local", [server.url(f"/hygiene/{name}") for name in HYGIENE_FEEDS])
    async with Collector(db, options, executor=process_pool) as running:  # type: ignore[arg-type]
        report = await running.collect_all()
    assert {r.url.rsplit("/", 1)[1]: r.new for r in report.results} == {
        "rss.xml": 4,
        "atom.xml": 2,
        "feed.json": 2,
        "undefined-entity.xml": 1,
    }
    stored = await articles(db)
    by_title = {a.title: a for a in stored}

    # Titles: entities decoded exactly once in RSS, Atom (text and html) and JSON Feed alike,
    # "<Bigco>" in a plain-text title kept, bidi and zero-width controls gone.
    assert set(by_title) == {
        "Q&A session",
        "it's a fdp.exe trick",
        "Plain isolated title with <Bigco>",
        "It’s a text title",
        "Q&A & more",
        "Q&A session on evil",
        "Title &xxe; here",
        f"{ARABIC[:5]}\u200f (2026) {ARABIC[6:]}",  # the right-to-left mark stays
        f"{PERSIAN} {CODER}",  # ZWNJ inside the word, ZWJ inside the emoji
    }
    # Sources (feed titles) are text a feed gives too.
    assert {a.source_name for a in stored} == {
        "Hygiene & Sons",
        "Atom & Hygiene",
        "JSON Hygiene",
        "Undefined",
    }

    # Feed text, HTML or plain, decoded once.
    assert by_title["it's a fdp.exe trick"].text == (
        "Zerowidth, softhyphen, wordjoiner and a straymark are gone; <tags> shown as text "
        "stay.\n\nFish & chips — escaped once for XML."
    )
    plain = by_title["Plain isolated title with <Bigco>"]
    assert plain.text == "It’s one paragraph with no tags at all, Q&A style."
    atom_text = by_title["It’s a text title"]
    assert atom_text.text == "A plain summary: x < y && it's forced left."
    assert by_title["Q&A & more"].text == "An HTML body: it's reversed no more."
    json_item = by_title["Q&A session on evil"]
    assert json_item.text == "it's plain text with It’s and isolated words."
    assert json_item.author == "Eve’s desk"
    # An entity the document never defines is shown as written, never escaped a second time.
    assert by_title["Title &xxe; here"].text.startswith("Body &xxe")
    marks = by_title[f"{PERSIAN} {CODER}"]
    assert marks.text == f"{HEBREW[:4]} (2026)\u200f and a\u200eb stay as written."

    # The page: right-to-left scripts intact, the override and the zero-width space gone.
    festival = by_title["Q&A session"]
    assert festival.text_source == "page"
    assert HEBREW in festival.text and ARABIC in festival.text
    assert "a file called gpj.exe was removed" in festival.text
    assert "Quay Street" in festival.text

    for article in stored:
        assert_clean(article)
        assert (await story(db, article.story_id)).title == article.title


def assert_clean(article: Article) -> None:
    """No invisible control and no second layer of escaping in anything subscribers read."""
    for field in (article.title, article.text, article.summary, article.author or ""):
        assert not set(field) & set(INVISIBLE), (article.title, field)
        assert "&amp;" not in field and "&#" not in field and "&apos;" not in field, field
