"""A real HTTP server on 127.0.0.1 serving feeds and pages, for tests, benchmarks and the demo."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import mimetypes
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
    headers: dict[str, str] = field(default_factory=dict)


class LocalFeedServer:
    """Serves registered bodies over real HTTP on 127.0.0.1 (an OS-chosen port).

    Bodies may contain the placeholder ``{base_url}``; it is replaced by this server's base URL
    when served, so fixture feeds can link to pages on the same server. Each body gets an ETag
    (a hash of the served bytes) and a Last-Modified (the time it was added) unless turned off,
    and a matching If-None-Match / If-Modified-Since gets 304 with no body.

    Behaviours can be switched on per path (and off with ``clear``): an error status with an
    optional Retry-After, a delay before answering (slow or timing out), an oversized streamed
    body, a redirect, or garbage bytes. Every answered request is appended to ``requests``.
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
