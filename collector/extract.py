"""Main text of HTML pages with trafilatura: precision mode first, recall mode when it finds none.

The rule (docs/collector.md, "Page text"):

1. trafilatura in precision mode (`favor_precision=True`), tables included;
2. when that text is not an article (`text_kind`: empty, a notice only, or under
   `MIN_ARTICLE_WORDS` words), trafilatura again in recall mode (`favor_recall=True`); the better
   kind wins (article > short > notice > empty), precision on a tie;
3. the caller (`collector.processing`) then weighs the page's text against the feed's.

Lists keep one line per item ("- item"); a data table becomes one line per row, each cell named
by its column ("District: Old Harbour; Lead: 4.1"); a table used for page layout is read as the
blocks in its cells.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass, replace

import trafilatura
from lxml import etree
from trafilatura.xml import xmltotxt

from summarizer.words import words

# What a text is, by `text_kind`, from worst to best.
TEXT_EMPTY = "empty"
TEXT_NOTICE = "notice"  # only notices (a cookie wall, a reprint line, "enable JavaScript")
TEXT_SHORT = "short"  # under MIN_ARTICLE_WORDS words besides notices: a caption, a teaser line
TEXT_ARTICLE = "article"
TEXT_KINDS = (TEXT_EMPTY, TEXT_NOTICE, TEXT_SHORT, TEXT_ARTICLE)  # worst to best

# Fewer words than this outside notice lines is not an article: the shortest news brief runs to
# two sentences (~30 words); a caption, a heading, a button row or a teaser line is shorter.
MIN_ARTICLE_WORDS = 30

# A line (paragraph) is a notice when it says one of these: what a page shows instead of, or
# around, its article. Searched case-insensitively anywhere in the line; an article that quotes
# one is still an article, since its other lines hold MIN_ARTICLE_WORDS words.
_NOTICE_PATTERNS = (
    # cookie and consent walls
    r"\b(we|this (web)?site|our (web)?site|our( \d+)? partners) (use|uses|store|and our)\b"
    r".{0,80}\bcookies?\b",
    r"\bcookies? (policy|settings|preferences|consent|notice|banner)\b",
    r"\b(accept|reject|allow|refuse|decline) (all|all cookies|cookies|optional cookies)\b",
    r"\bmanage (my |your )?(cookies|preferences|consent|privacy settings|options)\b",
    r"\b(we (value|care about)|respect) your privacy\b|\byour privacy (choices|settings)\b",
    r"\bconsent to (the|our) use of\b",
    # reprints and syndication
    r"\b(originally|first) (published|appeared|posted) (on|in|at|by)\b|\bappeared first on\b",
    r"\b(reprinted|republished|reproduced) (here )?(with|by) (the )?(kind )?permission\b",
    r"\b(republished|reprinted) (from|under)\b|\bread the original (article|story|post)\b",
    # the page needs a browser, a script or a human
    r"\b(enable|turn on|activate|allow) javascript\b|\bjavascript is (disabled|required|off)\b",
    r"\byour browser (is not supported|does not support|is out of date)\b",
    r"\b(update|upgrade) your browser\b|\b(disable|turn off|pause) (your )?ad ?blocker\b",
    r"\bverify (that )?you are (a )?human\b|\bare you a robot\b",
    # subscription and registration walls
    r"\bsubscribe (now |today )?(to (continue|keep reading|read|unlock|access)|for (full|unlimited)"
    r" access)\b",
    r"\b(available|reserved|exclusive|is|are) (only )?(to|for) (paying )?(subscribers|members)\b",
    r"\bsubscribers? only\b|\balready (a subscriber|subscribed|a member|have an account)\b",
    r"\b(log|sign) in (to (continue|keep reading|read|access|view)|or (register|subscribe))\b",
    r"\byou('ve| have) (read|reached|used) .{0,30}\b(free )?(articles?|stories|limit)\b",
    r"\b(start|begin) (your )?free trial\b|\bunlock (this|the full) (article|story)\b",
)
_NOTICE = re.compile("|".join(f"(?:{p})" for p in _NOTICE_PATTERNS), re.IGNORECASE)

# A table is a layout table when a cell holds one of these or this many words; its cells are
# then read as ordinary blocks rather than as rows of data.
_LAYOUT_CELL_TAGS = ("head", "list", "quote", "table", "code")
_LAYOUT_CELL_WORDS = 50


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
    kind: str = TEXT_EMPTY  # text_kind(text)
    mode: str = "precision"  # the trafilatura mode the text came from: precision or recall


_METADATA = ("title", "author", "published", "image_url", "canonical_url", "site_name")


def is_notice(line: str) -> bool:
    """True when a line says what a page shows instead of an article (see _NOTICE_PATTERNS)."""
    return _NOTICE.search(line) is not None


def text_kind(text: str) -> str:
    """TEXT_EMPTY, TEXT_NOTICE, TEXT_SHORT or TEXT_ARTICLE, by a rule a reader can check.

    Empty: no visible text. Notice: at least one notice line, and the other lines hold under
    MIN_ARTICLE_WORDS words. Short: no notice and under MIN_ARTICLE_WORDS words. Article: the rest.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return TEXT_EMPTY
    notices = [is_notice(line) for line in lines]
    other_words = sum(
        len(words(line)) for line, notice in zip(lines, notices, strict=True) if not notice
    )
    if other_words >= MIN_ARTICLE_WORDS:
        return TEXT_ARTICLE
    return TEXT_NOTICE if any(notices) else TEXT_SHORT


