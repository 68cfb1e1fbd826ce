"""The package rules of the design, read from the source so they stay true.

- summarizer/, storage/ and telemetry/ import nothing of ours but themselves; every package
  may import telemetry/ (metrics, the ops server, log lines);
- collector/ never imports bot/, and bot/ never imports collector/ (it is handed Protocols);
- no production package imports cli/ (the wiring) or sandbox/ (the stand-ins);
- each concept has one home: words, stems and stop words; the evaluation data's location;
  "host without www."; the dialect-specific INSERT; the Telegram-HTML parser; button rows;
  the Prometheus metrics;
- handlers decide inside a transaction and talk to Telegram after it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "cli", "collector", "sandbox", "storage", "summarizer", "telemetry")
PRODUCTION = ("bot", "collector", "storage", "summarizer", "telemetry")
ALLOWED = {
    "summarizer": {"summarizer", "telemetry"},
    "storage": {"storage", "telemetry"},
    "telemetry": {"telemetry"},
    "collector": {"collector", "storage", "summarizer", "telemetry"},
    "bot": {"bot", "storage", "summarizer", "telemetry"},
    "sandbox": {"sandbox", "collector", "storage", "summarizer", "telemetry"},
    "cli": set(PACKAGES),
}


def _sources(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def _imported_packages(path: Path) -> set[str]:
    """Top-level packages of ours that a module imports (at any depth, lazily or not)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(n.split(".", 1)[0] for n in names if n.split(".", 1)[0] in PACKAGES)
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_what_the_design_allows(package: str) -> None:
    wrong = {
        str(path.relative_to(ROOT)): sorted(_imported_packages(path) - ALLOWED[package])
        for path in _sources(package)
    }
    assert {path: found for path, found in wrong.items() if found} == {}


def _files_matching(pattern: str) -> list[str]:
    regex = re.compile(pattern, re.MULTILINE)
    return sorted(
        str(path.relative_to(ROOT))
        for path in _sources(*PACKAGES)
        if regex.search(path.read_text(encoding="utf-8"))
    )


@pytest.mark.parametrize(
    ("concept", "pattern", "home"),
    [
        ("the word pattern", r"""re\.compile\(r["']\[\^\\W_\]\+""", ["summarizer/words.py"]),
        ("a stemmer", r"Stemmer\(|SnowballStemmer|PorterStemmer", ["summarizer/words.py"]),
        ("stop word lists", r"get_stop_words", ["summarizer/words.py"]),
        (
            "the evaluation data's location",
            r"NEWSBRIEF_EVAL_DATA\"\)|\"shared\" / \"data\"",
            ["summarizer/evaluation.py"],
        ),
        ("host without www.", r"removeprefix\(\"www\.\"\)|\"www\.\"", ["storage/sources.py"]),
        (
            "the dialect-specific INSERT",
            r"(postgresql|sqlite)\.insert\b",
            ["storage/db.py"],
        ),
        ("a Telegram-HTML parser", r"\(HTMLParser\)", ["sandbox/telegram_html.py"]),
        ("button rows", r"^BUTTONS_PER_ROW\s*=", ["bot/formatting.py"]),
        (
            "redundancy-aware selection",
            r"def (select_sentences|_select)\b",
            ["summarizer/selection.py"],
        ),
        (
            "the pooled story summary",
            r"def (pooled_summary|story_sentences)\b",
            ["summarizer/multidoc.py"],
        ),
        (
            "a Prometheus metric",
            r"\b(Counter|Gauge|Histogram|Info|Summary)\(\s*\"newsbrief_",
            ["telemetry/metrics.py"],
        ),
    ],
)
def test_each_concept_has_one_home(concept: str, pattern: str, home: list[str]) -> None:
    assert _files_matching(pattern) == home, concept


_TELEGRAM_CALLS = {
    "reply",
    "answer",
    "send_message",
    "send_action",
    "edit_message_text",
    "edit_message_reply_markup",
    "reply_text",
}


def _telegram_calls_in_transactions(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.AsyncWith):
            continue
        in_session = any(
            isinstance(item.context_expr, ast.Call)
            and isinstance(item.context_expr.func, ast.Attribute)
            and item.context_expr.func.attr == "session"
            for item in node.items
        )
        if not in_session:
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call):
                function = inner.func
                name = function.attr if isinstance(function, ast.Attribute) else None
                name = name or getattr(function, "id", None)
                if name in _TELEGRAM_CALLS:
                    found.append(f"{path.relative_to(ROOT)}:{inner.lineno} {name}")
    return found


def test_handlers_reply_to_telegram_only_after_their_transaction() -> None:
    offending = [hit for path in _sources("bot") for hit in _telegram_calls_in_transactions(path)]
    assert offending == []
