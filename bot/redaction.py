"""Keeping the bot token (and other configured secrets) out of logs, output and stored errors.

The token is part of every Bot API URL (`{api}/bot{token}/{method}`), so any error that names the
URL carries it: aiohttp's redirect and connection errors, a proxy's or a broken server's error
description, PTB's `InvalidToken` message and its debug line "Set Bot API URL". `redact` removes
every secret handed to `remember_secret` and anything shaped like a Telegram bot token, also when
URL-encoded. The CLI's log formatter, `cli.main`'s messages and the delivery worker's stored
errors all go through it.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import quote

# A Telegram bot token: the bot's numeric id, a colon, and a 35-character secret (":" may be
# percent-encoded inside a URL). 30+ characters leaves room for other token lengths.
TOKEN_PATTERN = re.compile(r"(\d{5,})(?::|%3[Aa])[A-Za-z0-9_-]{30,}")
MASK = "***"
# Shorter secrets are not remembered: masking every "abc" in every log line would hide more
# than it protects (a webhook secret may legally be a single character).
MIN_SECRET_LENGTH = 6

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()


def remember_secret(value: str | None) -> None:
    """Mask `value` (and its URL-encoded forms) in everything `redact` sees from now on."""
    global _secrets
    value = (value or "").strip()
    if len(value) < MIN_SECRET_LENGTH:
        return
    forms = {value, quote(value, safe=""), quote(value)}
    with _lock:
        # Longest first, so a secret that contains another is masked whole.
        _secrets = tuple(sorted(set(_secrets) | forms, key=len, reverse=True))


def forget_secrets() -> None:
    """Forget every remembered secret (tests, or a process that switches configuration)."""
    global _secrets
    with _lock:
        _secrets = ()


def redact(text: str) -> str:
    """`text` with remembered secrets and anything shaped like a bot token replaced by ***.

    A token-shaped string keeps its numeric bot id (public: it is the bot's user id), so
    `.../bot123456789:AAH.../sendMessage` becomes `.../bot123456789:***/sendMessage`.
    """
    text = TOKEN_PATTERN.sub(rf"\1:{MASK}", text)
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFormatter(logging.Formatter):
    """A log formatter whose every line (message, arguments, traceback, stack) is redacted."""

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record with secrets masked."""
        # The whole output, not just the message: tracebacks and PTB's exception texts carry
        # the URL too, and `record.exc_text` is rendered by the base class.
        return redact(super().format(record))
