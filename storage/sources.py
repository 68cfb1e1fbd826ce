"""How a source is named: the outlet's stored name, else its site's host without "www.".

One rule for every place that names or counts sources (a story's "N sources", briefing links,
answers' citations, the collector's own fallback), so one outlet is never two sources because
one feed said "www.example.org" and another "example.org".
"""

from __future__ import annotations

from urllib.parse import urlsplit

# Mirrors of one site: the same outlet with or without these prefixes.
_MIRROR_PREFIXES = ("www.", "m.", "amp.", "mobile.")


def site_host(url: str) -> str:
    """The host of a URL, lower case, without a leading 'www.'-style prefix ('' if none)."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # a malformed address (e.g. an unbalanced IPv6 bracket)
        return ""
    for prefix in _MIRROR_PREFIXES:
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host


def source_label(name: str | None, url: str) -> str:
    """The name to show for a source: its stored name, else its site's host, else the URL."""
    return (name or "").strip() or site_host(url) or url
