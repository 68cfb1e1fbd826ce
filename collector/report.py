"""What a collection pass reports: one result per feed, and feeds to announce as paused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FeedStatus = Literal["ok", "not_modified", "error", "paused"]


@dataclass(slots=True)
class FeedResult:
    """The outcome of checking one feed."""

    url: str
    title: str | None
    status: FeedStatus
    new: int = 0
    unchanged: int = 0
    error: str | None = None
    seconds: float = 0.0
    warning: str | None = None  # e.g. a malformed feed that still yielded entries
    left: int = 0  # new items not finished by the check's deadline, taken again next pass
    discovered_from: str | None = None  # the page the feed was found on (its first check)


@dataclass(slots=True)
class CollectReport:
    """The outcome of a pass: one result per feed, and feeds newly paused (announce once)."""

    results: list[FeedResult] = field(default_factory=list)
    newly_paused: list[str] = field(default_factory=list)

    @property
    def new(self) -> int:
        """New articles stored in this pass."""
        return sum(r.new for r in self.results)

    @property
    def left(self) -> int:
        """New items left for the next pass because their feed check reached its deadline."""
        return sum(r.left for r in self.results)

    @property
    def errors(self) -> int:
        """Feeds that failed in this pass."""
        return sum(r.status in ("error", "paused") for r in self.results)
