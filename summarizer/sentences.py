"""Paragraphs, sentences and words from plain text, with no downloaded data (nupunkt)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_BLANK_LINES = re.compile(r"\n[ \t\f\v\u00a0]*\n\s*")
# Runs of two or more spaces, or any odd space; a lone " " (nearly all of them) is left alone.
_ODD_SPACE = r"\t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000"
_SPACES = re.compile(rf"[ {_ODD_SPACE}]{{2,}}|[{_ODD_SPACE}]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
_ODD_CHARACTER = re.compile(rf"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd{_ODD_SPACE}]")
_LINE_EDGES = re.compile(r" \n ?|\n ")
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*$")
# A line of a hard-wrapped paragraph is long; a short line without final punctuation is a
# heading, a menu item or a caption and must not be glued to the sentence after it.
_WRAPPED_LINE_MIN_CHARS = 50
_INNER_END = re.compile(r"[.!?…][\"'”’)\]]*\s")
# Sentences longer than this are not prose (tables, lists flattened by extraction); cutting them
# keeps nupunkt and every scorer linear in the input size.
MAX_SENTENCE_CHARS = 2000


@cache
def _punkt():  # type: ignore[no-untyped-def]
    """The nupunkt sentence tokenizer, loaded once per process on first use."""
    import nupunkt

    return nupunkt.load("default")


def normalize_text(text: str) -> str:
    """Unicode NFC, unified newlines and spaces, control characters removed."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    # Clean text (most of it) needs none of the substitutions: cheap checks skip them.
    if _ODD_CHARACTER.search(text):
        text = _SPACES.sub(" ", _CONTROL.sub(" ", text))
    elif "  " in text:
        text = _SPACES.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = _LINE_EDGES.sub("\n", text)
    return text.strip()


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines; lines inside stay as they are."""
    return [p.strip() for p in _BLANK_LINES.split(normalize_text(text)) if p.strip()]


def paragraph_lines(paragraph: str) -> list[str]:
    """The paragraph's lines, re-joined where a line is merely hard-wrapped prose."""
    blocks: list[str] = []
    for line in paragraph.split("\n"):
        line = line.strip()
        if not line:
            continue
        if blocks and _continues(blocks[-1], line):
            blocks[-1] = f"{blocks[-1]} {line}"
        else:
            blocks.append(line)
    return blocks


def _continues(previous: str, line: str) -> bool:
    if _SENTENCE_END.search(previous):
        return True  # nupunkt decides whether the sentence really ends there
    return len(previous) >= _WRAPPED_LINE_MIN_CHARS and not line[:1].isupper()


def _split_block(block: str) -> list[str]:
    # Most news paragraphs hold one or two sentences: one without any inner candidate
    # boundary needs no trip through nupunkt.
    candidates = [block] if not _INNER_END.search(block) else _punkt().tokenize(block)
    pieces: list[str] = []
    for sentence in candidates:
        sentence = sentence.strip()
        while len(sentence) > MAX_SENTENCE_CHARS:
            cut = sentence.rfind(" ", 0, MAX_SENTENCE_CHARS)
            cut = cut if cut > MAX_SENTENCE_CHARS // 2 else MAX_SENTENCE_CHARS
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            pieces.append(sentence)
    return pieces


def split_paragraph(paragraph: str) -> list[str]:
    """The sentences of one paragraph; a line without final punctuation is its own sentence."""
    sentences: list[str] = []
    for block in paragraph_lines(paragraph):
        sentences.extend(_split_block(block))
    return sentences


def split_sentences(text: str) -> list[str]:
    """Every sentence of the text in order; paragraph breaks always end a sentence."""
    return [s for paragraph in split_paragraphs(text) for s in split_paragraph(paragraph)]
