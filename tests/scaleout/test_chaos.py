"""The chaos run, small: one updates process, two collectors and three delivery workers on one
PostgreSQL database, killed, cut off and flooded while briefings fall due (sandbox/chaos.py;
`benchmarks/chaos.py` runs the 5,000-subscriber version)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sandbox.chaos import ChaosPlan, ChaosRun
from sandbox.fake_bot_api_support import SentMessage


@pytest.mark.slow
@pytest.mark.postgres
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


def _copy(text: str, at: float) -> SentMessage:
    return SentMessage(1, 7, text, "HTML", None, True, at)


def test_only_a_copy_sent_just_before_its_senders_kill_is_excused(tmp_path: Path) -> None:
    run = ChaosRun(ChaosPlan(), "postgresql+psycopg://nobody@127.0.0.1/none", tmp_path)
    run.result.sender_kills = [100.0]
    just_before = [_copy("briefing", 99.8), _copy("briefing", 130.0)]
    assert run._resent_after_kill(just_before, Counter({"briefing": 1})) == 1
    # A copy sent long before the kill, or after it, is a real duplicate.
    long_before = [_copy("briefing", 90.0), _copy("briefing", 130.0)]
    assert run._resent_after_kill(long_before, Counter({"briefing": 1})) == 0
    after = [_copy("briefing", 100.5), _copy("briefing", 130.0)]
    assert run._resent_after_kill(after, Counter({"briefing": 1})) == 0
    # A message nobody asked for (one copy, none stored) is never excused.
    assert run._resent_after_kill([_copy("hello", 99.9)], Counter({"hello": 1})) == 0
