"""Errors `cli.main` turns into one line and an exit code (kept light: imported at every start)."""

from __future__ import annotations


class StartupError(Exception):
    """Something newsbrief needs at start cannot be reached or refused it; the one-line message
    names the setting to check (`cli.main` prints it and exits 2)."""
