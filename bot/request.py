"""A python-telegram-bot networking backend on aiohttp (PTB's BaseRequest extension point).

Measured against the fake Bot API on this machine, PTB's default HTTPXRequest spent ~2.2 ms of
CPU per sendMessage (most of it in httpcore's connection-pool bookkeeping) where aiohttp spends
~0.3 ms, and fan-out speed is bounded by exactly that. Requests go as JSON bodies; uploads (which
the bot does not make today) as multipart. Errors map to PTB's as HTTPXRequest maps them:
timeouts to TimedOut, other transport failures to NetworkError; HTTP status handling stays in
BaseRequest.

A read timeout is told apart from the others: the request was written and Telegram may well
have acted on it (`UnansweredRequest`, see `is_unanswered`), so the delivery worker must not
send it again; a connect or pool timeout means nothing left, and a retry is safe.

A proxy (`NEWSBRIEF_TELEGRAM_PROXY`) carries every request, getUpdates included: SOCKS5 and
SOCKS4 through aiohttp-socks' connector (SOCKS5 hands the host name to the proxy, which
resolves it), HTTP through aiohttp's own `proxy=`. Without one, HTTPS_PROXY / HTTP_PROXY /
NO_PROXY are read from the environment, as before.
"""

from __future__ import annotations

import functools
import json
import urllib.request
from urllib.parse import urlsplit

import aiohttp
import aiohttp_socks
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.settings import SettingsError

_JSON = {"Content-Type": "application/json"}
# The proxies each backend can use: httpx speaks no SOCKS4.
PROXY_SCHEMES = {"aiohttp": ("socks5", "socks4", "http"), "httpx": ("socks5", "http")}


class UnansweredRequest(TimedOut):
    """The request was sent in full but no answer came in time: Telegram may have done it."""


def is_unanswered(exc: TelegramError) -> bool:
    """Whether a failed request may nevertheless have been carried out by Telegram.

    True for our backend's `UnansweredRequest` and, with PTB's httpx backend, for a read
    timeout (httpx.ReadTimeout under PTB's TimedOut); connect and pool timeouts are False.
    """
    if isinstance(exc, UnansweredRequest):
        return True
    if not isinstance(exc, TimedOut):
        return False
    cause = exc.__cause__
    return type(cause).__name__ in ("ReadTimeout", "WriteTimeout")


def telegram_proxy(url: str | None, backend: str = "aiohttp") -> str | None:
    """The Bot API proxy URL, None when unset; SettingsError when `backend` cannot use it.

    The message names NEWSBRIEF_TELEGRAM_PROXY and the scheme, never the URL: it may carry a
    password.
    """
    url = (url or "").strip()
    if not url:
        return None
    schemes = PROXY_SCHEMES[backend]
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme.lower()
    if scheme not in schemes or not parts.hostname:
        hint = ""
        if scheme == "socks4" and backend == "httpx":
            hint = "; SOCKS4 needs NEWSBRIEF_HTTP_BACKEND=aiohttp"
        allowed = ", ".join(f"{s}://host:port" for s in schemes)
        raise SettingsError(
            f"NEWSBRIEF_TELEGRAM_PROXY must be a proxy URL: {allowed} "
            f"(got scheme {parts.scheme!r}){hint}"
        )
    if port is None and scheme != "http":
        raise SettingsError(f"NEWSBRIEF_TELEGRAM_PROXY needs a port: {scheme}://host:port")
    return url


class AiohttpRequest(BaseRequest):
    """Sends Bot API requests with one aiohttp session and a bounded connection pool."""

    __slots__ = (
        "_connect_timeout",
        "_pool_size",
        "_pool_timeout",
        "_proxy",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 16,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        proxy: str | None = None,
    ) -> None:
        self._proxy = telegram_proxy(proxy)
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds (PTB adds the long-poll time to it)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (idempotent)."""
        if self._session is None or self._session.closed:
            connector: aiohttp.BaseConnector
            if self._proxy is not None and self._proxy.lower().startswith("socks"):
                # SOCKS5 resolves the host at the proxy (rdns), SOCKS4 here.
                connector = aiohttp_socks.ProxyConnector.from_url(
                    self._proxy, limit=self._pool_size
                )
            else:
                connector = aiohttp.TCPConnector(limit=self._pool_size)
            # trust_env would look up proxies and .netrc in a thread on every request; the
            # proxy is the configured one, or read once from the environment (_proxy_for).
            self._session = aiohttp.ClientSession(connector=connector, trust_env=False)

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """POST the request; returns the HTTP status and the raw body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = _value(read_timeout, self._read_timeout)
        connect = _value(connect_timeout, self._connect_timeout)
        pool = _value(pool_timeout, self._pool_timeout)
        # aiohttp's `connect` covers waiting for a pooled connection and opening a new one.
        waiting = None if connect is None and pool is None else (connect or 0) + (pool or 0)
        timeout = aiohttp.ClientTimeout(
            total=None, connect=waiting, sock_connect=connect, sock_read=read
        )
        body, headers = _encode(request_data)
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=self._proxy_to(url)
            ) as response:
                return response.status, await response.read()
        except aiohttp.SocketTimeoutError as exc:  # sock_read: the request had been written
            raise UnansweredRequest("Telegram did not answer in time") from exc
        except (TimeoutError, aiohttp_socks.ProxyTimeoutError) as exc:
            raise TimedOut from exc  # connecting or waiting for a pooled connection
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
        except (aiohttp_socks.ProxyConnectionError, aiohttp_socks.ProxyError) as exc:
            # The SOCKS proxy is down, refused us, or could not reach the Bot API: nothing
            # was sent, as with a connection error.
            raise NetworkError(f"SOCKS proxy: {type(exc).__name__}: {exc}") from exc

    def _proxy_to(self, url: str) -> str | None:
        """The HTTP proxy for a request: the configured one, or the environment's."""
        if self._proxy is None:
            return _proxy_for(url)
        return None if self._proxy.lower().startswith("socks") else self._proxy


@functools.lru_cache(maxsize=8)
def _proxy_for(url: str) -> str | None:
    """HTTPS_PROXY / HTTP_PROXY for the Bot API host unless NO_PROXY exempts it (cached)."""
    parts = urlsplit(url)
    if urllib.request.proxy_bypass_environment(parts.hostname or ""):
        return None
    return urllib.request.getproxies_environment().get(parts.scheme)


def _value(given: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(given, DefaultValue) else given


def _encode(
    request_data: RequestData | None,
) -> tuple[bytes | aiohttp.FormData | None, dict[str, str]]:
    """A JSON body, or multipart form data when files are attached."""
    if request_data is None:
        return None, {}
    files = request_data.multipart_data
    if not files:
        return json.dumps(request_data.parameters).encode(), _JSON
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, {}
