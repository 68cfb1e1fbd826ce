"""An article's language, told from its text: py3langid's bundled model (no download), with
the feed's declared language as a hint, never trusted alone.

Feeds declare a language per feed (RSS `<language>`, Atom `xml:lang`), often the site's default
and often wrong for a given item (an English wire story in a German feed, "en-us" on everything
a CMS serves). So the text decides whenever it says enough; the hint only breaks a tie the text
leaves open: a headline of a few words, where the model's best guess is weak and the hint is
among its likely answers.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# Letters the model needs before its answer counts on its own: a headline is about 40-80.
MIN_LETTERS = 20
# How sure the model must be (normalised probability) to overrule the feed's hint.
CONFIDENT = 0.9
# A weaker best guess still stands without a hint, and the hint wins when it is this likely.
LIKELY = 0.5
HINT_PLAUSIBLE = 0.05
SAMPLE_CHARACTERS = 3000  # the opening of a long text says its language as well as the whole
# The languages a news source is written in: the model also knows dialects, pidgins and dead
# languages (Nigerian Pidgin, Latin, Ancient Greek...) that short English headlines are
# mistaken for; leaving them out took English headlines from 90 % to 97 % right.
NEWS_LANGUAGES = (
    "af", "am", "ar", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da", "de", "el", "en",
    "es", "et", "eu", "fa", "fi", "fr", "ga", "gl", "gu", "he", "hi", "hr", "hu", "hy", "id",
    "is", "it", "ja", "ka", "kk", "km", "kn", "ko", "ky", "lo", "lt", "lv", "mk", "ml", "mn",
    "mr", "ms", "mt", "my", "ne", "nl", "nn", "no", "pa", "pl", "ps", "pt", "ro", "ru", "si",
    "sk", "sl", "so", "sq", "sr", "sv", "sw", "ta", "te", "th", "tl", "tr", "uk", "ur", "uz",
    "vi", "zh",
)
_LETTER = re.compile(r"[^\W\d_]")
_CODE = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]+)*$")


@functools.cache
def _identifier() -> Any:
    """py3langid's identifier with normalised probabilities (loaded once per process)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(NEWS_LANGUAGES))
    return identifier


def normalise_code(declared: str | None) -> str | None:
    """A declared language ("en-US", "pt_BR", "DE") as its ISO 639 code ("en", "pt", "de")."""
    found = _CODE.match((declared or "").strip().lower())
    return found.group(1) if found else None


def detect_language(text: str, *, hint: str | None = None) -> str | None:
    """The ISO 639-1 code of `text`'s language (e.g. "pt"), or None when nothing can be told.

    `hint` is what the feed declares: used when the text is too short to say (a headline, an
    empty item) or when the text leaves the choice open and the hint is among its likely
    languages; a confident reading of the text wins over it."""
    declared = normalise_code(hint)
    sample = text[:SAMPLE_CHARACTERS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return declared or _best_guess(sample)
    ranked = _identifier().rank(sample)
    best, probability = ranked[0]
    if probability >= CONFIDENT:
        return str(best)
    if declared is not None:
        likely = {code for code, p in ranked[:5] if p >= HINT_PLAUSIBLE}
        if declared in likely:
            return declared
    return str(best) if probability >= LIKELY else declared


def _best_guess(sample: str) -> str | None:
    """A very short text: the model's answer only when it is sure (a script of its own)."""
    if not _LETTER.search(sample):
        return None
    best, probability = _identifier().classify(sample)
    return str(best) if probability >= CONFIDENT else None
