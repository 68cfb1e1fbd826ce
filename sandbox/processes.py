"""`newsbrief` in a child process, as an operator runs it: its output read while it runs.

Tests, benchmarks and the chaos run start real `newsbrief run --role …` processes with this, and
kill, stop and restart them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
_MAIN = "import sys; from cli import main; sys.exit(main())"


def cli_environment(cwd: Path, **variables: str) -> dict[str, str]:
    """The environment without any NEWSBRIEF_* from outside, plus `variables`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBRIEF_")}
    env["PYTHONPATH"] = str(REPOSITORY)
    env.update(variables)
    return env


@dataclass
class CliProcess:
    """A running `newsbrief …`: stdout and stderr collected as they come."""

    process: asyncio.subprocess.Process
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    _readers: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    async def start(
        cls, args: list[str], env: Mapping[str, str], cwd: Path, *, log: Path | None = None
    ) -> CliProcess:
        """Start `newsbrief *args` with exactly `env` (its stderr also appended to `log`)."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _MAIN,
            *args,
            env=dict(env),
            cwd=cwd,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            # Its own process group, so that kill() takes its worker processes too, as a
            # container's or a systemd unit's kill does.
            start_new_session=True,
        )
        running = cls(process)
        assert process.stdout is not None and process.stderr is not None
        running._readers = [
            asyncio.create_task(_collect(process.stdout, running.stdout)),
            asyncio.create_task(_collect(process.stderr, running.stderr, log)),
        ]
        return running

    @property
    def output(self) -> str:
        """Everything written so far, stdout then stderr."""
        return "".join(self.stdout) + "".join(self.stderr)

    async def wait_for_stderr(self, text: str, count: int = 1, within: float = 20.0) -> None:
        """Wait until `text` occurs `count` times in stderr."""
        async with asyncio.timeout(within):
            while "".join(self.stderr).count(text) < count:
                if self.process.returncode is not None:
                    raise AssertionError(f"newsbrief exited early:\n{self.output}")
                await asyncio.sleep(0.05)

    async def wait(self, within: float = 60.0) -> int:
        """The exit code, once the process ended and its output was read."""
        async with asyncio.timeout(within):
            code = await self.process.wait()
            await asyncio.gather(*self._readers)
        return code

    def kill(self) -> None:
        """SIGKILL to the process and its children (its worker pool): no clean stop."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)

    async def stop(self, within: float = 30.0) -> int:
        """SIGTERM (a clean stop) and the exit code."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return await self.wait(within)
        except TimeoutError:
            self.kill()
            await self.process.wait()
            raise


async def _collect(stream: asyncio.StreamReader, into: list[str], log: Path | None = None) -> None:
    while line := await stream.readline():
        into.append(line.decode("utf-8", "replace"))
        if log is not None:
            _append(log, into[-1])


def _append(log: Path, text: str) -> None:
    with log.open("a", encoding="utf-8") as copy:
        copy.write(text)


async def run_cli(
    args: list[str], env: Mapping[str, str], cwd: Path, within: float = 60.0
) -> CliProcess:
    """Run `newsbrief *args` to the end."""
    running = await CliProcess.start(args, env, cwd)
    await running.wait(within)
    return running
