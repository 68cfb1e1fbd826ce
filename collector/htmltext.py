"""Plain text from HTML fragments (feed content) and decoding of fetched HTML pages."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

_BLOCK_TAGS = frozenset(
    {
        "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
        "pre", "section", "article", "header", "footer", "table", "tr", "figure", "dd", "dt",
    }
)  # fmt: skip
_DROP_TAGS = ("script", "style", "noscript", "iframe", "object", "embed", "form", "template")
_SPACES = re.compile(r"\s+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment, paragraphs separated by blank lines."""
    if not html or not html.strip():
        return ""
    if "<" not in html:
        return _clean_paragraphs(html.replace("\r", "").split("\n\n"))
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return _clean_paragraphs([html])
    for element in root.iter(*_DROP_TAGS):
        element.drop_tree()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in _BLOCK_TAGS:
            element.tail = "\n\n" + (element.tail or "")
            element.text = "\n\n" + (element.text or "")
        elif element.tag == "br":
            element.tail = "\n" + (element.tail or "")
    return _clean_paragraphs(root.text_content().split("\n\n"))


def _clean_paragraphs(parts: list[str]) -> str:
    paragraphs = (_SPACES.sub(" ", part).strip() for part in parts)
    return "\n\n".join(p for p in paragraphs if p)


def charset_of(content_type: str) -> str | None:
    """The charset parameter of a Content-Type header, or None."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def decode_html(body: bytes, content_type: str = "") -> str:
    """Decode an HTML page: header charset, else <meta charset>, else UTF-8 (bad bytes replaced)."""
    candidates = [charset_of(content_type)]
    match = _META_CHARSET.search(body[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii", "replace"))
    for encoding in candidates:
        if not encoding:
            continue
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def is_html(content_type: str, body: bytes) -> bool:
    """True for an HTML (or XHTML) response, by media type or, when none is given, by sniffing."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in {"text/html", "application/xhtml+xml"}:
        return True
    if media:
        return False
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))
