"""Article identity by URL: the canonical form strips tracking noise so one article has one URL."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from storage.sources import site_host

_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref_src",
        "ref_url",
        "cmpid",
        "ncid",
        "ocid",
        "sr_share",
        "at_medium",
        "at_campaign",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith(("utm_", "pk_", "mtm_")) or lowered in _TRACKING_PARAMS


def canonical_url(url: str) -> str:
    """The URL with lower-case scheme and host, no default port, fragment or tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if not scheme or not host:
        return url.strip()
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    port = parts.port if parts.port and parts.port != _DEFAULT_PORTS.get(scheme) else None
    # Credentials in a link are a leak, not part of the article's identity: they are dropped.
    netloc = f"{host}:{port}" if port else host
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = [(name, value) for name, value in pairs if not _is_tracking(name)]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def same_site(first: str, second: str) -> bool:
    """True when both URLs are on the same host, ignoring www./m./amp. prefixes."""
    host = site_host(first)
    return bool(host) and host == site_host(second)
