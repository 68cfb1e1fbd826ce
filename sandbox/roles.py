"""A deployment on one machine: `newsbrief run --role …` processes sharing a PostgreSQL database.

The chaos run (sandbox/chaos.py), the scale-out benchmark and the role tests start the roles as
separate OS processes, kill them with SIGKILL, restart them as a supervisor (systemd, Docker)
would, and find which one holds the tick lock from what each one logs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sandbox.polling import wait_until
from sandbox.processes import CliProcess

TOOK_THE_TICKS = "now runs the ticks"
LOST_THE_TICKS = "lost the tick lock"


@dataclass
class RoleProcess:
    """One role's process, restartable: the running CliProcess and how it was started."""

    name: str  # e.g. "delivery-2"
    role: str
    process: CliProcess
    killed: int = 0  # times this harness killed it
    previous_output: list[str] = field(default_factory=list)  # of processes it replaced

    @property
    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.process.returncode is None

    def leads(self) -> bool:
        """Whether, by its own log, it holds the tick lock now."""
        if not self.alive:
            return False
        log = "".join(self.process.stderr)
        took = log.rfind(TOOK_THE_TICKS)
        return took >= 0 and took > log.rfind(LOST_THE_TICKS)


class Deployment:
    """Role processes of one installation; `async with` stops every one of them at the end."""

    def __init__(
        self,
        env: Mapping[str, str],
        cwd: Path,
        *,
        migrate: bool = False,
        logs: Path | None = None,
    ) -> None:
        self.env = dict(env)
        self.cwd = cwd
        self.migrate = migrate
        self.logs = logs  # a directory: each process's stderr also goes to <name>.log there
        self.processes: list[RoleProcess] = []
        self.stopping = False

    async def __aenter__(self) -> Deployment:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    def _args(self, role: str) -> list[str]:
        return ["run", "--role", role] + ([] if self.migrate else ["--no-migrate"])

    async def start(self, role: str, count: int = 1) -> list[RoleProcess]:
        """Start `count` processes of `role`."""
        started = []
        for _ in range(count):
            name = f"{role}-{len(self.of_role(role)) + 1}"
            process = await CliProcess.start(
                self._args(role), self.env, self.cwd, log=self._log(name)
            )
            started.append(RoleProcess(name, role, process))
            self.processes.append(started[-1])
        return started

    def _log(self, name: str) -> Path | None:
        return self.logs / f"{name}.log" if self.logs is not None else None

    def of_role(self, role: str) -> list[RoleProcess]:
        """The processes of one role."""
        return [p for p in self.processes if p.role == role]

    def leader(self) -> RoleProcess | None:
        """The process that holds the tick lock, by the logs (None while nobody does)."""
        leading = [p for p in self.processes if p.leads()]
        return leading[0] if len(leading) == 1 else None

    async def wait_for_leader(self, within: float = 30.0) -> RoleProcess:
        """The tick lock's holder, once one process took it."""
        await wait_until(lambda: self.leader() is not None, within=within)
        found = self.leader()
        assert found is not None
        return found

    async def kill(self, target: RoleProcess) -> float:
        """SIGKILL (no clean stop: its connections and the tick lock go with it); returns the
        monotonic time of the kill."""
        target.process.kill()
        killed_at = time.monotonic()
        await target.process.wait()
        target.killed += 1
        return killed_at

    async def restart(self, target: RoleProcess) -> None:
        """Start the same role again in its place, as a supervisor would (not once stopping)."""
        if self.stopping:
            return
        target.previous_output.append(target.process.output)
        target.process = await CliProcess.start(
            self._args(target.role), self.env, self.cwd, log=self._log(target.name)
        )

    async def handover(self, previous: RoleProcess, since: float, within: float = 60.0) -> float:
        """Seconds from `since` until another process took the tick lock."""
        async with asyncio.timeout(within):
            while True:
                found = self.leader()
                if found is not None and found is not previous:
                    return time.monotonic() - since
                await asyncio.sleep(0.02)

    def died_by_themselves(self) -> list[str]:
        """Processes that exited without being killed or stopped here, with their last lines."""
        return [
            f"{p.name} exited {p.process.process.returncode}: {p.process.output[-800:]}"
            for p in self.processes
            if not p.alive
        ]

    def output(self) -> str:
        """Every process's output, each under its name (for a failed run's report)."""
        return "\n".join(
            f"===== {p.name}\n" + "".join(p.previous_output) + p.process.output
            for p in self.processes
        )

    async def stop(self) -> None:
        """SIGTERM every process still running and wait for it (SIGKILL after 30 s)."""
        self.stopping = True
        await asyncio.gather(
            *(p.process.stop() for p in self.processes if p.alive), return_exceptions=True
        )
