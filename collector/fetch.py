"""HTTP fetching for feeds and pages: one shared client, bounded, capped, guarded, conditional."""

from __future__ import annotations

import asyncio
import os
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from types import TracebackType

import httpx

from collector.addresses import Resolver, check_url, system_resolver
from collector.errors import FetchError
from collector.settings import FetchSettings
from collector.transport import GuardedTransport, parse_proxy, proxy_label, proxy_transport
from storage.clock import utcnow

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
MAX_REDIRECTS = 5
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# A read timeout only bounds the gap between two chunks; a server dripping one byte at a time
# would hold a slot for ever, so each request also has an overall deadline.
_DEADLINE_FACTOR = 4
# Bodies are inflated in steps of at most this many bytes, so a gzip bomb costs one step over
# the cap, not the ~1000x of a whole network chunk.
DECODE_STEP = 64 * 1024
_ASKED_ENCODINGS = "gzip, deflate"


def _user_agent() -> str:
    try:
        release = version("newsbrief")
    except PackageNotFoundError:
        release = "dev"
    return f"newsbrief/{release} (news briefing bot; feed collector)"


USER_AGENT = _user_agent()


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A completed fetch: the final URL after redirects, status 200 or 304, headers and body."""

    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional request."""
        return self.status == 304

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case ('' when absent)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - utcnow()).total_seconds())


