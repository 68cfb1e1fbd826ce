"""Every setting an operator can change, and every command, is documented."""

from __future__ import annotations

import re
from pathlib import Path

from bot.handlers import ADMIN_HANDLERS, SUBSCRIBER_HANDLERS
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "configuration.md"


def test_every_setting_is_in_the_configuration_doc() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [n for n in Settings.model_fields if f"`NEWSBRIEF_{n.upper()}`" not in text]
    assert missing == [], f"document these in docs/configuration.md: {missing}"


def test_readme_and_the_bot_guide_name_every_command() -> None:
    """Every command the bot answers is documented in the README and docs/bot.md."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = (ROOT / "docs" / "bot.md").read_text(encoding="utf-8")
    for name in [*SUBSCRIBER_HANDLERS, *ADMIN_HANDLERS]:
        assert re.search(rf"/{name}\b", readme), f"/{name} is not in README.md"
        assert re.search(rf"/{name}\b", guide), f"/{name} is not in docs/bot.md"
