"""Readability rules of an extractive summary, per language: the one definition that the
single-article summarizer (`summarizer.news`), the story summary (`summarizer.multidoc`), the
follow-up answers and the evaluation metrics (`benchmarks/`) all use.

1. **A sentence that leans on the one before it comes only with it** (`dependency`): it opens
   with a pronoun, demonstrative or connective of its language ("He…", "However…", "This…";
   "Il…", "Cependant…"; "Ele…", "No entanto…"; "उन्होंने…"; "Tuy nhiên…"), or, in English, it
   quotes someone it does not name (`"We will win," he said.`, a bare quote, the tail of a quote
   opened earlier), or it starts in lower case (a split inside a sentence). An article's first
   sentence has nothing before it and never leans.
2. **No two sentences state the same fact** (`same_fact`): they share at least
   SAME_FACT_MIN_SHARED content terms, and those are at least SAME_FACT_SHARE of the shorter
   one's (either way round: a short sentence inside a long one is the same fact too).
3. Sentences of one article keep its order (the summarizers' output order; the metrics check it).

The word lists were written from general knowledge of each language, not fitted to any data.
A language without a list gets only the language-independent rules (lower-case start), never
another language's words. Known blind spots: pro-drop subjects (Czech, Arabic and Portuguese
verbs carry the pronoun: "وقال", "Disse que…"), a paraphrase in different words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache

from summarizer.words import language_code, language_stop_words, unicode_stem, unicode_words

# --- English: words, phrases, exemptions and quotes ---------------------------------------------

_EN_WORDS = (
    "he|she|they|it|its|it's|his|her|hers|him|them|their|theirs|"
    "but|however|this|these|those|that|that's|also|and|or|nor|so|yet|still|"
    "meanwhile|moreover|furthermore|besides|nevertheless|nonetheless|therefore|thus|hence|"
    "then|instead|such|likewise|similarly|otherwise|indeed|additionally|consequently|"
    "accordingly|regardless|anyway|though|although|others|another|both|either|neither"
)
_EN_PHRASES = (
    r"in addition|as a result|even so|on the other hand|at the same time|in turn|"
    r"by contrast|in contrast|for (his|her|their|its) part|despite (this|that|these|those|it)|"
    r"because of (this|that|it)|after (this|that)|before (this|that)|as well|in fact|"
    r"the latter|the same|of course|not only that|what's more|on top of that"
)
# "This year", "That night", "So far", "Then-President": time expressions and compounds that do
# not point back.
_EN_EXEMPT = re.compile(
    r"^(this|that|these|those)\s+(year|years|week|weeks|month|months|morning|afternoon|evening|"
    r"night|weekend|summer|winter|spring|autumn|fall|season|time|day|days|decade|century|"
    r"past|coming|january|february|march|april|may|june|july|august|september|october|"
    r"november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
    r"^so far\b|^then-|^it's time\b|^it is time\b",
    re.IGNORECASE,
)
_EN_DANGLING = re.compile(
    rf"^[\(\[\-–—\s]*(?:(?:{_EN_PHRASES})|(?:{_EN_WORDS}))(?=$|[\s,;:.!?'’\"”)\-–—])",
    re.IGNORECASE,
)
_OPEN_QUOTE = ('"', "“", "‘", "«", "``", "'")
_SAYING = (
    r"said|says|say|told|tells|tell|added|adds|asked|asks|explained|explains|wrote|writes|"
    r"noted|notes|insisted|insists|argued|argues|claimed|claims|warned|warns|stated|states|"
    r"recalled|recalls|continued|continues|declared|declares|admitted|admits|acknowledged|"
    r"replied|replies|responded|quipped|joked|remarked|tweeted|posted|announced|announces|"
    r"commented|concluded|observed|described|describes|suggested|suggests|believes|thinks|"
    r"recounted|recounts|cautioned|conceded|concedes|stressed|stresses|urged|urges|predicted|"
    r"predicts|agreed|agrees|according"
)
_ATTRIBUTION = re.compile(rf"\b({_SAYING})\b", re.IGNORECASE)
_PRONOUN_ATTRIBUTION = re.compile(
    rf"(?:[,.!?'’\"”]\s*|\s)(?:(he|she|they|it|we|i)\s+(?:\w+\s+)?({_SAYING})\b"
    rf"|({_SAYING})\s+(he|she|they|it|we|i)\b)",
    re.IGNORECASE,
)
# A speaker other than a pronoun next to the saying verb: "said Smith", "the minister said".
_NAMED_ATTRIBUTION = re.compile(
    rf"\b({_SAYING})\s+(?!(?:he|she|they|it|we|i)\b)(?-i:[A-Z])"
    rf"|\b(?!(?:he|she|they|it|we|i|and|but|has|had|have|was|is)\b)[^\W\d_]+\s+({_SAYING})\b",
    re.IGNORECASE,
)
_CLOSING_FIRST = re.compile(r"^[^\"“”]*[^\s\"“”(\[]\s*[\"”](?:\s|$|[,.;:!?)])")
_LOWER_START = re.compile(r"^[\s\"“‘'(\[]*[^\W\d_]")
_LOWER_EXEMPT = re.compile(r"^[\s\"“‘'(\[]*(iphone|ipad|ebay|e-|de |van |von |al-)")

# --- Other languages: sentence-initial words (a "|" joins a phrase's words) ------------------

_DANGLING_WORDS: dict[str, str] = {
    "fr": "il elle ils elles lui leur leurs ce cet cette ces cela ceci ça celui celle ceux "
    "celles mais cependant toutefois pourtant néanmoins donc ainsi aussi or et puis ensuite "
    "alors en|outre de|plus par|ailleurs d'ailleurs selon|lui",
    "pt": "ele ela eles elas seu sua seus suas este esta estes estas esse essa esses essas "
    "isso isto aquele aquela aquilo mas porém contudo todavia entretanto também assim ainda "
    "e ou além|disso no|entanto por|isso segundo|ele de|acordo|com|ele",
    "es": "él ella ellos ellas su sus este esta estos estas ese esa esos esas eso esto pero "
    "sin|embargo también así además y o por|eso por|lo|tanto",
    "cs": "on ona ono oni ony jeho její jejich jim ho ten ta to tento tato toto tyto ale však "
    "avšak ovšem proto také navíc přesto tedy a i rovněž zároveň",
    "el": "αυτός αυτή αυτό αυτοί αυτές αυτά αυτού αυτής αυτών τους της του όμως ωστόσο αλλά "
    "επίσης εντούτοις έτσι και ενώ επομένως συνεπώς παράλληλα ο|ίδιος η|ίδια",
    "ar": "هو هي هم هن وهو وهي وهم لكن ولكن لكنه لكنها إلا غير كما كذلك أيضا هذا هذه ذلك تلك "
    "وهذا وهذه وذلك ومع|ذلك",
    "he": "הוא היא הם הן אבל אולם אך עם|זאת זה זו זאת לכן גם כמו|כן בנוסף ואולם",
    "hi": "वह वे यह ये उन्होंने उसने उनका उनकी उनके उसका उसकी उसके इसका इसकी इसके लेकिन "
    "परंतु परन्तु किंतु किन्तु हालांकि इसलिए साथ|ही और भी",
    "vi": "tuy|nhiên nhưng song do|đó vì|vậy ngoài|ra bên|cạnh|đó điều|này đây trong|khi|đó "
    "theo|đó còn cũng họ nó ông|ấy bà|ấy đó",
}
# Vietnamese kinship/title words are pronouns ("Ông cho biết": he said) unless a name follows
# ("Ông Carney": Mr Carney), so they lean only before a lower-case word.
_TITLE_PRONOUNS: dict[str, frozenset[str]] = {"vi": frozenset({"ông", "bà", "anh", "chị"})}

# --- Same fact -----------------------------------------------------------------------------------

SAME_FACT_MIN_SHARED = 3
SAME_FACT_SHARE = 0.6


@cache
def _word_lists(language: str) -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    entries = _DANGLING_WORDS.get(language, "").split()
    single = frozenset(e for e in entries if "|" not in e)
    multi = tuple(tuple(e.split("|")) for e in entries if "|" in e)
    return single, multi


def _english_dependency(text: str) -> str | None:
    stripped = text.lstrip()
    if not _EN_EXEMPT.match(stripped):
        found = _EN_DANGLING.match(stripped)
        if found:
            return "dangling: " + found.group(0).strip(" ([-–—").lower()
    if stripped.startswith(_OPEN_QUOTE):
        if not _ATTRIBUTION.search(stripped):
            return "bare quote"
        if _PRONOUN_ATTRIBUTION.search(stripped) and not _NAMED_ATTRIBUTION.search(stripped):
            return "bare quote"  # "...," he said.  -- who is he?
        return None
    tail = (_CLOSING_FIRST.match(stripped) and stripped.count('"') % 2 == 1) or (
        "”" in stripped and "“" not in stripped.split("”", 1)[0]
    )
    if tail and not _NAMED_ATTRIBUTION.search(stripped):
        return "quote tail"  # ...the end of a quote opened in an earlier sentence."
    return None


def _listed_dependency(text: str, language: str) -> str | None:
    raw = unicode_words(text[:80])
    if not raw:
        return None
    single, multi = _word_lists(language)
    if raw[0] in single:
        return f"dangling: {raw[0]}"
    titles = _TITLE_PRONOUNS.get(language)
    if titles and raw[0] in titles and len(raw) > 1:
        # unicode_words lower-cases: look at the second word as written.
        second = re.search(re.escape(raw[1]), text[:80], re.IGNORECASE)
        if second and second.group(0)[:1].islower():
            return f"dangling: {raw[0]}"
    for phrase in multi:
        if tuple(raw[: len(phrase)]) == phrase:
            return "dangling: " + " ".join(phrase)
    return None


@lru_cache(maxsize=100_000)
def dependency(text: str, language: str | None = "en") -> str | None:
    """Why the sentence cannot be read without the one before it ("dangling: he", "bare
    quote", "quote tail", "lower-case start"), or None. `language`: ISO code or name."""
    code = language_code(language) or "en"
    found = _english_dependency(text) if code == "en" else _listed_dependency(text, code)
    if found:
        return found
    start = _LOWER_START.match(text)
    if start and start.group(0)[-1].islower() and not _LOWER_EXEMPT.match(text):
        return "lower-case start"
    return None


def depends_on_previous(text: str, language: str | None = "en") -> bool:
    """True when the sentence needs the sentence before it (see `dependency`)."""
    return dependency(text, language) is not None


def same_fact(a: Iterable[object], b: Iterable[object]) -> bool:
    """Whether two sentences' content-term sets state the same fact (see the module's rule 2)."""
    first, second = set(a), set(b)
    if not first or not second:
        return False
    common = len(first & second)
    return common >= SAME_FACT_MIN_SHARED and common >= SAME_FACT_SHARE * min(
        len(first), len(second)
    )


def fact_terms(text: str, language: str | None = "en") -> frozenset[str]:
    """A sentence's content terms for `same_fact` when no summarizer's own terms are at hand
    (the metrics): Unicode words, stop words and single letters dropped (single digits kept),
    Snowball-stemmed where possible: the content terms of `summarizer.pooling`."""
    stop = language_stop_words(language)
    return frozenset(
        unicode_stem(w, language)
        for w in unicode_words(text)
        if w not in stop and (len(w) > 1 or not w.isalpha())
    )


# --- Metrics --------------------------------------------------------------------------------------


def unresolved_openers(summary: Sequence[tuple[int, int, str]], language: str | None = "en") -> int:
    """How many summary sentences lean on an antecedent the summary does not give right before
    them. `summary`: (article, index of the sentence in its article, text) in reading order."""
    broken = 0
    for k, (article, index, text) in enumerate(summary):
        if index <= 0 or not depends_on_previous(text, language):
            continue
        before = summary[k - 1] if k else None
        if before is None or before[0] != article or before[1] != index - 1:
            broken += 1
    return broken


def repeated_facts(texts: Sequence[str], language: str | None = "en") -> int:
    """How many pairs of summary sentences state the same fact."""
    terms = [fact_terms(t, language) for t in texts]
    return sum(
        same_fact(terms[i], terms[j]) for i in range(len(terms)) for j in range(i + 1, len(terms))
    )


def out_of_order(summary: Sequence[tuple[int, int, str]]) -> int:
    """How many pairs of one article's sentences the summary gives in reverse order."""
    return sum(
        1
        for i in range(len(summary))
        for j in range(i + 1, len(summary))
        if summary[i][0] == summary[j][0] and summary[i][1] > summary[j][1]
    )
