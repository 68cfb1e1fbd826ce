"""Main-text extraction from HTML pages with trafilatura, tuned for precision over recall."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """What a page yields: its main text (paragraphs separated by blank lines) and metadata."""

    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None  # as the page states it (ISO date when trafilatura finds one)
    image_url: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None


def extract_page(html: str, url: str | None = None) -> ExtractedPage:
    """Extract the article body and metadata; an empty text means nothing article-like was found."""
    document = trafilatura.bare_extraction(
        html,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        with_metadata=True,
        # Only dates the page states in its markup; the extensive search guesses one from any
        # number that looks like a year (a copyright line), which is worse than none.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if document is None:
        return ExtractedPage(text="")
    text = (document.text or "").strip()
    # trafilatura separates paragraphs with single newlines; the summarizer expects blank lines.
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    title = (document.title or "").strip()
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]  # the headline is the title, not the article's first line
    return ExtractedPage(
        text="\n\n".join(paragraphs),
        title=document.title or None,
        author=document.author or None,
        published=document.date or None,
        image_url=document.image or None,
        canonical_url=document.url or None,
        site_name=document.sitename or None,
    )
