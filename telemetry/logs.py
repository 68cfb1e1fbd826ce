"""Structured logs: one JSON object per line, with the process's role and pid in each.

`JsonFormatter` renders a record as {"time", "level", "logger", "message", "role", "pid"} plus
"exception" (the formatted traceback) and "stack" when the record carries them. It takes the
redaction function it must apply (every text field is passed through it before encoding, so a
secret is masked whatever characters JSON would escape in it): telemetry imports nothing of ours,
and the one home of what counts as a secret stays `bot/redaction.py`. `RoleFilter` puts the
role set with `set_role` on every record it sees, for both log formats.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

_lock = threading.Lock()
_role = "newsbrief"


def set_role(role: str) -> None:
    """Name the role of this process in every log line from now on (e.g. "collector")."""
    global _role
    with _lock:
        _role = role


def current_role() -> str:
    """The role log lines name."""
    return _role


class RoleFilter(logging.Filter):
    """Adds `record.role` (the current role); lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Tag the record with the role."""
        record.role = _role
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line, every text field passed through `redact`."""

    def __init__(self, *, redact: Callable[[str], str]) -> None:
        super().__init__()
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        """The record as a line of JSON."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self._redact(record.getMessage()),
            "role": getattr(record, "role", _role),
            "pid": record.process,
        }
        if record.exc_info and not record.exc_text:
            # Cached on the record as the base class does, so other handlers reuse it.
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = self._redact(record.exc_text)
        if record.stack_info:
            entry["stack"] = self._redact(self.formatStack(record.stack_info))
        line = json.dumps(entry, ensure_ascii=False, default=str)
        # JSON allows these two raw inside strings; some line readers split on them.
        return line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
