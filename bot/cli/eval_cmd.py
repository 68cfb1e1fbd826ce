"""`newsbrief eval` (placeholder until its issue lands; replace the whole module)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `eval` subcommand."""
    parser = subparsers.add_parser("eval", help="(not yet available)")
    parser.set_defaults(handler=lambda _args: print("not yet available") or 1)
