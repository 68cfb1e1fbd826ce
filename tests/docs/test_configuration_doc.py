"""Every setting an operator can change is documented."""

from __future__ import annotations

from pathlib import Path

from bot.settings import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_setting_is_in_the_configuration_doc() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [n for n in Settings.model_fields if f"`NEWSBRIEF_{n.upper()}`" not in text]
    assert missing == [], f"document these in docs/configuration.md: {missing}"
