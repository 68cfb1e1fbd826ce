"""Paragraphs and sentences from plain text in any language, with no downloaded data.

One set of rules for every language (`split_block`): a sentence ends at . ! ? … । ॥ ؟ (and ; in
Greek, its question mark), after optional closing quotes, before a space and a character that
may open a sentence (in a cased script: not a lower-case letter), except after a title ("Mr.",
"Sen.", "M."), an initial ("J.") or, unless a function word follows ("U.S. The…"), another
abbreviation of the language or a dotted one ("U.S.", "p.m."). The rules replaced nupunkt's
English Punkt model: against CNN-Corpus's gold segmentation they score F1 0.990 (0.982 for
Punkt), and Punkt does not know the Devanagari danda "।" (31 % of Hindi "sentences" came out
longer than 80 words). Figures in docs/summarizer.md.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import regex

from summarizer.words import language_code, language_stop_words

_BLANK_LINES = re.compile(r"\n[ \t\f\v\u00a0]*\n\s*")
# Runs of two or more spaces, or any odd space; a lone " " (nearly all of them) is left alone.
_ODD_SPACE = r"\t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000"
_SPACES = re.compile(rf"[ {_ODD_SPACE}]{{2,}}|[{_ODD_SPACE}]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
_ODD_CHARACTER = re.compile(rf"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd{_ODD_SPACE}]")
_LINE_EDGES = re.compile(r" \n ?|\n ")
_SENTENCE_END = re.compile(r"[.!?…:;।॥؟][\"'”’»)\]]*$")
# A line of a hard-wrapped paragraph is long; a short line without final punctuation is a
# heading, a menu item or a caption and must not be glued to the sentence after it.
_WRAPPED_LINE_MIN_CHARS = 50
# Sentences longer than this are not prose (tables, lists flattened by extraction); cutting them
# keeps the splitter and every scorer linear in the input size.
MAX_SENTENCE_CHARS = 2000


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
        return True  # the splitter decides whether the sentence really ends there
    return len(previous) >= _WRAPPED_LINE_MIN_CHARS and not line[:1].isupper()


def split_paragraph(paragraph: str, language: str | None = None) -> list[str]:
    """The sentences of one paragraph; a line without final punctuation is its own sentence."""
    sentences: list[str] = []
    for block in paragraph_lines(paragraph):
        sentences.extend(split_block(block, language))
    return sentences


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """Every sentence of the text in order; paragraph breaks always end a sentence.

    `language` is an ISO 639-1 code or name; None (the default) means English."""
    return [s for paragraph in split_paragraphs(text) for s in split_paragraph(paragraph, language)]


# A candidate end: terminal punctuation (Latin, Devanagari danda, Arabic and Greek question
# marks, ellipsis), optional closing quotes or brackets (French sets a space before "»"), space.
_RULE_END = regex.compile(r"([.!?…।॥؟;。！？]+)((?:[ \u00a0\u202f]*»)?[\"'”’»)\]」』）]*)(\s+|$)")
# Chinese and Japanese write no space after a full stop: one is put there before splitting.
_CJK_END = regex.compile(r"([。！？｡][」』”’）)]*)(?=\S)")
# Thai and Lao mark no sentence end but a space: between two letters of those scripts, a space
# ends a sentence (or a clause, which reads as well on its own).
_THAI_SPACE = regex.compile(r"(?<=[\p{Thai}\p{Lao}])\s+(?=[\p{Thai}\p{Lao}])")
# Languages that write ordinals with a dot ("am 3. Mai", "1. září"): a number of one or two
# digits, a dot and a word that is not a sentence opener go on.
_ORDINAL_DOT = frozenset(
    {"de", "da", "no", "nb", "nn", "fi", "cs", "sk", "pl", "hu", "hr", "sl", "sr", "et", "lv"}
    | {"lt", "is", "tr"}
)
_SHORT_NUMBER = regex.compile(r"^\d{1,2}$")
_INITIAL = regex.compile(r"^\p{Lu}$")
_DOTTED = regex.compile(r"^(?:\w{1,2}\.)+\w{1,2}$")  # U.S, p.ex, π.χ
# An inline photo credit ("- Ảnh: AFP") ends the caption it closes.
_PHOTO_CREDIT = regex.compile(
    r"\s[-–—]?\s*\(?(?:Ảnh|Đồ họa|Photo|Foto|Φωτογραφία|Image|Crédit photo|Fotografia)\s*:\s*"
    r"[\p{Lu}\w.&/!-]+?\)?\s+(?=\p{Lu})"
)
# Abbreviations whose final period does not end a sentence (lower case, no period), per language.
_ABBREVIATIONS: dict[str, str] = {
    "*": "mr mrs ms dr prof st jr sr no nr vs etc jan feb mar apr jun jul aug sep sept oct nov "
    "dec gen col lt sgt capt gov sen rep rev inc ltd corp co",
    "fr": "m mme mlle mm pr ste gén cf ex av apr env art",
    "pt": "sra srs dra profa cel art nº av dep exmo",
    "es": "sra srta dña ud uds av",
    "cs": "tzv např atd mj resp tj př pí ing mgr doc mudr judr phdr čs popř cca",
    "el": "κ κα π.χ δηλ βλ",
    "vi": "ts ths gs pgs bs ks ls tp th.s pgs.ts",
    "de": "z.b bzw usw ca nr dr",
}


# Abbreviations that are followed by a name, never by the end of a sentence.
_TITLE_WORDS = "mr mrs ms dr prof st sen rep gov gen col lt sgt capt rev sr sra srs dra m mme mlle"
_TITLE_WORDS += " κ κα"
_TITLES = frozenset(_TITLE_WORDS.split())


def _first_word(text: str) -> str:
    found = _FIRST_WORD.match(text)
    return found.group(0) if found else ""


_FIRST_WORD = regex.compile(r"[\"'“‘«(\[]*\K\w+")


@cache
def _sentence_openers(language: str) -> frozenset[str]:
    return language_stop_words(language or "en")


@cache
def _abbreviations(language: str) -> frozenset[str]:
    return frozenset((_ABBREVIATIONS["*"] + " " + _ABBREVIATIONS.get(language, "")).split())


def _is_boundary(before: str, mark: str, after: str, language: str) -> bool:
    """Whether `before` + `mark` ends a sentence, given the text `after` the space."""
    if not after:
        return True
    head = after[0]
    if mark.startswith(";") and language != "el":
        return False  # a semicolon ends a sentence only in Greek (it is the question mark)
    if head.islower():
        return False  # a cased script continues the sentence in lower case
    if mark == ".":
        word = before.rsplit(None, 1)[-1] if before.strip() else ""
        word = word.lstrip("\"'“‘«([")
        lowered = word.lower()
        if lowered in _TITLES or _INITIAL.match(word):
            return False  # "Mr. Lavrov", "J. R. R. Tolkien"
        if lowered in _abbreviations(language) or _DOTTED.match(word):
            # "U.S. President" goes on, "Washington, D.C. The first round" ends: after an
            # abbreviation a sentence starts only with a function word ("The", "He", "It").
            return _first_word(after).lower() in _sentence_openers(language)
        if word[-1:].isdigit() and head.isdigit():
            return False  # "1. 000", list numbering inside a sentence
        if language in _ORDINAL_DOT and _SHORT_NUMBER.match(word):
            return _first_word(after).lower() in _sentence_openers(language)
    return True


def split_block(block: str, language: str | None = None) -> list[str]:
    """The sentences of one block of text (no line breaks) by the rules of `language`."""
    code = language_code(language)
    block = _PHOTO_CREDIT.sub(lambda m: m.group(0).rstrip() + "\u2029", block)
    block = _CJK_END.sub(r"\1 ", block)
    block = _THAI_SPACE.sub("\u2029", block)
    pieces: list[str] = []
    for part in block.split("\u2029"):
        start = 0
        for match in _RULE_END.finditer(part):
            # Only the last word before and the first word after matter: bounded slices keep
            # a long block linear.
            before = part[max(start, match.start(1) - 80) : match.start(1)]
            after = part[match.end() : match.end() + 80]
            if _is_boundary(before, match.group(1), after, code):
                pieces.append(part[start : match.end(2)].strip())
                start = match.end()
        pieces.append(part[start:].strip())
    return [cut for piece in pieces if piece for cut in _cut_long(piece)]


def _cut_long(sentence: str) -> list[str]:
    pieces: list[str] = []
    while len(sentence) > MAX_SENTENCE_CHARS:
        cut = sentence.rfind(" ", 0, MAX_SENTENCE_CHARS)
        cut = cut if cut > MAX_SENTENCE_CHARS // 2 else MAX_SENTENCE_CHARS
        pieces.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    if sentence:
        pieces.append(sentence)
    return pieces
