"""`newsbrief demo --language de`: the demo's people speak German, and so does the bot."""

from __future__ import annotations

import pytest

from cli import main


def test_the_demo_in_german(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--language", "de", "--color", "never"]) == 0
    out = capsys.readouterr().out
    talk, briefing = out.split("exactly as the subscriber receives it:", 1)
    assert "👋 Willkommen bei newsbrief!" in talk
    assert "✅ Du folgst" in talk
    briefing, channel = briefing.split("An editor adds the channel", 1)
    assert "📰 Dein Briefing · Montag" in briefing or "📰 Dein Briefing · " in briefing
    assert "Quellen" in briefing and "Mehr #1" in briefing
    assert "Your briefing" not in briefing
    assert "📢 Northbridge News ist hinzugefügt." in channel
    assert "Nachrichten-Briefing · " in channel.split("What the channel's readers see", 1)[1]
