"""Worker processes for the CPU half of collecting: parsing, extraction, summaries, hashing."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from collector.errors import ProcessingError
from collector.processing import warm_up

log = logging.getLogger(__name__)
T = TypeVar("T")

# Milliseconds of CPU per job, seconds when queued behind a burst; a job still unfinished after
# this is stuck (a pathological page) and must not hold a pass for ever.
JOB_TIMEOUT_SECONDS = 300.0


def make_process_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """Worker processes (forkserver: safe beside an event loop), one per CPU by default."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["collector.processing"])
    # No max_tasks_per_child: on Python 3.11 replacing a retired worker can hang the pool.
    return ProcessPoolExecutor(
        max_workers=workers or os.cpu_count() or 2, mp_context=context, initializer=warm_up
    )


class WorkerPool:
    """Runs functions in worker processes with a deadline; replaces a pool a dead worker broke."""

    def __init__(self, executor: Executor | None = None) -> None:
        self._owned = executor is None
        self._executor: Executor = executor or make_process_pool()

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker process; ProcessingError if it does not finish in time."""
        loop = asyncio.get_running_loop()
        try:
            return await self._run(loop, function, args)
        except BrokenProcessPool:
            if not self._owned:
                raise
            log.error("a worker process died; starting a new pool")
            broken, self._executor = self._executor, make_process_pool()
            broken.shutdown(wait=False, cancel_futures=True)
            return await self._run(loop, function, args)

    async def _run(
        self, loop: asyncio.AbstractEventLoop, function: Callable[..., T], args: tuple[Any, ...]
    ) -> T:
        try:
            return await asyncio.wait_for(
                loop.run_in_executor(self._executor, function, *args), JOB_TIMEOUT_SECONDS
            )
        except TimeoutError:
            name = getattr(function, "__name__", "a job")
            raise ProcessingError(
                f"{name} took longer than {JOB_TIMEOUT_SECONDS:g}s in a worker process"
            ) from None

    async def close(self) -> None:
        """Stop the workers if this pool started them (a pool passed in belongs to the caller)."""
        if self._owned:
            await asyncio.to_thread(self._executor.shutdown, wait=True, cancel_futures=True)
