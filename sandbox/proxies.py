"""Real proxy servers on 127.0.0.1 for tests: an HTTP proxy and a SOCKS server (4, 4a and 5).

`HttpProxy` tunnels `CONNECT host:port` (what clients do for https URLs) and forwards
absolute-form requests (`GET http://host/path`, what clients do for http URLs). `SocksProxy`
speaks SOCKS5 (no authentication, or a user name and password, RFC 1929) and SOCKS4/4a; its
`url` says `socks5://` unless it is made with `scheme="socks4"`.

Both record what they were asked for: `accepted` counts client connections (a request refused
before it reached the proxy leaves it at 0), and every target a client asked for becomes a
`Tunnel` in `tunnels`, with the host exactly as the client named it (a name sent to a SOCKS5
proxy stays a name: the proxy resolves it) and the first bytes the client sent through it.

`routes` plays the proxy's own DNS: it maps a (host, port) a client asks for to an address on
this machine, so `feeds.example:80` can be served by the local feed server. A target without a
route is connected to as asked; beyond loopback the tests' network guard refuses that, and
the proxy answers with a failure, as a real proxy does for a host it cannot reach.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote, urlsplit

_CHUNK = 64 * 1024
_RECORDED = 1024 * 1024  # bytes kept of what a client sends through one tunnel
_CONNECT_TIMEOUT = 5.0

Address = tuple[str, int]


@dataclass
class Tunnel:
    """One target a client asked a proxy for, and what went through it."""

    via: str  # "connect", "forward" (HTTP proxy), "socks4", "socks5"
    host: str  # as the client named it: a host name or an IP address
    port: int
    connected: bool = False
    error: str = ""  # why the proxy could not reach the target
    sent: bytearray = field(default_factory=bytearray)  # client to target, the first MiB

    @property
    def target(self) -> Address:
        """(host, port) as asked."""
        return self.host, self.port

    def record(self, data: bytes) -> None:
        """Keep the first bytes a client sends through."""
        room = _RECORDED - len(self.sent)
        if room > 0:
            self.sent += data[:room]


class _ProxyServer:
    """The listener, the routes, the records and the relay both proxies share."""

    def __init__(
        self,
        routes: Mapping[Address, Address] | None,
        *,
        scheme: str,
        username: str | None,
        password: str | None,
    ) -> None:
        self.scheme = scheme
        self.routes: dict[Address, Address] = {
            (host.lower(), port): to for (host, port), to in (routes or {}).items()
        }
        self.credentials = (username, password or "") if username is not None else None
        self.accepted = 0
        self.tunnels: list[Tunnel] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """The proxy's URL, with the credentials it requires, if any."""
        auth = ""
        if self.credentials is not None:
            user, password = self.credentials
            auth = f"{quote(user, safe='')}:{quote(password, safe='')}@"
        return f"{self.scheme}://{auth}127.0.0.1:{self.port}"

    @property
    def targets(self) -> list[Address]:
        """Every (host, port) a client asked for, in order."""
        return [tunnel.target for tunnel in self.tunnels]

    def sent(self) -> bytes:
        """Everything clients sent through every tunnel (the first MiB of each)."""
        return b"".join(bytes(tunnel.sent) for tunnel in self.tunnels)

    def route(self, host: str, port: int, to_port: int, to_host: str = "127.0.0.1") -> None:
        """Connect requests for host:port to to_host:to_port (the proxy's own name lookup)."""
        self.routes[(host.lower(), port)] = (to_host, to_port)

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and drop every connection."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            await self._serve(reader, writer)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError):
            pass  # the client went away or spoke nonsense
        finally:
            self._writers.discard(writer)
            writer.transport.abort()
            self._tasks.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def _open(self, tunnel: Tunnel) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Connect to the tunnel's target (through `routes`); raises OSError when it cannot."""
        host, port = self.routes.get((tunnel.host.lower(), tunnel.port), tunnel.target)
        try:
            async with asyncio.timeout(_CONNECT_TIMEOUT):
                streams = await asyncio.open_connection(host, port)
        except Exception as exc:  # refused, timed out, or a name the test network refuses
            tunnel.error = str(exc) or type(exc).__name__
            if isinstance(exc, ConnectionRefusedError):
                raise
            raise OSError(tunnel.error) from exc
        tunnel.connected = True
        return streams

    async def _relay(
        self,
        tunnel: Tunnel,
        client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    ) -> None:
        """Copy both ways until both sides are done; what the client sends is recorded."""
        self._writers.add(upstream[1])
        both = (client[1], upstream[1])

        async def pipe(
            source: asyncio.StreamReader, target: asyncio.StreamWriter, record: bool
        ) -> None:
            try:
                while data := await source.read(_CHUNK):
                    if record:
                        tunnel.record(data)
                    target.write(data)
                    await target.drain()
                if target.can_write_eof():
                    target.write_eof()  # a half close, passed on
            except (ConnectionError, OSError):
                for writer in both:  # a reset on one side ends the other too
                    writer.transport.abort()

        try:
            await asyncio.gather(
                pipe(client[0], upstream[1], True), pipe(upstream[0], client[1], False)
            )
        finally:
            self._writers.discard(upstream[1])
            upstream[1].transport.abort()


