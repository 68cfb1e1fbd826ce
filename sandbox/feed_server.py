"""A real HTTP server on 127.0.0.1 serving feeds and pages, for tests, benchmarks and the demo."""

from __future__ import annotations

import asyncio
import functools
import gzip
import hashlib
import mimetypes
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from types import TracebackType

from aiohttp import web

_TYPES_BY_SUFFIX = {
    ".rss": "application/rss+xml",
    ".xml": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".opml": "text/x-opml",
    ".txt": "text/plain; charset=utf-8",
}
_CHUNK = 64 * 1024
_MIB = 1024 * 1024


@dataclass(slots=True)
class RecordedRequest:
    """A request the server answered."""

    method: str
    path: str
    headers: dict[str, str]
    status: int


@dataclass(slots=True)
class _Resource:
    body: bytes
    content_type: str
    etag: bool
    last_modified: datetime | None
    headers: dict[str, str]
    gzip: bool


@dataclass(slots=True)
class _Behaviour:
    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    oversized: int | None = None
    redirect_to: str | None = None
    redirect_status: int = 302
    garbage: int | None = None
    gzip_bomb: int | None = None
    drip: tuple[float, float] | None = None  # (seconds between bytes, seconds in all)
    headers: dict[str, str] = field(default_factory=dict)


