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
    )
    if document is None:
        return ExtractedPage(text="")
    text = (document.text or "").strip()
    # trafilatura separates paragraphs with single newlines; the summarizer expects blank lines.
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    return ExtractedPage(
        text="\n\n".join(paragraphs),
        title=document.title or None,
        author=document.author or None,
        published=document.date or None,
        image_url=document.image or None,
        canonical_url=document.url or None,
        site_name=document.sitename or None,
    )
