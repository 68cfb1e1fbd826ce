"""The ops server: /healthz, /readyz and /metrics over HTTP (aiohttp), one per process.

    async with OpsServer(host, port, role="collector", ready=ready, on_scrape=refresh):
        ...  # the role runs

- `/healthz`: liveness, 200 "ok" as long as the process (its event loop) answers;
- `/readyz`: 200 "ready" when `ready()` returns None, else 503 with the one-line reason it
  returned (also when it raises or takes longer than `ready_timeout`);
- `/metrics`: the registry in the Prometheus text format (OpenMetrics when the scraper asks for
  it), rendered by prometheus-client after `on_scrape()` refreshed the figures that are read
  from elsewhere (the delivery queue's lag). A failing `on_scrape` leaves those figures as they
  were: the scrape still answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from types import TracebackType

from aiohttp import web
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder

from telemetry import metrics

log = logging.getLogger(__name__)

ReadyCheck = Callable[[], Awaitable[str | None]]
ScrapeHook = Callable[[], Awaitable[None]]


def one_line(text: str, limit: int = 300) -> str:
    """`text` on one line, whitespace collapsed, cut to `limit` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class OpsServer:
    """Health and metrics endpoints for one process, as an async context manager.

    `port=0` takes a free port (tests); `port` then says which one was taken.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        role: str,
        ready: ReadyCheck,
        on_scrape: ScrapeHook | None = None,
        registry: CollectorRegistry = metrics.REGISTRY,
        ready_timeout: float = 5.0,
        scrape_timeout: float = 5.0,
    ) -> None:
        self.host = host
        self.port = port
        self.role = role
        self._ready = ready
        self._on_scrape = on_scrape
        self._registry = registry
        self._ready_timeout = ready_timeout
        self._scrape_timeout = scrape_timeout
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The server's base URL (after it started)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    async def __aenter__(self) -> OpsServer:
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
        """Listen on host:port (OSError if the port is taken)."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        # No access log: a scrape every 15 s per process would drown the real log lines.
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        if self.port == 0:  # the port the system chose
            self.port = int(runner.addresses[0][1])
        metrics.name_role(self.role)
        log.info("health and metrics on %s:%d (role %s)", self.host, self.port, self.role)

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def _readyz(self, _request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(self._ready_timeout):
                reason = await self._ready()
        except TimeoutError:
            reason = f"the readiness check took longer than {self._ready_timeout:g} s"
        except Exception as exc:
            reason = f"the readiness check failed: {type(exc).__name__}: {exc}"
        if reason is None:
            return web.Response(text="ready\n")
        return web.Response(status=503, text=f"not ready: {one_line(reason)}\n")

    async def _metrics(self, request: web.Request) -> web.Response:
        if self._on_scrape is not None:
            try:
                async with asyncio.timeout(self._scrape_timeout):
                    await self._on_scrape()
            except Exception as exc:  # the other figures are still worth scraping
                log.debug("refreshing metrics before a scrape failed: %s", one_line(str(exc)))
        encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
        body = encoder(self._registry)
        response = web.Response(body=body)
        response.headers["Content-Type"] = content_type
        return response