def extract_page(html: str, url: str | None = None) -> ExtractedPage:
    """The article body and metadata; recall mode when precision mode finds no article."""
    precise = _extraction(html, url, favor_precision=True)
    if precise.kind == TEXT_ARTICLE:
        return precise
    recalled = _extraction(html, url, favor_recall=True)
    if TEXT_KINDS.index(recalled.kind) <= TEXT_KINDS.index(precise.kind):
        return precise
    # The metadata does not depend on the mode: precision's where it found some.
    return replace(
        recalled, **{name: getattr(precise, name) or getattr(recalled, name) for name in _METADATA}
    )


def _extraction(
    html: str, url: str | None, *, favor_precision: bool = False, favor_recall: bool = False
) -> ExtractedPage:
    mode = "recall" if favor_recall else "precision"
    document = trafilatura.bare_extraction(
        html,
        url=url,
        favor_precision=favor_precision,
        favor_recall=favor_recall,
        include_comments=False,
        include_tables=True,
        include_images=False,
        with_metadata=True,
        # Only dates the page states in its markup; the extensive search guesses one from any
        # number that looks like a year (a copyright line), which is worse than none.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if document is None:
        return ExtractedPage(text="", mode=mode)
    text = _body_text(document.body) if document.body is not None else (document.text or "")
    # trafilatura separates paragraphs with single newlines; the summarizer expects blank lines.
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    title = (document.title or "").strip()
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]  # the headline is the title, not the article's first line
    text = "\n\n".join(paragraphs)
    return ExtractedPage(
        text=text,
        title=document.title or None,
        author=document.author or None,
        published=document.date or None,
        image_url=document.image or None,
        canonical_url=document.url or None,
        site_name=document.sitename or None,
        kind=text_kind(text),
        mode=mode,
    )


