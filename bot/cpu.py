"""CPU work off the event loop: handlers hand summaries and answers to a runner.

A follow-up answer or a "More" view pools a story's articles through the summarizer (tens of
milliseconds of CPU); on the event loop that would stall every other chat's reply and the
delivery worker. `cli` hands the bot the collector's process pool; tests and tools that build
the bot without one get a thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class CpuRunner(Protocol):
    """Runs a picklable top-level function with its arguments somewhere off the event loop."""

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)`, awaited."""
        ...


class ThreadRunner:
    """Runs functions in the default thread pool (the fallback when no process pool is given)."""

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker thread."""
        return await asyncio.to_thread(function, *args)
