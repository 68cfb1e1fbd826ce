"""`newsbrief demo` (placeholder until its issue lands; replace the whole module)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `demo` subcommand."""
    parser = subparsers.add_parser("demo", help="(not yet available)")
    parser.set_defaults(handler=lambda _args: print("not yet available") or 1)
