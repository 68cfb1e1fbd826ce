"""Duplicate detection: an exact content fingerprint and a 64-bit SimHash for near-duplicates."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from summarizer.words import word_pieces

MIN_WORDS_FOR_CONTENT = 40  # shorter texts ("Read more…") say nothing about identity
# Hamming distance at or under which two texts are one story. An edited wire copy (a dateline,
# a tagline, a few words: 5-10% of word pairs) lands at 5-10 bits; unrelated texts at ~32, and
# the chance of a random pair within 10 bits is about 1e-8.
NEAR_DUPLICATE_BITS = 10
# SimHash only proposes a candidate; the texts' word pairs confirm it (a random pair of texts
# within 10 bits happens about once in 1e8 pairs: a few times a day at 20,000 articles).
MIN_RESEMBLANCE = 0.5
# Eight 8-bit bands: a pair within 7 bits always shares one (pigeonhole); at 10 bits, about
# four times in five. More bands would mean many more candidates to compare per lookup.
_BANDS = 8
_SHINGLE = 2


def _words(text: str) -> list[str]:
    return word_pieces(text.lower())


def content_fingerprint(text: str, url: str) -> str:
    """SHA-256 of the normalised text; of the URL when the text is too short to identify it."""
    words = _words(text)
    long_enough = len(words) >= MIN_WORDS_FOR_CONTENT
    key = "text:" + " ".join(words) if long_enough else "url:" + url
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def simhash(text: str) -> int | None:
    """A signed 64-bit SimHash of word pairs (fits a BIGINT), or None for a very short text."""
    words = _words(text)
    if len(words) < MIN_WORDS_FOR_CONTENT:
        return None
    shingles = {" ".join(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}
    # Count byte values per position, then bits per byte value: 8 steps per shingle, not 64.
    counts = [[0] * 256 for _ in range(8)]
    for shingle in shingles:
        for position, byte in enumerate(hashlib.blake2b(shingle.encode(), digest_size=8).digest()):
            counts[position][byte] += 1
    half = len(shingles) / 2
    unsigned = 0
    for position in range(8):
        for bit in range(8):
            ones = sum(n for byte, n in enumerate(counts[position]) if n and byte >> bit & 1)
            if ones > half:
                unsigned |= 1 << (position * 8 + bit)
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def resemblance(first: str, second: str) -> float:
    """Jaccard similarity of the two texts' word pairs: ~0.8 for an edited copy, ~0 otherwise."""
    pairs = []
    for text in (first, second):
        words = _words(text)
        pairs.append({" ".join(words[i : i + _SHINGLE]) for i in range(len(words) - 1)})
    union = len(pairs[0] | pairs[1])
    return len(pairs[0] & pairs[1]) / union if union else 0.0


def hamming(first: int, second: int) -> int:
    """The number of differing bits between two 64-bit hashes (signed or not)."""
    return ((first ^ second) & 0xFFFFFFFFFFFFFFFF).bit_count()


def _bands(value: int) -> list[tuple[int, int]]:
    unsigned = value & 0xFFFFFFFFFFFFFFFF
    width = -(-64 // _BANDS)
    mask = (1 << width) - 1
    return [(band, (unsigned >> (band * width)) & mask) for band in range(_BANDS)]


@dataclass(frozen=True, slots=True)
class IndexedArticle:
    """What the near-duplicate index keeps per article."""

    article_id: int
    simhash: int
    story_id: int | None
    fetched_at: datetime


class NearDuplicateIndex:
    """Recent articles' SimHashes, banded so a lookup checks only plausible candidates."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[int, int], list[IndexedArticle]] = {}
        self.last_article_id = 0

    def __len__(self) -> int:
        return len({a.article_id for bucket in self._buckets.values() for a in bucket})

    def add(self, article: IndexedArticle) -> None:
        """Remember an article."""
        for key in _bands(article.simhash):
            self._buckets.setdefault(key, []).append(article)
        self.last_article_id = max(self.last_article_id, article.article_id)

    def nearest(self, value: int, max_bits: int = NEAR_DUPLICATE_BITS) -> IndexedArticle | None:
        """The closest remembered article within `max_bits`, oldest first on ties."""
        best: tuple[int, int, IndexedArticle] | None = None
        for key in _bands(value):
            for candidate in self._buckets.get(key, ()):
                distance = hamming(value, candidate.simhash)
                if distance <= max_bits:
                    rank = (distance, candidate.article_id, candidate)
                    if best is None or rank[:2] < best[:2]:
                        best = rank
        return best[2] if best else None

    def forget_before(self, cutoff: datetime) -> None:
        """Drop articles fetched before `cutoff`."""
        for key, bucket in list(self._buckets.items()):
            kept = [a for a in bucket if a.fetched_at >= cutoff]
            if kept:
                self._buckets[key] = kept
            else:
                del self._buckets[key]
