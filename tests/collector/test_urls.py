"""Canonical URLs: one article, one URL, whatever tracking noise a feed adds."""

from __future__ import annotations

import pytest

from collector.urls import canonical_url, same_site


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "HTTPS://News.Example.COM/a/story?utm_source=rss&utm_medium=feed&id=7#comments",
            "https://news.example.com/a/story?id=7",
        ),
        ("http://example.com:80/x?fbclid=abc&gclid=1", "http://example.com/x"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://user:secret@example.com/x", "https://example.com/x"),
        ("https://example.com/x?b=2&a=1&mc_cid=9", "https://example.com/x?b=2&a=1"),
        ("https://example.com/x?q=", "https://example.com/x?q="),
    ],
)
def test_canonical_url_drops_noise_and_keeps_identity(given: str, expected: str) -> None:
    assert canonical_url(given) == expected


def test_same_site_ignores_www_and_mobile_prefixes_only() -> None:
    assert same_site("https://www.example.com/a", "https://m.example.com/b")
    assert not same_site("https://example.com/a", "https://example.org/a")
    assert not same_site("https://evil.example.com/a", "https://example.com/a")
