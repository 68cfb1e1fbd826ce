"""One process per SQLite database: a second one refuses to start instead of sharing it.

SQLite is the embedded default for one process. A second `newsbrief run` on the same file would
take the first one's claimed deliveries for abandoned (a single-process start releases every
claim) and send them again. An exclusive lock on a file beside the database, held for the
process's life and released by the operating system when it dies, makes the second process stop
with a clear message before it touches anything.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

from sqlalchemy.engine import make_url

try:
    import fcntl
except ImportError:  # Windows: no advisory file locks; the docs say one process per file
    fcntl = None  # type: ignore[assignment]


class DatabaseInUseError(RuntimeError):
    """Another process holds this SQLite database; the message says which and what to do."""


class SqliteProcessLock:
    """Held while the process runs; `with SqliteProcessLock(url):` (a no-op for PostgreSQL)."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        self.path: Path | None = None
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            self.path = Path(f"{url.database}.lock")
        self._file: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise DatabaseInUseError naming the process that holds it."""
        if self.path is None or fcntl is None:
            return
        try:
            handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            # No such directory, or not writable: opening the database fails the same way
            # next, and its message names the setting and what to check.
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(handle, 32, 0).decode(errors="replace").strip() or "another"
            os.close(handle)
            raise DatabaseInUseError(
                f"the SQLite database {self.path.with_suffix('')} is in use by process "
                f"{holder}: SQLite serves one newsbrief process; stop the other one, or use "
                "PostgreSQL (NEWSBRIEF_DATABASE_URL=postgresql://…) to run several"
            ) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, str(os.getpid()).encode(), 0)
        self._file = handle

    def release(self) -> None:
        """Let go (the operating system does it too if the process dies)."""
        if self._file is not None and fcntl is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            os.close(self._file)
            self._file = None

    def __enter__(self) -> SqliteProcessLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
