"""The chaos run of issue 13 at full size (sandbox/chaos.py): 5,000 subscribers, one updates
process, two collectors and three delivery workers on one PostgreSQL database, killed, cut off
and flooded at random moments while briefings fall due and feeds change.

    .venv/bin/python benchmarks/chaos.py --database-url postgresql://postgres@127.0.0.1/test
    .venv/bin/python benchmarks/chaos.py --subscribers 600 --waves 2 --seed 7   # a quick one

It makes a database of its own next to the one named (dropped afterwards unless
--keep-database), prints what it did and the figures, and exits 1 if any pass criterion broke.
NEWSBRIEF_TEST_DATABASE_URL is the default server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sandbox.chaos import ChaosPlan, ChaosRun
from storage.db import sync_url
from storage.migrate import upgrade


@contextmanager
def scratch_database(server_url: str, keep: bool = False) -> Iterator[str]:
    """A new, migrated database on the server of `server_url`, dropped at the end (unless
    `keep`: then its URL is printed, to examine what the run left)."""
    name = f"newsbrief_chaos_{uuid.uuid4().hex[:10]}"
    admin = create_engine(sync_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        if keep:
            print(f"kept the run's database: {make_url(url).render_as_string()}", flush=True)
        else:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    """Run once; print the figures; 1 if a pass criterion broke."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("NEWSBRIEF_TEST_DATABASE_URL", ""))
    defaults = ChaosPlan()
    parser.add_argument("--subscribers", type=int, default=defaults.subscribers)
    parser.add_argument("--waves", type=int, default=defaults.waves)
    parser.add_argument("--collectors", type=int, default=defaults.collectors)
    parser.add_argument("--deliveries", type=int, default=defaults.deliveries)
    parser.add_argument("--fault-every", type=float, default=defaults.fault_every)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--logs", type=Path, help="a directory for each process's log")
    parser.add_argument(
        "--keep-database", action="store_true", help="do not drop the run's database"
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        parser.error("needs a PostgreSQL server: --database-url or NEWSBRIEF_TEST_DATABASE_URL")
    plan = ChaosPlan(
        subscribers=args.subscribers,
        waves=args.waves,
        collectors=args.collectors,
        deliveries=args.deliveries,
        fault_every=args.fault_every,
        seed=args.seed,
    )
    started = time.monotonic()
    # SIGTERM stops the run as Ctrl-C does: its processes are stopped and its database dropped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    def report(line: str) -> None:
        print(f"[{time.monotonic() - started:6.1f} s] {line}", flush=True)

    with (
        scratch_database(args.database_url, keep=args.keep_database) as url,
        tempfile.TemporaryDirectory() as work,
    ):
        if args.logs:
            args.logs.mkdir(parents=True, exist_ok=True)
        chaos = ChaosRun(plan, url, Path(work), report=report, logs=args.logs)
        result = asyncio.run(chaos.run())
    print(result.summary())
    broken = result.failures()
    print("PASS" if not broken else "FAIL: " + "; ".join(broken))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