def _body_text(body: etree._Element) -> str:
    """trafilatura's plain text of its body, each table read as lines or as blocks first."""
    if next(body.iter("table"), None) is None:
        return xmltotxt(body, include_formatting=False)
    body = deepcopy(body)
    # Each table is judged as the page has it, then replaced innermost first (a nested table
    # comes after its ancestor in document order), so a data table inside a layout cell is
    # already lines when the layout table is read.
    judged = [(table, _is_layout_table(table)) for table in body.iter("table")]
    for table, layout in reversed(judged):
        parent = table.getparent()
        if parent is None:
            continue
        blocks = _layout_blocks(table) if layout else _data_rows(table)
        if blocks and table.tail and table.tail.strip():
            blocks.append(_paragraph(table.tail))
        position = parent.index(table)
        parent.remove(table)
        for offset, block in enumerate(blocks):
            parent.insert(position + offset, block)
    return xmltotxt(body, include_formatting=False)


def _is_layout_table(table: etree._Element) -> bool:
    """A table whose cells hold headings, lists, quotes, tables or long text lays out a page."""
    for cell in table.iter("cell"):
        if any(True for tag in _LAYOUT_CELL_TAGS for _ in cell.iter(tag)):
            return True
        if len(words(_inline_text(cell))) >= _LAYOUT_CELL_WORDS:
            return True
    return False


def _layout_blocks(table: etree._Element) -> list[etree._Element]:
    return [block for cell in list(table.iter("cell")) for block in _cell_blocks(cell)]


def _data_rows(table: etree._Element) -> list[etree._Element]:
    """One paragraph per row, each cell named by its column when the table has a header row.

    The leading rows of header cells are the table's head: a row of one cell is a title (a
    caption) and stays a line; the last with several cells names the columns of the rows below.
    """
    rows = list(table.iter("row"))
    texts = [[_inline_text(cell) for cell in row.iter("cell")] for row in rows]
    head = 0
    while head < len(rows) and _is_head_row(rows[head], texts[head]):
        head += 1
    labels: list[str] = []
    naming = [i for i in range(head) if sum(1 for text in texts[i] if text) > 1]
    if (
        naming
        and head < len(rows)
        and all(len(row) == len(texts[naming[-1]]) for row in texts[head:])
    ):
        labels = texts[naming[-1]]
        del texts[naming[-1]]  # each row names its cells: the header line would repeat them
        head -= 1
    lines = []
    for index, row in enumerate(texts):
        if labels and index >= head:
            parts = [
                f"{label}: {value}" if label and label != value else value
                for label, value in zip(labels, row, strict=True)
                if value
            ]
        else:
            parts = [value for value in row if value]
        if parts:
            lines.append("; ".join(parts))
    return [_paragraph(line) for line in lines]


def _is_head_row(row: etree._Element, texts: list[str]) -> bool:
    cells = list(row.iter("cell"))
    return any(texts) and all(
        cell.get("role") == "head" or not text for cell, text in zip(cells, texts, strict=True)
    )


def _cell_blocks(cell: etree._Element) -> list[etree._Element]:
    """A layout cell's content as blocks: its blocks as they are, loose text as paragraphs."""
    blocks: list[etree._Element] = []
    loose = etree.Element("p")
    loose.text = cell.text

    def flush() -> None:
        nonlocal loose
        if (loose.text and loose.text.strip()) or len(loose):
            blocks.append(loose)
        loose = etree.Element("p")

    for child in list(cell):
        tail, child.tail = child.tail, None
        if child.tag in ("p", *_LAYOUT_CELL_TAGS):
            flush()
            blocks.append(child)
        else:  # inline: hi, ref, lb, del
            loose.append(child)
        if tail and tail.strip():
            if len(loose):
                loose[-1].tail = tail
            else:
                loose.text = (loose.text or "") + tail
    flush()
    return blocks


def _inline_text(element: etree._Element) -> str:
    """The element's text on one line: inline parts joined as written, blocks by a space."""
    element = deepcopy(element)
    for block in element.iter("p", "lb", "head", "item"):
        block.text = " " + (block.text or "")
        block.tail = " " + (block.tail or "")
    return " ".join("".join(element.itertext()).split())


def _paragraph(text: str) -> etree._Element:
    element = etree.Element("p")
    element.text = " ".join(text.split())
    return element
