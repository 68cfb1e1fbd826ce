"""What the bot needs of a collector, as Protocols: the bot never imports collector/.

`cli` hands the bot a running collector (the collect tick) and a feed checker (/addfeed);
collector.service.Collector satisfies both. Kept this small on purpose: the bot is the Telegram
edge and only reports what collecting did.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class FeedCheck(Protocol):
    """The outcome of checking one feed, as /addfeed reports it."""

    @property
    def url(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def status(self) -> str: ...  # "ok", "not_modified", "error" or "paused"
    @property
    def new(self) -> int: ...
    @property
    def unchanged(self) -> int: ...  # items already stored (from other feeds, on a first check)
    @property
    def left(self) -> int: ...  # items left for the next pass at the check's deadline
    @property
    def discovered_from(self) -> str | None: ...  # the page the feed was found on, if any
    @property
    def error(self) -> str | None: ...
    @property
    def seconds(self) -> float: ...


class FeedChecker(Protocol):
    """Checks one feed now (an admin just added it)."""

    async def check_feed(self, url: str) -> FeedCheck:
        """Fetch and store the feed once; every failure comes back as an error status."""
        ...


class CollectPass(Protocol):
    """What the collect tick reports: feeds just paused, for the admins to hear about once."""

    @property
    def newly_paused(self) -> Sequence[str]: ...


class Collecting(Protocol):
    """A running collector the collect tick drives."""

    async def collect_due(self) -> CollectPass:
        """Check every feed that is due now."""
        ...


class CollectorLike(Collecting, FeedChecker, Protocol):
    """A running collector that also checks single feeds (what `cli` usually hands over)."""