def format_bytes(size: int) -> str:
    """A byte count for people: '5 MB', '300 KB'."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


class Fetcher:
    """Fetches URLs through one httpx.AsyncClient with the caps, limits and guard of settings."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        resolver: Resolver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_redirects: int = MAX_REDIRECTS,
    ) -> None:
        self._allow_private = settings.allow_private_networks
        self._max_body = settings.max_body_bytes
        self._timeout = settings.fetch_timeout_seconds
        self._max_redirects = max_redirects
        self._resolver = resolver or system_resolver
        self._overall = asyncio.Semaphore(settings.max_concurrency)
        self._per_host_limit = settings.max_per_host
        self._per_host: dict[str, asyncio.Semaphore] = {}
        limits = httpx.Limits(
            max_connections=settings.max_concurrency,
            max_keepalive_connections=settings.max_concurrency,
        )
        # The feed proxy (NEWSBRIEF_FEED_PROXY); a transport handed in (tests) replaces it.
        proxy_url = (getattr(settings, "feed_proxy", None) or "").strip()
        proxy = parse_proxy(proxy_url) if proxy_url and transport is None else None
        self._via = f" (through the feed proxy {proxy_label(proxy_url)})" if proxy else ""
        # Our transport resolves each name once, checks it and connects to the checked address.
        # A proxy, or a transport handed in (tests routing names to the local server), connects
        # on its own, so for them names are resolved and checked before every request instead.
        self._names_checked_on_connect = transport is None and proxy is None
        if proxy is not None:
            transport = proxy_transport(proxy, limits=limits)
        elif transport is None:
            transport = GuardedTransport(
                resolver=self._resolver, allow_private=self._allow_private, limits=limits
            )
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(self._timeout),
            limits=limits,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": _ASKED_ENCODINGS},
            follow_redirects=False,  # followed by hand so every hop passes the guard
            trust_env=False,  # no proxy from the environment: only the one configured
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client and its connections."""
        await self._client.aclose()

    @asynccontextmanager
    async def _slot(self, host: str) -> AsyncIterator[None]:
        per_host = self._per_host.get(host)
        if per_host is None:
            per_host = self._per_host[host] = asyncio.Semaphore(self._per_host_limit)
        async with per_host, self._overall:
            yield

    async def get(
        self,
        url: str,
        *,
        accept: str = FEED_ACCEPT,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        """GET `url` following redirects; raise FetchError with a readable reason on any failure."""
        try:
            current = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise FetchError(f"invalid URL {url!r}: {exc}") from None
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for _hop in range(self._max_redirects + 1):
            resolver = None if self._names_checked_on_connect else self._resolver
            await check_url(current, allow_private=self._allow_private, resolver=resolver)
            async with self._slot(current.host):
                try:
                    async with asyncio.timeout(self._timeout * _DEADLINE_FACTOR):
                        outcome = await self._request(current, headers)
                except TimeoutError:
                    raise FetchError(
                        f"{current.host} took longer than {self._timeout * _DEADLINE_FACTOR:g}s"
                        f"{self._via}"
                    ) from None
            if isinstance(outcome, FetchResult):
                return outcome
            current = outcome
        raise FetchError(f"too many redirects (more than {self._max_redirects}) from {url}")

    async def _request(self, url: httpx.URL, headers: dict[str, str]) -> FetchResult | httpx.URL:
        """One hop: a FetchResult, or the URL a redirect points to."""
        try:
            async with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in _REDIRECT_STATUSES and "location" in response.headers:
                    try:
                        return url.join(response.headers["location"])
                    except httpx.InvalidURL as exc:
                        message = f"{url.host} redirected to an invalid URL: {exc}"
                        raise FetchError(message) from None
                found = {k.lower(): v for k, v in response.headers.items()}
                if status == 304:
                    return FetchResult(url=str(url), status=304, headers=found)
                if status == 407 and self._via:  # from the proxy itself (a forwarded request)
                    raise FetchError(
                        f"HTTP 407 Proxy Authentication Required{self._via}: check the "
                        "credentials in NEWSBRIEF_FEED_PROXY",
                        status=status,
                    )
                if not 200 <= status < 300:
                    raise FetchError(
                        f"HTTP {status} {response.reason_phrase}".rstrip(),
                        status=status,
                        retry_after=parse_retry_after(response.headers.get("retry-after")),
                    )
                body = await self._read_capped(response, url.host)
                return FetchResult(url=str(url), status=status, headers=found, body=body)
        except httpx.TimeoutException:
            message = f"{url.host} did not answer within {self._timeout:g}s{self._via}"
            raise FetchError(message) from None
        except httpx.ConnectError as exc:
            message = f"could not connect to {url.host}{self._via}: {_reason(exc)}"
            raise FetchError(message) from None
        except httpx.ProxyError as exc:  # the proxy refused us or could not reach the host
            message = f"could not reach {url.host}{self._via}: {_reason(exc)}"
            raise FetchError(message) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"request to {url.host} failed{self._via}: {_reason(exc)}") from None

    async def _read_capped(self, response: httpx.Response, host: str) -> bytes:
        limit = self._max_body
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(
                f"body of {format_bytes(int(declared))} is over the {format_bytes(limit)} limit"
            )
        decoder = _decoder_for(response.headers.get("content-encoding", ""), host)
        chunks: list[bytes] = []
        size = 0

        def keep(pieces: Iterable[bytes]) -> None:
            nonlocal size
            for piece in pieces:
                size += len(piece)
                if size > limit:
                    raise FetchError(f"body is over the {format_bytes(limit)} limit")
                chunks.append(piece)

        received = 0
        # The raw (still encoded) stream, inflated here step by step: httpx's own decoding
        # inflates a whole network chunk at once, 64 MB from 64 KB of a gzip bomb.
        async for raw in response.aiter_raw():
            received += len(raw)
            # Encoded bytes count too: empty deflate blocks inflate to nothing, for ever.
            if received > limit:
                raise FetchError(f"body is over the {format_bytes(limit)} limit")
            keep(decoder.decode(raw) if decoder else (raw,))
        if decoder:
            keep(decoder.finish())
        return b"".join(chunks)


class _Inflater:
    """Inflates a gzip or deflate body incrementally, never more than DECODE_STEP bytes at once."""

    def __init__(self, coding: str, host: str) -> None:
        self._host = host
        self._gzip = coding == "gzip"
        self._head = b""  # deflate: the first two bytes decide between zlib and raw
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if self._gzip else None

    def decode(self, data: bytes) -> Iterator[bytes]:
        """The inflated bytes of the next encoded chunk, in pieces of at most DECODE_STEP."""
        if self._inflater is None:
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            # HTTP "deflate" is zlib-wrapped, but some servers send raw deflate; a zlib header
            # (method 8, header check a multiple of 31) tells them apart; browsers accept both.
            wrapped = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        inflater = self._inflater
        while True:
            try:
                piece = inflater.decompress(data, DECODE_STEP)
            except zlib.error as exc:
                message = f"{self._host} sent a body that could not be decoded: {exc}"
                raise FetchError(message) from None
            if piece:
                yield piece
            if inflater.eof:
                rest = inflater.unused_data
                if not (self._gzip and rest.startswith(b"\x1f\x8b")):
                    return  # bytes after the end of the stream are ignored, as gzip(1) does
                # Concatenated gzip members are one body (RFC 1952).
                inflater = self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                data = rest
                continue
            data = inflater.unconsumed_tail
            # A full step may leave output pending inside zlib even when no input is left.
            if not data and len(piece) < DECODE_STEP:
                return

    def finish(self) -> Iterator[bytes]:
        """Whatever is still pending once the stream has ended (a truncated body is kept)."""
        if self._inflater is not None and not self._inflater.eof:
            yield from self.decode(b"")


def _decoder_for(header: str, host: str) -> _Inflater | None:
    """The decoder for a Content-Encoding header: None for identity; FetchError if not asked for."""
    codings = [c.strip().lower() for c in header.split(",") if c.strip()]
    codings = ["gzip" if c == "x-gzip" else c for c in codings if c != "identity"]
    if not codings:
        return None
    if len(codings) == 1 and codings[0] in ("gzip", "deflate"):
        return _Inflater(codings[0], host)
    # We only ask for gzip or deflate; anything else (br, zstd, stacked codings) would be read
    # as garbage, so it is refused with its name.
    raise FetchError(
        f"{host} sent a body encoded as {', '.join(codings)!r}; "
        f"only {_ASKED_ENCODINGS} were asked for"
    )


def _reason(exc: BaseException) -> str:
    """The most specific message in the exception chain ("Connection refused", not "failed")."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, OSError) and isinstance(cause.errno, int) and cause.errno > 0:
            return os.strerror(cause.errno)  # "Connection refused", whatever the wrapper says
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
        cause = cause.__cause__ or cause.__context__
    text = str(exc).strip()
    return text or type(exc).__name__
