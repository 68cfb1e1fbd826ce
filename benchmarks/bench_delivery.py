"""Delivery benchmark: fan-out of one briefing slot through the real bot to a fake Telegram.

Three runs, each with the fake Bot API server in its own process (so it does not share the
bot's event loop) and the bot in another (so its CPU time and peak memory are its own):

1. lifted: 10,000 subscribers, no rate limiter -> messages/s and CPU ms per message;
2. limited: 10,000 subscribers, the bot's rate limiter on, the server enforcing Telegram's
   limits (30/s overall, 1/s per chat) for --limited-seconds -> sustained rate and 429s;
3. memory: 100,000 subscribers in the database, the whole slot delivered -> peak RSS.

Usage: python benchmarks/bench_delivery.py [--only lifted|limited|memory] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from bisect import bisect_left
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
CHILD = [sys.executable, str(REPO / "benchmarks" / "delivery_child.py")]
TOKEN = "123456:BENCH-TOKEN"


def run_child(*args: str, timeout: float = 3600) -> dict[str, Any]:
    """Run delivery_child.py with `args`; its last stdout line is JSON."""
    done = subprocess.run(
        [*CHILD, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class FakeServerProcess:
    """`python -m sandbox.fake_bot_api` in a subprocess; base_url read from its first line."""

    def __init__(self, *, enforce_limits: bool) -> None:
        command = [sys.executable, "-m", "sandbox.fake_bot_api", "--token", TOKEN, "--count-only"]
        if enforce_limits:
            command.append("--enforce-limits")
        self.process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()

    def stats(self, *, times: bool = False) -> dict[str, Any]:
        """What the server saw (with the arrival time of every message if `times`)."""
        query = "?times=1" if times else ""
        return httpx.get(f"{self.base_url}/_fake/stats{query}", timeout=30).json()

    def cpu_seconds(self) -> float:
        """CPU time the server process has used (user + system)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> FakeServerProcess:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def max_in_window(times: list[float], window: float) -> int:
    """The most messages that arrived within any `window` seconds."""
    best = 0
    for index, end in enumerate(times):
        best = max(best, index - bisect_left(times, end - window) + 1)
    return best


def lifted(workdir: Path, subscribers: int, backend: str = "aiohttp") -> dict[str, Any]:
    """Fan-out with the rate limiter off: how fast can the bot itself go?"""
    url = f"sqlite:///{workdir / f'lifted-{backend}.db'}"
    run_child("seed", url, str(subscribers))
    with FakeServerProcess(enforce_limits=False) as server:
        result = run_child(
            "fanout", url, server.base_url, TOKEN, "--rate", "0", "--backend", backend
        )
        result["server_received"] = server.stats()["messages"]
        result["server_cpu_ms_per_message"] = round(
            1000 * server.cpu_seconds() / max(result["messages"], 1), 3
        )
    return result


def limited(workdir: Path, subscribers: int, seconds: float) -> dict[str, Any]:
    """Fan-out with the limiter on against a server that answers 429 beyond Telegram's limits."""
    url = f"sqlite:///{workdir / 'limited.db'}"
    run_child("seed", url, str(subscribers))
    with FakeServerProcess(enforce_limits=True) as server:
        result = run_child(
            "fanout", url, server.base_url, TOKEN, "--rate", "29", "--seconds", str(seconds)
        )
        stats = server.stats(times=True)
    times = stats["sent_times"]
    steady = [t for t in times if t - times[0] >= 2.0]  # past the first two seconds
    result.update(
        server_received=stats["messages"],
        server_429=stats["status_counts"].get("429", 0),
        sustained_per_second=round((len(steady) - 1) / (steady[-1] - steady[0]), 2),
        overall_per_second=round((len(times) - 1) / (times[-1] - times[0]), 2),
        max_in_any_second=max_in_window(times, 1.0),
    )
    return result


def memory(workdir: Path, subscribers: int) -> dict[str, Any]:
    """Peak RSS of the bot process delivering a slot to every subscriber of a large database."""
    url = f"sqlite:///{workdir / 'memory.db'}"
    run_child("seed", url, str(subscribers))
    with FakeServerProcess(enforce_limits=False) as server:
        result = run_child("fanout", url, server.base_url, TOKEN, "--rate", "0")
        result["server_received"] = server.stats()["messages"]
    return result


def main() -> None:
    """Run the chosen parts and print their figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["lifted", "limited", "memory"])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--limited-seconds", type=float, default=60)
    parser.add_argument("--memory-subscribers", type=int, default=100_000)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-delivery-") as tmp:
        workdir = Path(tmp)

        def note_load(name: str) -> None:
            # Other work on the machine takes CPU from both processes: say how busy it was.
            results[name]["load_average_1min_after"] = round(os.getloadavg()[0], 2)

        if args.only in (None, "lifted"):
            results["lifted"] = lifted(workdir, args.subscribers)
            note_load("lifted")
            print("lifted:", json.dumps(results["lifted"]), flush=True)
            # Baseline in the same run: PTB's stock httpx backend.
            results["lifted_httpx"] = lifted(workdir, args.subscribers, backend="httpx")
            note_load("lifted_httpx")
            print("lifted_httpx:", json.dumps(results["lifted_httpx"]), flush=True)
        if args.only in (None, "limited"):
            results["limited"] = limited(workdir, args.subscribers, args.limited_seconds)
            note_load("limited")
            print("limited:", json.dumps(results["limited"]), flush=True)
        if args.only in (None, "memory"):
            results["memory"] = memory(workdir, args.memory_subscribers)
            note_load("memory")
            print("memory:", json.dumps(results["memory"]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
