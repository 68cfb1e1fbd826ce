"""Words, stems and stop words: the one place where text becomes comparable terms, per language.

The summarizers, the story clusterer, topic matching, duplicate detection and search all read
words through this module, so "the same word" means the same thing everywhere. Languages are
ISO 639-1 codes ("en", "pt", ...). Stemming is Snowball (through sumy, which adds Czech, Greek,
Polish and Ukrainian stemmers to NLTK's Snowball set; no downloaded data); a language without a
stemmer is compared by lower-cased words, never by English rules.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import cache

import regex

DEFAULT_LANGUAGE = "en"
# Words as written: letters and digits, keeping inner ' . - as in U.S., don't or e-mail.
_WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")
# The same words cut at their inner punctuation: "ai-safety" is the phrase "ai safety".
_WORD_PIECE = re.compile(r"[^\W_]+")
# Bounded caches: news vocabulary repeats a lot, but a long-running worker must not grow forever.
_CACHE_LIMIT = 300_000

# ISO 639-1 code -> the language name sumy and NLTK use.
LANGUAGE_NAMES = {
    "ar": "arabic",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "he": "hebrew",
    "hu": "hungarian",
    "it": "italian",
    "ja": "japanese",
    "ko": "korean",
    "nb": "norwegian",
    "nl": "dutch",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sk": "slovak",
    "sv": "swedish",
    "th": "thai",
    "uk": "ukrainian",
    "zh": "chinese",
}

# Words of a question that say nothing about its subject ("what's new on ...").
_QUESTION_FILLER_WORDS = """
    a an and are about any anything as at be been but by can could did do does for from
    going had has have he her his how i if in into is it its latest me more my near new news
    not of on or our please s she so some t tell than that the their them there these they
    this those to up update updates us was we were what whats when where which who why will
    with would you your happening happened say said should shall may might must been being
    because very just also only other after before over under again then once here all both
    each few most such no nor own same too now am off out down through during while whom
    him himself herself itself themselves ourselves yours doing having than
"""
_QUESTION_FILLER = frozenset(_QUESTION_FILLER_WORDS.split())
MAX_QUERY_TERMS = 10
MAX_QUERY_TERM_LENGTH = 40


def words(text: str) -> list[str]:
    """The words of a text as written (letters and digits, inner ' . - kept: U.S., don't)."""
    return _WORD.findall(text)


def word_pieces(text: str) -> list[str]:
    """The runs of letters and digits of a text ("AI-safety" gives "AI", "safety")."""
    return _WORD_PIECE.findall(text)


def language_name(language: str | None) -> str | None:
    """The sumy/NLTK name of an ISO 639-1 code ("pt" -> "portuguese"), or None if unknown."""
    if not language:
        return None
    code = language.strip().lower().replace("_", "-").split("-", 1)[0]
    return LANGUAGE_NAMES.get(code)


@cache
def stemmer(language: str = DEFAULT_LANGUAGE) -> Callable[[str], str]:
    """The language's stemmer (lower-cases too); plain lower-casing when it has none."""
    from sumy.nlp.stemmers import Stemmer

    name = language_name(language)
    if name is not None:
        try:
            found = Stemmer(name)
            # Some of sumy's stemmers need a package of their own (Greek: greek-stemmer-pos)
            # and say so only when first used: try one word now, not in the middle of a text.
            found("probe")
            return found  # type: ignore[no-any-return]
        except (LookupError, ValueError, ImportError):
            pass
    return str.lower


@cache
def stop_words(language: str = DEFAULT_LANGUAGE) -> frozenset[str]:
    """The language's stop words (sumy's lists), lower case; empty when there is no list."""
    from sumy.utils import get_stop_words

    name = language_name(language)
    if name is None:
        return frozenset()
    try:
        return frozenset(w.lower() for w in get_stop_words(name))
    except LookupError:
        return frozenset()


class _Vocabulary:
    """One language's caches: word as written -> stem, and word as written -> term."""

    __slots__ = ("stem_word", "stems", "stop", "terms")

    def __init__(self, language: str) -> None:
        self.stem_word = stemmer(language)
        self.stop = stop_words(language)
        self.stems: dict[str, str] = {}
        self.terms: dict[str, str] = {}

    def stem(self, word: str) -> str:
        found = self.stems.get(word)
        if found is None:
            if len(self.stems) >= _CACHE_LIMIT:
                self.stems.clear()
            found = self.stems[word] = self.stem_word(word.lower())
        return found

    def term(self, word: str) -> str:
        found = self.terms.get(word)
        if found is None:
            if len(self.terms) >= _CACHE_LIMIT:
                self.terms.clear()
            lowered = word.lower()
            if len(lowered) < 2 or lowered in self.stop:
                found = ""
            else:
                # Short words are names and acronyms more often than inflected forms.
                found = self.stem(word) if len(lowered) > 3 else lowered
            self.terms[word] = found
        return found


