"""The Bot API through a real proxy on loopback (NEWSBRIEF_TELEGRAM_PROXY), both HTTP backends.

The real bot talks to the fake Bot API through a SOCKS5, SOCKS4 or HTTP proxy from
`sandbox/proxies.py`; the proxy records every target it was asked for and the bytes the bot
sent through it, so the test can see getMe, getUpdates and sendMessage all went that way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from telegram.error import NetworkError, TimedOut

from bot.app import build_application
from bot.request import AiohttpRequest, _proxy_for, is_unanswered
from bot.settings import SettingsError
from sandbox.fake_bot_api import FakeBotAPI
from sandbox.proxies import HttpProxy, SocksProxy
from storage.db import Database
from tests.bot.conftest import FakeClock, RunningBot, make_settings

CHAT = 1001
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def clean_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No proxy variables from the machine; the environment lookup's cache emptied after."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    _proxy_for.cache_clear()
    yield
    _proxy_for.cache_clear()  # a later test's fake API may get the same port


async def _closed_port() -> int:
    """A loopback port nothing listens on."""
    listener = await asyncio.start_server(lambda _r, _w: None, "127.0.0.1", 0)
    port = int(listener.sockets[0].getsockname()[1])
    listener.close()
    await listener.wait_closed()
    return port


@pytest.mark.parametrize(
    ("backend", "scheme"),
    [
        ("aiohttp", "socks5"),
        ("aiohttp", "socks4"),
        ("aiohttp", "http"),
        ("httpx", "socks5"),
        ("httpx", "http"),
    ],
)
async def test_the_bot_answers_start_through_the_proxy(
    backend: str,
    scheme: str,
    api: FakeBotAPI,
    sqlite_db: Database,
    clock: FakeClock,
    clean_proxy_environment: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An environment proxy that goes nowhere: the setting replaces it.
    dead = f"http://127.0.0.1:{await _closed_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, dead)
    proxy = HttpProxy() if scheme == "http" else SocksProxy(scheme=scheme)
    async with proxy:
        settings = make_settings(api, sqlite_db.url, telegram_proxy=proxy.url, http_backend=backend)
        async with RunningBot(api, settings, sqlite_db, clock) as bot:
            (welcome,) = await bot.send(CHAT, "/start")
    assert "Welcome to newsbrief" in welcome.plain_text
    port = int(api.base_url.rsplit(":", 1)[1])
    assert proxy.tunnels and set(proxy.targets) == {("127.0.0.1", port)}
    assert all(tunnel.connected for tunnel in proxy.tunnels)
    sent = proxy.sent()
    called = {call.method for call in api.calls}
    assert {"getMe", "getUpdates", "sendMessage"} <= called
    # Every method the fake API was called with went through the proxy, getUpdates included.
    assert {m for m in called if f"/bot{api.token}/{m}".encode() not in sent} == set()


async def test_without_the_setting_the_environment_proxy_is_used(
    api: FakeBotAPI,
    sqlite_db: Database,
    clock: FakeClock,
    clean_proxy_environment: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with HttpProxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        async with RunningBot(api, make_settings(api, sqlite_db.url), sqlite_db, clock) as bot:
            assert "Welcome" in await bot.reply_text(CHAT, "/start")
    sent = proxy.sent()
    assert b"/getUpdates" in sent and b"/sendMessage" in sent


@pytest.mark.parametrize(
    ("backend", "setting", "message"),
    [
        ("aiohttp", "ftp://user:hunter2@proxy.lan:21", r"got scheme 'ftp'"),
        ("aiohttp", "proxy.lan:1080", r"socks5://host:port, socks4://host:port, http://"),
        ("aiohttp", "socks5://proxy.lan", r"needs a port"),
        ("httpx", "socks4://proxy.lan:1080", r"SOCKS4 needs NEWSBRIEF_HTTP_BACKEND=aiohttp"),
    ],
)
async def test_an_unusable_proxy_setting_stops_the_start_by_name(
    backend: str, setting: str, message: str, api: FakeBotAPI, sqlite_db: Database
) -> None:
    settings = make_settings(api, sqlite_db.url, telegram_proxy=setting, http_backend=backend)
    with pytest.raises(SettingsError, match=message) as refused:
        build_application(settings, sqlite_db, schedule_jobs=False)
    assert str(refused.value).startswith("NEWSBRIEF_TELEGRAM_PROXY ")
    assert "hunter2" not in str(refused.value)


async def test_proxy_failures_are_telegram_network_errors(api: FakeBotAPI) -> None:
    """What PTB and the delivery worker understand: NetworkError, or TimedOut (safe to retry)."""
    get_me = f"{api.base_url}/bot{api.token}/getMe"
    port = int(api.base_url.rsplit(":", 1)[1])
    closed = await _closed_port()

    async def call(proxy: str) -> None:
        request = AiohttpRequest(1, proxy=proxy, connect_timeout=0.5, pool_timeout=0.5)
        await request.initialize()
        try:
            await request.post(get_me)
        finally:
            await request.shutdown()

    # The proxy is not there.
    with pytest.raises(NetworkError, match=f"SOCKS proxy: .*127.0.0.1:{closed}"):
        await call(f"socks5://127.0.0.1:{closed}")
    # The proxy cannot reach the Bot API.
    async with SocksProxy({("127.0.0.1", port): ("127.0.0.1", closed)}) as socks:
        with pytest.raises(NetworkError, match="SOCKS proxy: ProxyError") as unreachable:
            await call(socks.url)
    assert not isinstance(unreachable.value, TimedOut)

    # The proxy accepts the connection and never answers the handshake: a connect timeout,
    # so nothing reached Telegram and a retry is safe.
    async def say_nothing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up
        writer.close()

    silent = await asyncio.start_server(say_nothing, "127.0.0.1", 0)
    try:
        with pytest.raises(TimedOut) as timed_out:
            await call(f"socks5://127.0.0.1:{silent.sockets[0].getsockname()[1]}")
    finally:
        silent.close()
    assert not is_unanswered(timed_out.value)
    assert api.calls == []
    # With the proxy working, the same request goes through.
    async with SocksProxy() as socks:
        await call(socks.url)
    assert [c.method for c in api.calls] == ["getMe"]
