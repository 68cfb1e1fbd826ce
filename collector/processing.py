"""The CPU half of collecting an article, run in a worker process: extract, summarise, match."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urljoin

from collector.dedup import content_fingerprint, simhash
from collector.extract import TEXT_ARTICLE, TEXT_KINDS, ExtractedPage, extract_page, text_kind
from collector.feedparse import FeedItem
from collector.htmltext import clean_text, decode_html, is_html
from collector.topics import TopicRule, matching_topics
from collector.urls import canonical_url, same_site
from summarizer.language import detect_language

log = logging.getLogger(__name__)

TEXT_SOURCE_PAGE = "page"
TEXT_SOURCE_FEED = "feed"
# A page whose extracted text is under half the feed's own text is a teaser or a paywall.
PAGE_TEXT_MIN_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class ArticleJob:
    """Everything a worker needs to turn one feed item (and its fetched page) into an article."""

    item: FeedItem
    url: str  # the item's canonical URL
    page_url: str | None = None  # the page's final URL after redirects
    page_body: bytes | None = None
    page_content_type: str = ""
    page_error: str | None = None
    summary_algorithm: str = "news"
    summary_sentences: int = 3
    topic_rules: tuple[TopicRule, ...] = ()


@dataclass(frozen=True, slots=True)
class ProcessedArticle:
    """An article ready to store."""

    url: str
    title: str
    author: str | None
    published_at: datetime | None
    image_url: str | None
    site_name: str | None
    text: str
    text_source: str
    summary: str
    fingerprint: str
    simhash: int | None
    topic_ids: frozenset[int]
    language: str | None = None  # ISO 639-1, detected from the text (summarizer/language.py)


def process_article(job: ArticleJob) -> ProcessedArticle:
    """Extract the page's main text (or fall back to the feed's), summarise, hash and match."""
    page = _extract(job)
    item = job.item
    text, source = choose_text(page.text if page is not None else "", item.text)
    url = job.url
    if page is not None and page.canonical_url and job.page_url:
        # A page may name its canonical URL, but only on its own site: a hostile page must not
        # claim another site's article URL.
        candidate = canonical_url(page.canonical_url)
        if candidate.startswith(("http://", "https://")) and same_site(candidate, job.page_url):
            url = candidate
    title = item.title or (page.title if page else None) or url
    language = detect_language(f"{title}\n\n{text}", hint=item.language)
    return ProcessedArticle(
        url=url,
        title=title[:1000],
        author=(item.author or (page.author if page else None) or None),
        # The feed's date is the publisher's; trafilatura guesses one when the page states none.
        published_at=item.published or _page_date(page),
        image_url=lead_image(item.image_url, page.image_url if page else None, job.page_url),
        site_name=page.site_name if page else None,
        text=text,
        text_source=source,
        summary=summarize_text(
            text, title, job.summary_sentences, job.summary_algorithm, language=language
        ),
        fingerprint=content_fingerprint(text, url),
        simhash=simhash(text),
        topic_ids=frozenset(matching_topics(job.topic_rules, title, text, language)),
        language=language,
    )


def lead_image(feed_image: str | None, page_image: str | None, page_url: str | None) -> str | None:
    """The article's lead image as an absolute http(s) URL: the feed's, else the page's
    (og:image and the like are often relative, "/img/lead.jpg", to the page); None when
    neither is one Telegram could fetch (a data: URI, a javascript: link)."""
    for candidate, base in ((feed_image, None), (page_image, page_url)):
        if not candidate:
            continue
        url = urljoin(base, candidate.strip()) if base else candidate.strip()
        if url.startswith(("https://", "http://")):
            return url
    return None


def choose_text(page_text: str, feed_text: str) -> tuple[str, str]:
    """The article's text and where it came from (TEXT_SOURCE_PAGE or TEXT_SOURCE_FEED).

    Each text is of a kind (`collector.extract.text_kind`): article, short, notice or empty.
    1. The page's text when it is an article, unless the feed's is an article over twice as
       long (the page was a teaser or a paywall).
    2. Otherwise the better kind, article > short > notice > empty: a notice-only page (a
       cookie wall, a reprint line) never wins over feed text, whatever their lengths. Of two
       of a kind, the longer, the page's on a tie; so the body is never empty while either
       source had text.
    """
    page_kind, feed_kind = text_kind(page_text), text_kind(feed_text)
    if page_kind == TEXT_ARTICLE and (
        feed_kind != TEXT_ARTICLE or len(page_text) >= PAGE_TEXT_MIN_SHARE * len(feed_text)
    ):
        return page_text, TEXT_SOURCE_PAGE
    page_rank, feed_rank = TEXT_KINDS.index(page_kind), TEXT_KINDS.index(feed_kind)
    if (page_rank, len(page_text)) >= (feed_rank, len(feed_text)) and page_text:
        return page_text, TEXT_SOURCE_PAGE
    return feed_text, TEXT_SOURCE_FEED


def _extract(job: ArticleJob) -> ExtractedPage | None:
    if job.page_body is None or not is_html(job.page_content_type, job.page_body):
        return None
    try:
        page = extract_page(decode_html(job.page_body, job.page_content_type), job.page_url)
    except Exception:  # a page that breaks the extractor must not lose the article
        log.warning("extraction failed for %s; using the feed's text", job.page_url, exc_info=True)
        return None
    # The page's text is cleaned like the feed's (collector.htmltext.clean_text), after the
    # extractor has decoded its references: "&#8238;" is a right-to-left override too.
    text = "\n\n".join(part for part in clean_text(page.text).split("\n\n") if part.strip())
    if page.mode != "precision":
        log.debug("page text of %s taken in trafilatura's %s mode", job.page_url, page.mode)
    return replace(
        page,
        text=text,
        kind=text_kind(text),
        title=_cleaned(page.title),
        author=_cleaned(page.author),
        site_name=_cleaned(page.site_name),
    )


def _cleaned(value: str | None) -> str | None:
    return " ".join(clean_text(value).split()) or None if value else None


def _page_date(page: ExtractedPage | None) -> datetime | None:
    if page is None or not page.published:
        return None
    try:
        when = datetime.fromisoformat(page.published)
    except ValueError:
        return None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when if when <= datetime.now(UTC) else None


def summarize_text(
    text: str, title: str, sentences: int, algorithm: str, *, language: str | None = None
) -> str:
    """The summary as sentences one per line (in the text's `language`; None: guessed); the
    lead sentences if the summarizer fails."""
    if not text.strip():
        return ""
    try:
        from summarizer import summarize  # imported here: workers load it once, on first use

        result = summarize(
            text, title=title, sentences=sentences, algorithm=algorithm, language=language
        )
    except Exception:  # a summarizer bug must not lose the article: keep its opening instead
        log.warning("summarizer failed for %r; storing the lead instead", title, exc_info=True)
        return _lead(text)
    return _as_lines(result)


def _as_lines(result: object) -> str:
    if isinstance(result, str):
        return result.strip()
    if isinstance(result, Sequence):
        return "\n".join(str(s).strip() for s in result if str(s).strip())
    sentences = getattr(result, "sentences", None)
    if sentences is not None:
        return _as_lines(list(sentences))
    return str(result).strip()


def _lead(text: str) -> str:
    paragraph = text.strip().split("\n\n", 1)[0]
    return paragraph[:600]


def warm_up() -> None:
    """Import the heavy libraries once in a fresh worker process."""
    import trafilatura  # noqa: F401

    import summarizer  # noqa: F401
