"""Text hygiene for everything feeds and pages give, HTML fragments to text, page decoding."""

from __future__ import annotations

import html
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
# A character reference with its semicolon: plain text decodes only these, so "AT&T" and
# "Cats&nothing" stay as written (HTML would read "&not" there).
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _removed_characters() -> dict[int, None]:
    invisible = [
        *range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F,  # C0 controls but \t \n \r
        *range(0x80, 0xA0),  # C1 controls
        0x00AD,  # soft hyphen
        0x180E,  # Mongolian vowel separator (a format character until Unicode 6.3)
        0x200B,  # zero-width space
        *range(0x202A, 0x202F),  # LRE, RLE, PDF, LRO, RLO: embeddings and overrides
        *range(0x2060, 0x2065),  # word joiner, invisible operators
        *range(0x2066, 0x206A),  # LRI, RLI, FSI, PDI: isolates
        *range(0x206A, 0x2070),  # deprecated format characters
        0xFEFF,  # zero-width no-break space (a stray byte-order mark)
        *range(0xFFF9, 0xFFFC),  # interlinear annotation anchors
    ]  # fmt: skip
    return dict.fromkeys(invisible)


# Kept on purpose: ZWNJ and ZWJ (U+200C/D) spell Persian, Indic scripts and emoji sequences;
# LRM, RLM and ALM (U+200E/F, U+061C) are the marks that order mixed-direction text.
_REMOVED = _removed_characters()


def clean_text(text: str) -> str:
    """Text as subscribers should get it: invisible formatting, bidi controls and C0/C1 removed."""
    return text.translate(_REMOVED)


def plain_text(text: str) -> str:
    """Plain text from a feed: references decoded once, cleaned, blank-line paragraphs kept."""
    # Publishers often escape plain text twice ("Q&amp;amp;A"); what is left once the XML
    # parser has decoded it is one more layer of references, decoded here and only here.
    decoded = _REFERENCE.sub(lambda match: html.unescape(match.group()), text)
    return _clean_paragraphs(clean_text(decoded).replace("\r", "").split("\n\n"))


def plain_line(text: str) -> str:
    """`plain_text` on one line (titles, names): every run of white space becomes one space."""
    return " ".join(plain_text(text).split())


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment, paragraphs separated by blank lines."""
    if not markup or not markup.strip():
        return ""
    if "<" not in markup:
        # No tags, but still HTML: its references are decoded as a browser would, once.
        text = html.unescape(markup).replace("\r", "")
        return _clean_paragraphs(clean_text(text).split("\n\n"))
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return _clean_paragraphs([clean_text(html.unescape(markup))])
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
    return _clean_paragraphs(clean_text(root.text_content()).split("\n\n"))


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
