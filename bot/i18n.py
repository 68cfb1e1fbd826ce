"""The interface language: gettext catalogues, the current locale, locale-aware formatting.

Every text a user reads goes through `_()` or `ngettext()` here. They read the locale of the
chat being answered from a ContextVar: `bot/handlers/__init__.py` sets it for each update
before any handler runs (the chat's stored language, else the sender's Telegram
language_code), and the delivery worker sets it for each row it renders. Handlers and views
keep their signatures: nothing passes a language around.

Catalogues are the `.po` files in `bot/locales/<lang>/LC_MESSAGES/newsbrief.po`, compiled in
memory with Babel the first time a language is used (`load_catalogues()` does them all at
start): nothing to build or download, and a catalogue edited in place is what runs.

Right-to-left languages (Arabic, Persian): every value put into a translated sentence is
wrapped in Unicode's FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE (U+2068 ... U+2069), so
a Latin name, a number, a time or a link keeps its own direction and does not drag the
punctuation around it to the wrong side (`isolate`). Left-to-right languages get nothing
added, so English texts stay byte for byte what they were.
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import datetime
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

DOMAIN = "newsbrief"
DEFAULT_LANGUAGE = "en"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
# Every language the bot can speak, each in its own name (the /language buttons), in the
# order the buttons show them. A language is offered only when its catalogue ships.
LANGUAGE_NAMES = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "pt": "Português",
    "ru": "Русский",
    "uk": "Українська",
    "ar": "العربية",
    "fa": "فارسی",
}
RIGHT_TO_LEFT = frozenset({"ar", "fa"})
FSI, PDI = "\u2068", "\u2069"  # first strong isolate, pop directional isolate

_current: ContextVar[str] = ContextVar("newsbrief_language", default=DEFAULT_LANGUAGE)


def N_(message: str) -> str:
    """Mark a module-level text for extraction; translate it with `_()` where it is used."""
    return message


@functools.cache
def available_languages() -> tuple[str, ...]:
    """The languages with a catalogue (English, the source, always), in LANGUAGE_NAMES order."""
    shipped = {p.parent.parent.name for p in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return tuple(code for code in LANGUAGE_NAMES if code == DEFAULT_LANGUAGE or code in shipped)


def supported(code: str | None) -> str | None:
    """The catalogue for a Telegram language_code or a stored language ("pt-BR" -> "pt",
    "uk" -> "uk"), or None when none ships for it."""
    if not code:
        return None
    primary = code.replace("_", "-").split("-", 1)[0].strip().lower()
    return primary if primary in available_languages() else None


def resolve(code: str | None) -> str:
    """The language to speak for `code`: its catalogue's, else English."""
    return supported(code) or DEFAULT_LANGUAGE


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language (English, or one without a catalogue: the source
    texts as they are)."""
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == DEFAULT_LANGUAGE or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def load_catalogues() -> None:
    """Compile every shipped catalogue now (at start), not on a user's first message."""
    for language in available_languages():
        translations(language)
        babel_locale(language)


@functools.cache
def babel_locale(language: str) -> Locale:
    """Babel's Locale of a language (its dates, numbers, plural rules)."""
    return Locale.parse(language)


def current_language() -> str:
    """The language of the chat being answered or rendered now."""
    return _current.get()


def set_language(language: str | None) -> Token[str]:
    """Speak `language` (resolved: a code without a catalogue means English) from now on in
    this task and the tasks it starts; returns the token to reset it."""
    return _current.set(resolve(language))


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Speak `language` inside the block (a delivery row, an admin's notice)."""
    token = set_language(language)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def is_rtl(language: str | None = None) -> bool:
    """Whether the language (default: the current one) is written right to left."""
    return (language or _current.get()) in RIGHT_TO_LEFT


def isolate(text: str) -> str:
    """`text` as a run of its own direction inside a right-to-left sentence (FSI ... PDI); as
    it is in a left-to-right one. Lines are not wrapped: an isolate ends at a newline."""
    if not text or "\n" in text or not is_rtl():
        return text
    return f"{FSI}{text}{PDI}"


def _fill(text: str, values: dict[str, object]) -> str:
    if not values:
        return text
    return text.format(**{k: isolate(v) if isinstance(v, str) else v for k, v in values.items()})


def _(message: str, **values: object) -> str:
    """`message` in the current language, its `{placeholders}` filled with `values` (each
    text isolated in right-to-left languages)."""
    return _fill(translations(_current.get()).gettext(message), values)


def ngettext(singular: str, plural: str, count: int, **values: object) -> str:
    """The form of `count` in the current language's plural rules (Russian, Ukrainian and
    Arabic have several), filled with `values`; `{count}` is `count` formatted for the
    locale unless given."""
    values.setdefault("count", num(count))
    return _fill(translations(_current.get()).ngettext(singular, plural, count), values)


def num(value: float, pattern: str | None = None) -> str:
    """A number as the current locale writes it (1,234.5 / 1.234,5); `pattern` e.g. "0.0"."""
    return format_decimal(value, format=pattern, locale=babel_locale(_current.get()))


def long_date(moment: datetime) -> str:
    """The day with its weekday: "Monday 2 March 2026", "Montag, 2. März 2026"."""
    language = _current.get()
    if language == DEFAULT_LANGUAGE:  # the bot's English since its first release
        return f"{moment:%A} {moment.day} {moment:%B %Y}"
    return format_date(moment, format="full", locale=babel_locale(language))


def short_date(moment: datetime, *, year: bool = True) -> str:
    """A day in short: "2 Mar 2026" (or "2 Mar"), "2. März 2026"."""
    language = _current.get()
    if language == DEFAULT_LANGUAGE:
        return f"{moment.day} {moment:%b %Y}" if year else f"{moment.day} {moment:%b}"
    return format_skeleton("yMMMd" if year else "MMMd", moment, locale=babel_locale(language))


def clock(moment: datetime) -> str:
    """A time of day: "07:30" (the locale's short format outside English)."""
    language = _current.get()
    if language == DEFAULT_LANGUAGE:
        return f"{moment:%H:%M}"
    return format_time(moment, format="short", locale=babel_locale(language))


def weekday_and_time(moment: datetime) -> str:
    """ "Tue 07:30", "Di. 07:30"."""
    language = _current.get()
    if language == DEFAULT_LANGUAGE:
        return f"{moment:%a %H:%M}"
    day = format_date(moment, format="EEE", locale=babel_locale(language))
    return f"{day} {clock(moment)}"


def language_name(language: str) -> str:
    """A language in its own name ("Deutsch"), else its code."""
    return LANGUAGE_NAMES.get(language, language)