class HttpProxy(_ProxyServer):
    """An HTTP proxy: CONNECT tunnels and forwarded absolute-form requests.

    A forwarded request is sent on with `Connection: close`, so each client connection carries
    one request to one origin and the relay can stay a byte pipe. With credentials, requests
    without the right `Proxy-Authorization: Basic ...` get 407.
    """

    def __init__(
        self,
        routes: Mapping[Address, Address] | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        super().__init__(routes, scheme="http", username=username, password=password)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = [
            line for line in head.decode("latin-1").split("\r\n") if line
        ]
        method, target, version = request_line.split(" ", 2)
        headers = [line.split(":", 1) for line in header_lines if ":" in line]
        if self.credentials is not None and not self._authorised(headers):
            writer.write(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="proxy"\r\n'
                b"Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
            await writer.drain()
            return
        if method.upper() == "CONNECT":
            host, _, port = target.rpartition(":")
            tunnel = Tunnel("connect", host.strip("[]"), int(port))
            self.tunnels.append(tunnel)
            try:
                upstream = await self._open(tunnel)
            except OSError:
                await _answer(writer, b"502 Bad Gateway")
                return
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await self._relay(tunnel, (reader, writer), upstream)
            return
        parts = urlsplit(target)
        if parts.scheme != "http" or not parts.hostname:
            await _answer(writer, b"400 Bad Request")
            return
        tunnel = Tunnel("forward", parts.hostname, parts.port or 80)
        self.tunnels.append(tunnel)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        hop_by_hop = ("connection", "keep-alive", "proxy-connection", "proxy-authorization")
        kept = [f"{name}:{value}" for name, value in headers if name.lower() not in hop_by_hop]
        forwarded = "\r\n".join([f"{method} {path} {version}", *kept, "Connection: close"])
        try:
            upstream = await self._open(tunnel)
        except OSError:
            await _answer(writer, b"502 Bad Gateway")
            return
        data = (forwarded + "\r\n\r\n").encode("latin-1")
        tunnel.record(data)
        upstream[1].write(data)
        await self._relay(tunnel, (reader, writer), upstream)

    def _authorised(self, headers: list[list[str]]) -> bool:
        assert self.credentials is not None
        user, password = self.credentials
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        given = [v.strip() for n, v in headers if n.strip().lower() == "proxy-authorization"]
        return given == [expected]


class SocksProxy(_ProxyServer):
    """A SOCKS server: version 5 (CONNECT; no authentication or user/password) and 4/4a."""

    def __init__(
        self,
        routes: Mapping[Address, Address] | None = None,
        *,
        scheme: str = "socks5",
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        if scheme not in ("socks5", "socks4"):
            raise ValueError(f"a SOCKS proxy's URL scheme is socks5 or socks4, not {scheme!r}")
        super().__init__(routes, scheme=scheme, username=username, password=password)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        version = (await reader.readexactly(1))[0]
        if version == 5:
            await self._socks5(reader, writer)
        elif version == 4:
            await self._socks4(reader, writer)

    async def _socks5(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        methods = await reader.readexactly((await reader.readexactly(1))[0])
        wanted = 0x02 if self.credentials is not None else 0x00
        if wanted not in methods:
            writer.write(b"\x05\xff")  # no acceptable method
            await writer.drain()
            return
        writer.write(bytes([5, wanted]))
        if wanted == 0x02:
            _version, length = await reader.readexactly(2)
            user = (await reader.readexactly(length)).decode()
            password = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            accepted = (user, password) == self.credentials
            writer.write(b"\x01\x00" if accepted else b"\x01\x01")
            await writer.drain()
            if not accepted:
                return
        _version, command, _reserved, kind = await reader.readexactly(4)
        if kind == 1:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif kind == 3:
            host = (await reader.readexactly((await reader.readexactly(1))[0])).decode("ascii")
        elif kind == 4:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        else:
            await _socks5_reply(writer, 0x08)  # address type not supported
            return
        port = int.from_bytes(await reader.readexactly(2), "big")
        tunnel = Tunnel("socks5", host, port)
        self.tunnels.append(tunnel)
        if command != 1:
            await _socks5_reply(writer, 0x07)  # only CONNECT
            return
        try:
            upstream = await self._open(tunnel)
        except ConnectionRefusedError:
            await _socks5_reply(writer, 0x05)
            return
        except OSError:
            await _socks5_reply(writer, 0x04)  # host unreachable
            return
        await _socks5_reply(writer, 0x00)
        await self._relay(tunnel, (reader, writer), upstream)

    async def _socks4(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        command = (await reader.readexactly(1))[0]
        port = int.from_bytes(await reader.readexactly(2), "big")
        address = await reader.readexactly(4)
        await reader.readuntil(b"\x00")  # the user id, not checked
        if address[:3] == b"\x00\x00\x00" and address[3]:  # SOCKS4a: the name follows
            host = (await reader.readuntil(b"\x00"))[:-1].decode("ascii")
        else:
            host = str(ipaddress.IPv4Address(address))
        tunnel = Tunnel("socks4", host, port)
        self.tunnels.append(tunnel)
        rejected = b"\x00\x5b" + bytes(6)
        if command != 1:
            writer.write(rejected)
            await writer.drain()
            return
        try:
            upstream = await self._open(tunnel)
        except OSError:
            writer.write(rejected)
            await writer.drain()
            return
        writer.write(b"\x00\x5a" + bytes(6))  # granted
        await writer.drain()
        await self._relay(tunnel, (reader, writer), upstream)


async def _answer(writer: asyncio.StreamWriter, status: bytes) -> None:
    writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    with contextlib.suppress(ConnectionError):
        await writer.drain()


async def _socks5_reply(writer: asyncio.StreamWriter, code: int) -> None:
    writer.write(bytes([5, code, 0, 1]) + bytes(6))  # bound address 0.0.0.0:0
    await writer.drain()
