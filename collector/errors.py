"""Errors the collector reports to people: every message is readable as it stands."""

from __future__ import annotations


class FetchError(Exception):
    """A feed or page could not be fetched; `str(error)` says why in plain words."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status when the server answered with an error
        self.retry_after = retry_after  # seconds the server asked us to wait, if it did


class BlockedURLError(FetchError):
    """The URL is refused before any connection: a scheme other than http(s) or a private host."""


class FeedParseError(Exception):
    """A fetched body is not a usable feed (not XML/JSON, or no entries in a broken document)."""


class ProcessingError(Exception):
    """Parsing or extraction in a worker process did not finish in time."""
