"""Boilerplate filter: drops page furniture from article text at paragraph and sentence level.

Each rule belongs to one named class (navigation, legal, caption, promo, byline, credit,
comment request, newsletter) so tests can exercise them one by one and `boilerplate_kind` can
explain a decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from summarizer.sentences import split_paragraph, split_paragraphs
from summarizer.words import words


@dataclass(frozen=True, slots=True)
class _Rule:
    """A regular expression tried only when the sentence contains one of its trigger words."""

    pattern: re.Pattern[str]
    # Lower-case words (or one of the symbols in _SYMBOLS) of which the sentence must contain
    # one; none: an anchored pattern, tried with all the others in one match at the start.
    triggers: tuple[str, ...] = ()


def _rule(pattern: str, *triggers: str, case: bool = False) -> _Rule:
    return _Rule(re.compile(pattern, 0 if case else re.IGNORECASE), triggers)


# Most sentences are prose: one set intersection of their words with the trigger words spares
# them ~40 regular expression searches each, which used to cost more than sentence splitting.
_RULES: dict[str, tuple[_Rule, ...]] = {
    "navigation": (_rule(r"^skip to (the )?(main )?(content|navigation|search|menu)\b"),),
    "legal": (
        _rule(r"©|\(c\)\s*(19|20)\d\d|\bcopyright\b.{0,40}(19|20)\d\d", "©", "c", "copyright"),
        _rule(r"\ball rights reserved\b", "reserved"),
        _rule(r"\bmay not be (published|reproduced|broadcast|redistributed|copied)", "may"),
        _rule(r"\b(rewritten|redistributed),? (or|and) (redistributed|rewritten)", "rewritten"),
        _rule(r"\bquotes (are )?(displayed|delayed)\b", "quotes"),
        _rule(r"\bdata (is )?provided by\b", "provided"),
        _rule(r"\bpowered (and implemented )?by\b", "powered"),
        _rule(
            r"\bwe use cookies\b|\bby (using|continuing to use) this (site|website)\b",
            "cookies",
            "site",
            "website",
        ),
        _rule(
            r"^(legal statement|terms (of|and conditions)|privacy (policy|notice)|"
            r"cookie (policy|settings)|accessibility( statement)?|contact us|about us|"
            r"sitemap)\b"
        ),
    ),
    "caption": (
        _rule(
            r"^in this (undated |file |handout |aerial |still |video |\w+ )?"
            r"(photo|image|picture|photograph|frame grab|screen ?grab|video|file)\b"
        ),
        _rule(
            r"^(this|the|an?) (undated |file |handout )?(photo|image|picture) "
            r"(shows|provided|taken|made|released)"
        ),
        _rule(
            r"^(photo|image|picture|photograph|video|caption|credit|image caption|"
            r"image copyright|media caption|getty images)\s*[:|/-]"
        ),
        _rule(r"\((ap|afp|reuters|getty|epa|upi|xinhua)( photo| images?)?\s*/[^)]*\)", "/"),
        _rule(r"\([^()]{0,80}\bvia (ap|afp|reuters|getty images|epa)\)", "via"),
        _rule(r"\((ap|afp|reuters|epa) photo\)|\b(ap|afp) photo/", "photo"),
        _rule(
            r"\((photo|image|picture)s? (by|courtesy|credit)[^)]*\)",
            "photo",
            "photos",
            "image",
            "images",
            "picture",
            "pictures",
        ),
        _rule(r"^(photo|image|picture)s? (by|courtesy of|credit)\b"),
        _rule(
            r"\b(correspondent|reporter|anchor|host) [A-Z][\w'.-]+ [A-Z][\w'.-]+ "
            r"(reports|has (more|the latest|the story|the details)|joins|explains)\b",
            "correspondent",
            "reporter",
            "anchor",
            "host",
            case=True,
        ),
    ),
    "promo": (
        _rule(r"\b(click|tap) here\b", "here"),
        _rule(
            r"^(read|see|watch|listen|more|related|also read|don't miss|trending|"
            r"recommended|must read|editor's picks?|top stories|most read|latest)\b"
            r"( (more|also|this|now|next|video|stories|coverage|articles?))*\s*[:|>»-]"
        ),
        _rule(r"^(read|see|watch) (more|the full|our|the latest|next)\b"),
        _rule(
            r"^(advertisement|sponsored( content)?|story continues below( advertisement)?|"
            r"continue reading|skip advertisement|ad feedback)\b"
        ),
        _rule(r"^share (this|on|via)\b|^(tweet|email|print|share|comments?)$"),
        _rule(
            r"\bfollow (us|him|her|them|[A-Z][\w'.-]+( [A-Z][\w'.-]+)?) on "
            r"(twitter|facebook|instagram|x|tiktok|threads|google\+?)\b",
            "follow",
        ),
        _rule(r"^(like|find) us on facebook\b"),
        _rule(r"(^| )@[A-Za-z0-9_]{3,}\.?$", "@"),
    ),
    "newsletter": (
        _rule(r"\bsign up (for|to)\b.{0,60}\b(newsletter|email|alerts|updates|digest)", "sign"),
        _rule(
            r"\bsubscribe (to|now|today)\b|\bsubscribers? only\b|\balready a subscriber\b",
            "subscribe",
            "subscriber",
            "subscribers",
        ),
        _rule(r"\b(get|download|install) (the|our) .{0,40}\bapp\b", "app"),
        _rule(
            r"\b(newsletter|breaking news alerts?|push notifications)\b.{0,40}"
            r"\b(inbox|sign up|subscribe|delivered)\b",
            "newsletter",
            "alert",
            "alerts",
            "notification",
            "notifications",
        ),
        _rule(r"\b(enable|turn on) (push )?notifications\b", "notifications"),
        _rule(
            r"\b(log|sign) in (to|or)\b.{0,30}\b(account|register|continue|subscribe)",
            "log",
            "sign",
        ),
        _rule(
            r"\byou('ve| have) (read|reached) .{0,30}\b(free )?(articles?|stories|limit)\b",
            "you've",
            "have",
        ),
        _rule(r"\bsupport (our|independent|quality) journalism\b", "journalism"),
    ),
    "credit": (
        _rule(r"\bcontributed (to )?(this|the) (report|story|article)\b", "contributed"),
        _rule(r"^(additional )?(reporting|writing|editing|compiled|produced) by\b"),
        _rule(r"\b(reporting|editing) by [A-Z][\w'.-]+.{0,80}(;|\bediting by\b)", "by"),
        _rule(r"^this (story|article|report) (has been|was) (updated|corrected|originally)\b"),
        _rule(r"^(correction|clarification|update)\s*:"),
    ),
    "comment_request": (
        _rule(r"\breached out to\b.{0,120}\bfor (a )?comment\b", "reached"),
        _rule(
            r"\b(did not|didn't|has not|hasn't|have not|haven't)( yet)?( immediately)? "
            r"(respond|reply|return)(ed)? to .{0,80}\b(request|call|email|message|inquir)",
            "respond",
            "responded",
            "reply",
            "return",
            "returned",
        ),
        _rule(r"\bcould not( immediately)? be reached for comment\b", "reached"),
        _rule(
            r"\brequests? for comment\b.{0,60}\b(not|weren't|wasn't) (immediately )?"
            r"returned\b",
            "comment",
        ),
    ),
    "byline": (
        _rule(
            r"^By [A-Z][\w'.-]+( [A-Z][\w'.-]+){0,3}( (and|&) [A-Z][\w'.-]+"
            r"( [A-Z][\w'.-]+){0,3})?\s*([|,/-]|$)",
            case=True,
        ),
        _rule(
            r"^(Written|Posted|Published|Updated|Last updated|Reviewed)( by| on| at|:|$)", case=True
        ),
        _rule(
            r"\bis an? ([\w-]+ ){0,6}(reporter|correspondent|writer|editor|contributor|"
            r"columnist|journalist|producer|anchor|freelancer)\b.{0,80}\b(for|at|with|"
            r"covering|based|who covers)\b",
            "reporter",
            "correspondent",
            "writer",
            "editor",
            "contributor",
            "columnist",
            "journalist",
            "producer",
            "anchor",
            "freelancer",
        ),
        _rule(r"^Editor's note\s*:", case=True),
        _rule(r"^(email|e-mail|contact) (him|her|them|the author|[A-Z][\w'.-]+) (at|on)\b"),
        _rule(
            r"\bThe (opinions|views) expressed in this (commentary|article|piece|column)\b",
            "expressed",
        ),
    ),
}


def _index_rules() -> tuple[re.Pattern[str], list[tuple[str, _Rule]], dict[str, list[int]]]:
    """One alternation of every anchored rule, and the triggered rules by trigger word."""
    ordered = [(kind, rule) for kind, rules in _RULES.items() for rule in rules]
    anchored = []
    triggered: dict[str, list[int]] = {}
    for index, (kind, rule) in enumerate(ordered):
        if rule.triggers:
            for trigger in rule.triggers:
                triggered.setdefault(trigger, []).append(index)
        else:
            flags = "i" if rule.pattern.flags & re.IGNORECASE else "-i"
            anchored.append(f"(?P<{kind}_{index}>(?{flags}:{rule.pattern.pattern}))")
    return re.compile("|".join(anchored)), ordered, triggered


_ANCHORED, _ORDERED, _TRIGGERED = _index_rules()
_SYMBOLS = "©@/"
_TERMINAL = re.compile(r"[.!?…。！？｡।॥؟][\"'”’)\]」』）]*$")
# Scripts written without spaces between words: a sentence is one or two "words", so a
# short word count says nothing of a heading; a dozen characters of them are prose.
UNSPACED_SCRIPT = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]"
)
_UNSPACED_PROSE_CHARS = 12
_SEPARATED_LINKS = re.compile(r"\s[|•·»]\s")
# Lines shorter than this without final punctuation are headings, menu items, captions'
# titles or related-story links; an article sentence is longer or ends with a full stop.
_HEADING_MAX_WORDS = 12


def boilerplate_kind(sentence: str, tokens: list[str] | None = None) -> str | None:
    """The boilerplate class a sentence (or line) belongs to, or None for article prose."""
    text = sentence.strip()
    if not text:
        return "empty"
    tokens = words(text) if tokens is None else tokens
    if not tokens:
        return "navigation"
    if _is_shouting(text):
        return "promo"
    found = _ANCHORED.match(text)
    first = int(found.lastgroup.rsplit("_", 1)[1]) if found and found.lastgroup else len(_ORDERED)
    present = set(map(str.lower, tokens)).union(c for c in _SYMBOLS if c in text)
    candidates = {i for w in present.intersection(_TRIGGERED) for i in _TRIGGERED[w]}
    for order in sorted(i for i in candidates if i < first):
        kind, rule = _ORDERED[order]
        if rule.pattern.search(text):
            return kind
    if found:
        return _ORDERED[first][0]
    if any(c in text for c in "|•·»") and len(_SEPARATED_LINKS.findall(text)) >= 2:
        return "navigation"
    unspaced = len(UNSPACED_SCRIPT.findall(text)) >= _UNSPACED_PROSE_CHARS
    if not _TERMINAL.search(text) and len(tokens) < _HEADING_MAX_WORDS and not unspaced:
        return "navigation"
    return None


def is_boilerplate(sentence: str) -> bool:
    """True when the sentence is page furniture rather than article prose."""
    return boilerplate_kind(sentence) is not None


def _is_shouting(text: str) -> bool:
    # All-caps lines are promos and related-story links; an article never shouts a sentence.
    return len(text) >= 15 and text.isupper()


def clean_paragraphs(
    text: str, title: str | None = None, language: str | None = None
) -> list[list[tuple[str, list[str]]]]:
    """Paragraphs of (sentence, its words): boilerplate, repeated title and duplicates removed.

    `language` (ISO code or name, None: English) decides how sentences are split; the rules'
    phrases are English and simply never match another language's furniture."""
    title_key = " ".join(words(title)).lower() if title else ""
    seen: set[str] = set()
    paragraphs: list[list[tuple[str, list[str]]]] = []
    for paragraph in split_paragraphs(text):
        sentences = [(s, words(s)) for s in split_paragraph(paragraph, language)]
        flagged = [boilerplate_kind(s, tokens) is not None for s, tokens in sentences]
        flagged_chars = sum(len(s) for (s, _), bad in zip(sentences, flagged, strict=True) if bad)
        # A paragraph that is mostly furniture (a legal block, a link list) goes whole: its
        # remaining "sentences" are fragments of the same furniture.
        if flagged_chars * 2 >= sum(len(s) for s, _ in sentences):
            continue
        kept: list[tuple[str, list[str]]] = []
        for (sentence, tokens), bad in zip(sentences, flagged, strict=True):
            key = " ".join(tokens).lower()
            if bad or not key or key in seen or (title_key and _repeats_title(key, title_key)):
                continue
            seen.add(key)
            kept.append((sentence, tokens))
        if kept:
            paragraphs.append(kept)
    return paragraphs


def _repeats_title(key: str, title_key: str) -> bool:
    if key == title_key:
        return True
    # "Headline - Site Name" or "Headline | Section" lines.
    return key.startswith(title_key) and len(key) - len(title_key) <= 30


def clean_text(text: str, title: str | None = None) -> str:
    """Article text with boilerplate paragraphs/sentences removed (paragraphs by blank lines)."""
    return "\n\n".join(" ".join(s for s, _ in p) for p in clean_paragraphs(text, title))
