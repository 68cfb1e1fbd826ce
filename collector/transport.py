"""The fetcher's transports: the guarded direct one, and one through the feed proxy.

The guarded transport: every connection goes to an address the SSRF guard has just checked.

Checking a name and then letting the HTTP library resolve it again to connect leaves a gap: a
DNS server can answer with a public address for the check and with 127.0.0.1 a moment later
(DNS rebinding). Here the name is resolved once, inside the connection step, through the
guard's resolver; each address is checked and the socket is opened to that address itself.
The pool still keys connections by host name, and TLS still sends the host name (SNI) and
verifies the certificate against it, because httpcore takes both from the request's origin.

Through a proxy (`NEWSBRIEF_FEED_PROXY`) the proxy opens the connection to the feed's host and
resolves its name itself, so nothing here can pin the address: the fetcher checks every URL's
host with the guard's resolver before each request instead (`collector.fetch`). The proxy's
own address is not checked: an operator's proxy on the local network is normal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import httpcore
import httpx

from collector.addresses import Resolver, checked_addresses

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")

SocketOption = tuple[int, int, int | bytes] | tuple[int, int, None, int]


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves through the guard and connects to the result."""

    def __init__(
        self,
        resolver: Resolver,
        *,
        allow_private: bool,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._resolver = resolver
        self._allow_private = allow_private
        self._inner = inner or httpcore.AnyIOBackend()  # asyncio, as httpcore picks by default

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve `host` once, refuse it unless every address is allowed, connect to one."""
        try:
            async with asyncio.timeout(timeout):
                addresses = await checked_addresses(
                    host, allow_private=self._allow_private, resolver=self._resolver
                )
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} took longer than {timeout}s") from None
        options = list(socket_options or ())
        failure: Exception | None = None
        for address in addresses:  # in the resolver's order of preference, as a browser would
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # checked_addresses never returns an empty list
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refused: the guard has no address to check for a socket file."""
        raise httpcore.ConnectError("unix sockets are not used by the collector")

    async def sleep(self, seconds: float) -> None:
        """Sleep as the inner backend does (httpcore's retry backoff)."""
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (exceptions, streaming, pooling) over the guarded backend."""

    def __init__(self, *, resolver: Resolver, allow_private: bool, limits: httpx.Limits) -> None:
        ssl_context = httpx.create_ssl_context(trust_env=False)
        super().__init__(verify=ssl_context, limits=limits, trust_env=False)
        # httpx 0.28 takes no network backend (encode/httpx#3749 proposes one), so the pool it
        # built is replaced by the same pool over the guarded backend; nothing has used it yet.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(resolver, allow_private=allow_private),
        )


def proxy_label(proxy_url: str) -> str:
    """The proxy as messages show it: scheme, host and port, never its credentials."""
    url = httpx.URL(proxy_url)
    port = f":{url.port}" if url.port is not None else ""
    return f"{url.scheme}://{url.host}{port}"


def parse_proxy(proxy_url: str) -> httpx.Proxy:
    """The feed proxy; ValueError naming NEWSBRIEF_FEED_PROXY if it cannot be used."""
    try:
        url = httpx.URL(proxy_url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise ValueError(f"NEWSBRIEF_FEED_PROXY is not a URL: {exc}") from None
    if url.scheme not in PROXY_SCHEMES or not url.host:
        schemes = ", ".join(f"{s}://" for s in PROXY_SCHEMES)
        raise ValueError(  # the scheme only: the URL may carry a password
            f"NEWSBRIEF_FEED_PROXY must be a {schemes} URL with a host (got scheme {url.scheme!r})"
        )
    if url.scheme.startswith("socks"):
        try:
            import socksio  # noqa: F401 - httpx needs it for SOCKS, and says so less plainly
        except ImportError:
            raise ValueError(
                "NEWSBRIEF_FEED_PROXY is a SOCKS proxy but the socksio package is missing; "
                "install newsbrief's dependencies again (httpx[socks])"
            ) from None
    return httpx.Proxy(url)


def proxy_transport(proxy: httpx.Proxy, *, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's own transport through `proxy` (CONNECT for https URLs, forwarding for http).

    The connection to the proxy is a plain one, not through the guard: the proxy may be on a
    private network. SOCKS5 hands the host name to the proxy (it resolves it), as socks5h does.
    """
    ssl_context = httpx.create_ssl_context(trust_env=False)
    return httpx.AsyncHTTPTransport(verify=ssl_context, limits=limits, trust_env=False, proxy=proxy)