@cache
def _vocabulary(language: str) -> _Vocabulary:
    return _Vocabulary(language)


def stem(word: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The lower-case stem of one word."""
    return _vocabulary(language).stem(word)


def stems(text: str, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Every word piece of the text, stemmed, in order (stop words kept: phrases need them)."""
    vocabulary = _vocabulary(language)
    return [vocabulary.stem(piece) for piece in word_pieces(text)]


def term(word: str, language: str = DEFAULT_LANGUAGE) -> str:
    """A word's comparable term: its lower-case stem, or "" for a stop word or single letter."""
    return _vocabulary(language).term(word)


def content_terms(tokens: Sequence[str], language: str = DEFAULT_LANGUAGE) -> list[str]:
    """The terms of tokenised text, stop words and single letters dropped, in order."""
    vocabulary = _vocabulary(language)
    get = vocabulary.terms.get
    found = [get(word) for word in tokens]
    if None in found:  # the fast path above is a plain dict lookup for known words
        found = [vocabulary.term(word) for word in tokens]
    return [t for t in found if t]


def terms_of(tokens: Iterable[str], language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Each token's term ("" kept for stop words), for callers that need positions."""
    vocabulary = _vocabulary(language)
    tokens = list(tokens)
    found = list(map(vocabulary.terms.get, tokens))
    if None in found:  # the fast path above is a plain dict lookup for known words
        found = [vocabulary.term(word) for word in tokens]
    return found  # type: ignore[return-value]


# "What's new about ..." in the languages of the interface: the question's own words, not
# its subject. Each language's stop words are dropped too (sumy's lists).
_QUESTION_FILLER_BY_LANGUAGE = {
    "de": "was gibt neues neue neuen neuigkeiten nachrichten aktuell aktuelle aktuellen "
    "erzähl erzähle mehr über zu zum zur bitte heute",
    "fr": "quoi quelles quelle quels nouveau nouveaux nouvelle nouvelles actualité actualités "
    "dernières derniers infos raconte dis plus sur propos aujourd hui",
    "es": "qué hay nuevo nueva nuevos nuevas novedades noticias últimas cuéntame dime más "
    "sobre acerca hoy",
    "pt": "que há novo nova novos novas novidade novidades notícias últimas conte diga mais "
    "sobre acerca hoje",
    "ru": "что нового новое новости новенького последние расскажи скажи подробнее больше про "
    "о об насчет сегодня",
    "uk": "що нового нове новини останні розкажи скажи детальніше більше про щодо сьогодні",
    "ar": "ما ماذا جديد الجديد أخبار آخر اخبار عن حول بخصوص اليوم أكثر المزيد",
    "fa": "چه خبر تازه جدید اخبار آخرین درباره مورد بیشتر امروز",
}


@cache
def question_filler(language: str | None) -> frozenset[str]:
    """The words of a question in `language` that are not its subject: the English filler,
    the language's own, and its stop words."""
    code = language_code(language)
    extra = _QUESTION_FILLER_BY_LANGUAGE.get(code, "").split()
    return _QUESTION_FILLER | frozenset(extra) | (language_stop_words(code) if code else set())


def query_terms(text: str, language: str | None = None) -> list[str]:
    """The subject words of a query or question in `language` (None: English): lower-case,
    no filler or stop words, at most 10."""
    filler = question_filler(language) if language else _QUESTION_FILLER
    found: list[str] = []
    for word in word_pieces(text.lower()):
        if word in filler or len(word) > MAX_QUERY_TERM_LENGTH or word in found:
            continue
        if len(word) == 1 and not word.isdigit():
            continue
        found.append(word)
    return found[:MAX_QUERY_TERMS]


# ---------------------------------------------------------------------------------------------
# Unicode words and languages beyond sumy's lists (story summaries, readability, evaluation)
# ---------------------------------------------------------------------------------------------

# The `regex` module's \w keeps combining marks: Python's `re` cuts a Hindi word at every vowel
# sign ("हिन्दी" -> "ह न द") and an Arabic one at every haraka.
_UNICODE_WORD = regex.compile(r"\w+")


def unicode_words(text: str) -> list[str]:
    """Lower-cased words of any script (letters, combining marks, digits), as `regex` sees them:
    the unit of story-summary word budgets and of the non-English ROUGE tokens."""
    return _UNICODE_WORD.findall(text.lower())  # type: ignore[no-any-return]


# Function words of languages sumy has no list for (hand-written, the commonest only).
# Vietnamese is written in syllables, so its function "words" are syllables.
_EXTRA_STOP_WORDS: dict[str, str] = {
    "hi": "का की के में है हैं और को से पर ने यह वह एक था थे थी हो भी तो कि जो इस उस लिए गया "
    "गई गए किया कर करने करते कहा नहीं या ही तक साथ बाद अपने अपनी उनके उसके इसके उन्होंने इन "
    "उन ये वे हुआ हुई हुए रहा रही रहे होने होगा द्वारा अब जब तब कुछ सभी अन्य बहुत वाले वाली "
    "किसी कोई सकता सकते दिया दी जा जाता जाती जाने",
    "vi": "và của là các những được trong cho có với đã người này không một để từ khi đến theo "
    "tại về như sẽ cũng ra lại nhiều đó vào thì nhưng nên mà hay hoặc bị do vì nếu đang rằng "
    "năm ngày tháng cùng sau trước trên dưới giữa ông bà anh chị họ nó chúng tôi ta mình nơi "
    "ấy đây kia nào gì còn vẫn đều chỉ rất hơn nhất thêm bởi qua lên xuống nhằm",
}
# Languages named by their English name or ISO code in feeds and datasets.
_LANGUAGE_CODES = {name: code for code, name in LANGUAGE_NAMES.items() if code != "no"}
_LANGUAGE_CODES.update({"hindi": "hi", "vietnamese": "vi", "norwegian": "nb"})
# A word in this share of a story's sentences is a function word, for a language without a list.
POOL_STOP_SHARE = 0.3


def language_code(language: str | None) -> str:
    """An ISO 639-1 code from "en", "EN-us", "pt_BR" or "english"; "" when unknown."""
    if not language:
        return ""
    code = language.strip().lower().replace("_", "-").split("-", 1)[0]
    if code in _LANGUAGE_CODES:
        return _LANGUAGE_CODES[code]
    return code if len(code) == 2 and code.isalpha() else ""


@cache
def language_stop_words(language: str | None) -> frozenset[str]:
    """Stop words of any language: sumy's list, or the hand-written one for Hindi and
    Vietnamese; empty when neither exists (see `frequent_words` for a fallback). NFC."""
    code = language_code(language)
    found = {unicodedata.normalize("NFC", w) for w in stop_words(code)} if code else set()
    found.update(_EXTRA_STOP_WORDS.get(code, "").split())
    return frozenset(found)


def frequent_words(
    sentences: Sequence[Sequence[str]], share: float = POOL_STOP_SHARE
) -> frozenset[str]:
    """Words found in at least `share` of the (tokenised) sentences: the function words of a
    language without a stop list, measured on the text itself (needs 10 sentences)."""
    if len(sentences) < 10:
        return frozenset()
    counts: dict[str, int] = {}
    for tokens in sentences:
        for token in set(tokens):
            counts[token] = counts.get(token, 0) + 1
    floor = share * len(sentences)
    return frozenset(t for t, n in counts.items() if n >= floor)


@cache
def _snowball(language: str):  # type: ignore[no-untyped-def]
    """NLTK's Snowball stemmer for a language that has one (no downloaded data), else None."""
    from nltk.stem.snowball import SnowballStemmer

    name = language_name(language)
    if name is None or name not in SnowballStemmer.languages:
        return None
    return SnowballStemmer(name)


_unicode_stems: dict[tuple[str, str], str] = {}


def unicode_stem(word: str, language: str | None) -> str:
    """A lower-case Unicode word's Snowball stem (words over 3 letters, languages Snowball
    knows); other words and languages as they are. Memoised, bounded."""
    code = language_code(language)
    key = (code, word)
    found = _unicode_stems.get(key)
    if found is None:
        if len(_unicode_stems) >= _CACHE_LIMIT:
            _unicode_stems.clear()
        stemmer_ = _snowball(code) if code and len(word) > 3 else None
        found = stemmer_.stem(word) if stemmer_ is not None else word
        _unicode_stems[key] = found
    return found


# The languages an article's words are checked against when its language is not given.
GUESSABLE_LANGUAGES: tuple[str, ...] = ("en", "pt", "es", "fr", "de", "it")
_GUESS_WORDS = 300
_GUESS_MIN_SHARE = 0.2


def guess_language(tokens: Sequence[str], default: str = DEFAULT_LANGUAGE) -> str:
    """The GUESSABLE_LANGUAGES code whose stop words cover most of the first 300 words (at
    least 20 %), else `default`: enough to keep English rules off a Portuguese article."""
    sample = tokens[:_GUESS_WORDS]
    if not sample:
        return default
    owners = _stop_word_owners()
    hits = [0] * len(GUESSABLE_LANGUAGES)
    for word in sample:
        for index in owners.get(word.lower(), ()):
            hits[index] += 1
    best = max(range(len(hits)), key=hits.__getitem__)
    return GUESSABLE_LANGUAGES[best] if hits[best] > _GUESS_MIN_SHARE * len(sample) else default


@cache
def _stop_word_owners() -> dict[str, tuple[int, ...]]:
    """Stop word -> the GUESSABLE_LANGUAGES (indices) that list it: one lookup per word."""
    owners: dict[str, list[int]] = {}
    for index, code in enumerate(GUESSABLE_LANGUAGES):
        for word in stop_words(code):
            owners.setdefault(word, []).append(index)
    return {word: tuple(found) for word, found in owners.items()}


# ---------------------------------------------------------------------------------------------
# Matching terms: whether two texts report the same thing (story clustering), in any language
# ---------------------------------------------------------------------------------------------

# A figure keeps its group separators ("5.000", "5,000" and "5000" are one figure); any other
# word is a run of letters, combining marks and digits (Hindi vowel signs stay in the word).
_MATCH_TOKEN = regex.compile(r"\d+(?:[.,]\d+)*|[\p{L}\p{M}\p{N}]+")
_MARKS = regex.compile(r"[\p{Mn}\u0640]")  # non-spacing marks and the Arabic tatweel
# Scripts whose marks are optional in news text: Greek capitals carry no tonos, Arabic and
# Hebrew vowel points are mostly left out. Their words are compared without them.
_MARKS_OPTIONAL = frozenset({"el", "ar", "he"})
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
# Hebrew writes the particles "and, the, in, to, from, that, as" as one-letter prefixes.
_HEBREW_PARTICLES = frozenset("והבלמשכ")
# Languages written in syllables separated by spaces: a word is mostly two syllables.
_SYLLABIC = frozenset({"vi"})
# Without a stemmer for the language, words are compared by their first letters: a
# language-blind stand-in for stemming that suits inflected languages (measured in
# docs/benchmarks.md: Greek, Hebrew, Hindi), and never applies another language's rules.
MATCH_PREFIX = 5
_match_terms: dict[tuple[str, str], str] = {}


def _fold(word: str, code: str) -> str:
    """Case-folded; optional marks dropped where the script treats them so; figures joined."""
    word = word.casefold()
    if code in _MARKS_OPTIONAL:
        word = unicodedata.normalize("NFC", _MARKS.sub("", unicodedata.normalize("NFD", word)))
        if code == "ar":
            word = word.translate(_ARABIC_LETTERS)
    elif not word.isascii():
        word = unicodedata.normalize("NFC", word)
    if word[:1].isdigit():
        word = word.replace(".", "").replace(",", "")
    return word


@cache
def _match_stop_words(code: str) -> frozenset[str]:
    return frozenset(_fold(w, code) for w in language_stop_words(code) if w)


@cache
def _match_stemmer(code: str) -> Callable[[str], str] | None:
    """Snowball (NLTK), else sumy's own stemmer where it works (Czech, Polish, ...), else None."""
    snowball = _snowball(code) if code else None
    if snowball is not None:
        return snowball.stem  # type: ignore[no-any-return]
    if language_name(code) is None:
        return None
    candidate = stemmer(code)
    if candidate is str.lower or getattr(candidate, "_stemmer", None).__name__ == "null_stemmer":
        return None
    try:  # sumy names a Greek stemmer whose package is not installed: it fails when called
        candidate("testing")
    except Exception:
        return None
    return candidate


def _match_term(word: str, code: str) -> str:
    key = (code, word)
    found = _match_terms.get(key)
    if found is not None:
        return found
    if len(_match_terms) >= _CACHE_LIMIT:
        _match_terms.clear()
    folded = _fold(word, code)
    if folded[:1].isdigit():
        found = folded
    elif folded in _match_stop_words(code) or (len(folded) < 2 and code not in _SYLLABIC):
        found = ""
    elif code in _SYLLABIC or len(folded) <= 3:  # short words: names and acronyms, mostly
        found = folded
    else:
        stem_word = _match_stemmer(code)
        if stem_word is not None:
            found = stem_word(folded)
        else:
            if code == "he" and folded[0] in _HEBREW_PARTICLES and len(folded) > 4:
                folded = folded[1:]
            found = folded[:MATCH_PREFIX]
    _match_terms[key] = found
    return found


def matching_terms(text: str, language: str | None, limit: int) -> list[str]:
    """The first `limit` terms by which texts of one language are compared for sameness of
    subject: stop words dropped, Snowball stems (or sumy's stemmer) where the language has one,
    else the first `MATCH_PREFIX` letters; Vietnamese as pairs of adjacent syllables (a syllable
    alone is too ambiguous) within a phrase, pairs with a function syllable left out."""
    code = language_code(language) or DEFAULT_LANGUAGE
    if code in _SYLLABIC:
        return _syllable_pairs(text, code, limit)
    out: list[str] = []
    for word in _MATCH_TOKEN.findall(text, 0, limit * 12):
        found = _match_term(word, code)
        if found:
            out.append(found)
            if len(out) >= limit:
                break
    return out


_PHRASE_BREAK = regex.compile(r"[^\p{L}\p{M}\p{N}\s]+")


def _syllable_pairs(text: str, code: str, limit: int) -> list[str]:
    """Adjacent syllable pairs (up to `limit`) within phrases, then the syllables themselves:
    a pair stands for a two-syllable word, a syllable alone for a name or a one-syllable word
    (measured: pairs and syllables together match reports of one event best)."""
    pairs: list[str] = []
    singles: list[str] = []
    for phrase in _PHRASE_BREAK.split(text[: limit * 10]):
        syllables = [_match_term(w, code) for w in _MATCH_TOKEN.findall(phrase)]
        pairs.extend(f"{a}_{b}" for a, b in itertools.pairwise(syllables) if a and b)
        singles.extend(a for a in syllables if a)
        if len(pairs) >= limit:
            break
    return pairs[:limit] + singles[:limit]


# A script that names its language (or the one we compare it as).
_SCRIPTS = (
    (regex.compile(r"\p{Devanagari}"), "hi"),
    (regex.compile(r"\p{Hebrew}"), "he"),
    (regex.compile(r"\p{Arabic}"), "ar"),
    (regex.compile(r"\p{Greek}"), "el"),
)
_CYRILLIC = regex.compile(r"\p{Cyrillic}")
_LETTERS = regex.compile(r"\p{L}")
# Letters only Vietnamese uses among the Latin-script languages.
_VIETNAMESE_LETTERS = regex.compile(r"[ăơưđạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", regex.I)


# Latin- and Cyrillic-script languages told apart by their function words when none is given.
_STOP_LISTED = ("en", "pt", "es", "fr", "de", "it", "cs", "sk", "pl", "sv", "uk")
_LANGUAGE_MIN_SHARE = 0.15


@cache
def _function_word_languages() -> dict[str, tuple[str, ...]]:
    """Function word -> the languages whose lists hold it."""
    found: dict[str, list[str]] = {}
    for code in _STOP_LISTED:
        for word in language_stop_words(code):
            found.setdefault(word, []).append(code)
    return {word: tuple(codes) for word, codes in found.items()}


def text_language(text: str, default: str = DEFAULT_LANGUAGE) -> str:
    """A text's language when none is given: its script where that tells (Devanagari, Hebrew,
    Arabic, Greek, Vietnamese letters), else the language whose function words cover most of
    its first 300 words (at least 15 %; Cyrillic: Ukrainian or Russian), else `default`."""
    sample = text[:1500]
    cyrillic = False
    if len(sample.encode("utf-8")) - len(sample) > len(sample) // 10:  # not mostly ASCII
        letters = len(_LETTERS.findall(sample))
        if not letters:
            return default
        for pattern, code in _SCRIPTS:
            if len(pattern.findall(sample)) * 2 > letters:
                return code
        if len(_VIETNAMESE_LETTERS.findall(sample)) * 20 > letters:
            return "vi"
        cyrillic = len(_CYRILLIC.findall(sample)) * 2 > letters
    tokens = unicode_words(sample)[:_GUESS_WORDS]
    if not tokens:
        return default
    lists = _function_word_languages()
    share: dict[str, int] = {}
    for token in tokens:
        for code in lists.get(token, ()):
            share[code] = share.get(code, 0) + 1
    best = max(share, key=share.__getitem__, default="")
    if best and share[best] >= _LANGUAGE_MIN_SHARE * len(tokens):
        # A headline has few function words: the default wins ties there.
        if len(tokens) < 30 and share.get(default, 0) >= share[best]:
            return default
        return best
    return "ru" if cyrillic else default
