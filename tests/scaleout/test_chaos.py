"""The chaos run, small: one updates process, two collectors and three delivery workers on one
PostgreSQL database, killed, cut off and flooded while briefings fall due (sandbox/chaos.py;
`benchmarks/chaos.py` runs the 5,000-subscriber version)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.chaos import ChaosPlan, ChaosRun

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


async def test_every_due_briefing_arrives_once_through_kills_cuts_and_floods(
    tmp_path: Path, pg_url: str
) -> None:
    plan = ChaosPlan(
        subscribers=600,
        waves=2,
        feeds_per_topic=2,
        fault_every=4.0,
        asks=15,
        seed=13,
        rate=25.0,  # under the default 28: other tests load the machine (benchmarks/chaos.py: 28)
    )
    lines: list[str] = []
    result = await ChaosRun(plan, pg_url, tmp_path, report=lines.append).run()
    report = result.summary() + "\n" + "\n".join(lines)
    assert result.failures() == [], report
    # The run really was broken, and the leader among the casualties.
    assert result.injected["kill"] >= 2 and result.injected["cut"] >= 1, report
    assert result.injected["429"] + result.injected["5xx"] >= 1, report
    assert result.deliveries["sent"] >= 600, report  # every subscriber got news
    assert result.busy_seconds >= 10, report  # the rate criterion was really measured
