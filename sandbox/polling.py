"""Waiting for something another process does: ask again every so often, up to a deadline.

A child process's log line, a row another process wrote, a file it created: nothing in this
process can signal those, so the harnesses poll, all through this one helper.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable


async def wait_until(
    condition: Callable[[], bool | Awaitable[bool]], *, every: float = 0.05, within: float = 30.0
) -> None:
    """Return once `condition()` (plain or async) is true; TimeoutError after `within` s."""
    async with asyncio.timeout(within):
        while True:
            answer = condition()
            if inspect.isawaitable(answer):
                answer = await answer
            if answer:
                return
            await asyncio.sleep(every)