class LocalFeedServer:
    """Serves registered bodies over real HTTP on 127.0.0.1 (an OS-chosen port).

    Bodies may contain the placeholder ``{base_url}``; it is replaced by this server's base URL
    when served, so fixture feeds can link to pages on the same server. ``{ago:90:rfc822}`` and
    ``{ago:90:iso}`` become the time 90 minutes before the body was added, as RSS or Atom/JSON
    Feed write dates, so sample feeds stay fresh news whenever they are served. Each body gets
    an ETag (a hash of the served bytes) and a Last-Modified (the time it was added) unless
    turned off, and a matching If-None-Match / If-Modified-Since gets 304 with no body.

    Behaviours can be switched on per path (and off with ``clear``): an error status with an
    optional Retry-After, a delay before answering (slow or timing out), an oversized streamed
    body, a gzip bomb, a body dripped a byte at a time, a redirect, or garbage bytes. Every
    answered request is appended to ``requests``.
    """

    def __init__(self) -> None:
        self._resources: dict[str, _Resource] = {}
        self._behaviours: dict[str, _Behaviour] = {}
        self.requests: list[RecordedRequest] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def __aenter__(self) -> LocalFeedServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port; `base_url` is set afterwards."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # Handlers are cancelled when a client gives up, so a timed-out slow answer ends too.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.1
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def url(self, path: str) -> str:
        """The absolute URL of a path on this server."""
        return self.base_url + (path if path.startswith("/") else f"/{path}")

    # --- content -----------------------------------------------------------------------------

    def add(
        self,
        path: str,
        body: bytes | str,
        content_type: str = "application/rss+xml",
        *,
        etag: bool = True,
        last_modified: bool = True,
        headers: dict[str, str] | None = None,
        gzip: bool = False,
    ) -> str:
        """Serve `body` at `path` (replacing what was there); returns the path's URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        data = _with_dates(data, datetime.now(UTC))
        modified = datetime.now(UTC).replace(microsecond=0) if last_modified else None
        self._resources[_normal(path)] = _Resource(
            data, content_type, etag, modified, dict(headers or {}), gzip
        )
        return self.url(path)

    def add_directory(self, directory: Path, prefix: str = "/") -> list[str]:
        """Serve every file under `directory` at prefix + its relative path; type by suffix."""
        urls = []
        for file in sorted(Path(directory).rglob("*")):
            if file.is_file():
                relative = file.relative_to(directory).as_posix()
                content_type = _TYPES_BY_SUFFIX.get(file.suffix.lower()) or (
                    mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                )
                path = prefix.rstrip("/") + "/" + relative
                urls.append(self.add(path, file.read_bytes(), content_type))
        return urls

    def remove(self, path: str) -> None:
        """Stop serving a path (it answers 404)."""
        self._resources.pop(_normal(path), None)

    # --- behaviours --------------------------------------------------------------------------

    def fail(self, path: str, status: int = 500, *, retry_after: str | int | None = None) -> None:
        """Answer `status` (e.g. 404, 429, 500, 503) with an optional Retry-After."""
        behaviour = self._behaviour(path)
        behaviour.status = status
        behaviour.retry_after = None if retry_after is None else str(retry_after)

    def delay(self, path: str, seconds: float) -> None:
        """Wait `seconds` before answering."""
        self._behaviour(path).delay = seconds

    def oversize(self, path: str, size: int) -> None:
        """Stream `size` bytes of XML-looking filler, chunked, with no Content-Length."""
        self._behaviour(path).oversized = size

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        """Redirect to `location` (absolute, or a path on this server)."""
        behaviour = self._behaviour(path)
        behaviour.redirect_to = location
        behaviour.redirect_status = status

    def garbage(self, path: str, size: int = 4096) -> None:
        """Answer with `size` bytes of binary noise labelled as a feed."""
        self._behaviour(path).garbage = size

    def gzip_bomb(self, path: str, size: int) -> None:
        """Stream a gzip body that inflates to `size` bytes from about size/1000 on the wire.

        It is labelled `Content-Encoding: gzip` whatever the client asked for, sent in 64 KB
        writes (each inflates to about 64 MB) and built as it goes, so a client that stops
        at its cap costs the server little.
        """
        _bomb_segment()  # built now, so a test measuring its client's memory does not count it
        self._behaviour(path).gzip_bomb = size

    def drip(self, path: str, every: float, total: float) -> None:
        """Send a space every `every` seconds for `total` seconds, then the path's body, if any."""
        self._behaviour(path).drip = (every, total)

    def clear(self, path: str) -> None:
        """Remove every behaviour of a path: it is served normally again."""
        self._behaviours.pop(_normal(path), None)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        """The recorded requests for one path."""
        return [r for r in self.requests if r.path == _normal(path)]

    def _behaviour(self, path: str) -> _Behaviour:
        return self._behaviours.setdefault(_normal(path), _Behaviour())

    # --- serving -----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        behaviour = self._behaviours.get(path, _Behaviour())
        if behaviour.delay:
            await asyncio.sleep(behaviour.delay)
        response = await self._respond(request, path, behaviour)
        self.requests.append(
            RecordedRequest(request.method, path, dict(request.headers), response.status)
        )
        return response

    async def _respond(
        self, request: web.Request, path: str, behaviour: _Behaviour
    ) -> web.StreamResponse:
        if behaviour.status is not None:
            headers = {"Retry-After": behaviour.retry_after} if behaviour.retry_after else {}
            return web.Response(status=behaviour.status, text="error on purpose", headers=headers)
        if behaviour.redirect_to is not None:
            return web.Response(
                status=behaviour.redirect_status, headers={"Location": behaviour.redirect_to}
            )
        if behaviour.garbage is not None:
            noise = hashlib.shake_256(path.encode()).digest(behaviour.garbage)
            return web.Response(body=noise, content_type="application/rss+xml")
        if behaviour.oversized is not None:
            return await self._stream_filler(request, behaviour.oversized)
        if behaviour.gzip_bomb is not None:
            return await self._stream_gzip_bomb(request, behaviour.gzip_bomb)
        if behaviour.drip is not None:
            return await self._stream_drip(request, path, *behaviour.drip)
        resource = self._resources.get(path)
        if resource is None:
            return web.Response(status=404, text="not found")
        body = resource.body.replace(b"{base_url}", self.base_url.encode())
        headers = dict(resource.headers)
        if resource.etag:
            headers["ETag"] = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if resource.last_modified is not None:
            headers["Last-Modified"] = format_datetime(resource.last_modified, usegmt=True)
        if _not_modified(request, headers.get("ETag"), resource.last_modified):
            return web.Response(status=304, headers=headers)
        if resource.gzip and "gzip" in request.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        headers["Content-Type"] = resource.content_type
        return web.Response(body=body, headers=headers)

    async def _stream_filler(self, request: web.Request, size: int) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = (b"<item><title>filler</title></item>" * (_CHUNK // 34 + 1))[:_CHUNK]
        sent = 0
        try:
            while sent < size:
                piece = chunk[: min(_CHUNK, size - sent)]
                await response.write(piece)
                sent += len(piece)
            await response.write_eof()
        except (ConnectionResetError, ConnectionError):
            pass  # the client stopped reading at its cap, as it should
        return response

    async def _stream_gzip_bomb(self, request: web.Request, size: int) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}
        )
        response.enable_chunked_encoding()
        await response.prepare(request)
        plain, segment = _bomb_segment()
        per_write = max(1, _CHUNK // len(segment))
        whole, tail = divmod(size, _MIB)
        try:
            await response.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff")  # gzip header
            for start in range(0, whole, per_write):
                await response.write(segment * min(per_write, whole - start))
            packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
            await response.write(packer.compress(plain[:tail]) + packer.flush(zlib.Z_FINISH))
            # The checksum only when a client has read it all (a small bomb): it costs a pass
            # over every inflated byte.
            crc = 0
            for _ in range(whole):
                crc = zlib.crc32(plain, crc)
            crc = zlib.crc32(plain[:tail], crc)
            await response.write(crc.to_bytes(4, "little") + (size % 2**32).to_bytes(4, "little"))
            await response.write_eof()
        except (ConnectionResetError, ConnectionError):
            pass  # the client stopped reading at its cap, as it should
        return response

    async def _stream_drip(
        self, request: web.Request, path: str, every: float, total: float
    ) -> web.StreamResponse:
        resource = self._resources.get(path)
        content_type = resource.content_type if resource else "text/html; charset=utf-8"
        response = web.StreamResponse(headers={"Content-Type": content_type})
        response.enable_chunked_encoding()
        await response.prepare(request)
        loop = asyncio.get_running_loop()
        ends = loop.time() + total
        try:
            while loop.time() < ends:
                await response.write(b" ")  # leading white space is harmless in XML and HTML
                await asyncio.sleep(every)
            if resource is not None:
                await response.write(resource.body.replace(b"{base_url}", self.base_url.encode()))
            await response.write_eof()
        except (ConnectionResetError, ConnectionError):
            pass  # the client gave up
        return response


@functools.cache
def _bomb_segment() -> tuple[bytes, bytes]:
    """One mebibyte of spaces and its deflated form (fresh compressor, ended by a full flush).

    The segment refers to nothing before it, so repeating it makes a valid deflate stream.
    """
    plain = b" " * _MIB
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return plain, packer.compress(plain) + packer.flush(zlib.Z_FULL_FLUSH)


def _normal(path: str) -> str:
    return path if path.startswith("/") else f"/{path}"


def _not_modified(request: web.Request, etag: str | None, modified: datetime | None) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag is not None and etag in [t.strip() for t in if_none_match.split(",")]
    if_modified_since = request.headers.get("If-Modified-Since")
    if if_modified_since and modified is not None:
        try:
            return modified <= parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
    return False


_AGO = re.compile(rb"\{ago:(\d+):(rfc822|iso)\}")


def _with_dates(body: bytes, now: datetime) -> bytes:
    """`{ago:MINUTES:FORMAT}` placeholders replaced by the time MINUTES before `now`."""

    def date(match: re.Match[bytes]) -> bytes:
        moment = (now - timedelta(minutes=int(match.group(1)))).replace(microsecond=0)
        if match.group(2) == b"rfc822":
            return format_datetime(moment, usegmt=True).encode()
        return moment.isoformat().replace("+00:00", "Z").encode()

    return _AGO.sub(date, body) if b"{ago:" in body else body
