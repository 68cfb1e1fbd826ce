"""No text reaches a user from bot/ without going through the catalogue.

Every string literal (or f-string's literal part) handed to a call that puts text in front of
someone (a reply, a message, a button's label, an alert, an edit, a caption, a message part)
must be wrapped in `_()` / `ngettext()`: words typed into the code would reach a German or an
Arabic reader in English. Markup, emoji, punctuation and numbers may be literal.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Calls whose positional arguments (and these keywords) are read by a person.
SAYING = {
    "reply",
    "send_message",
    "answer",
    "edit_message_text",
    "edit_text",
    "InlineKeyboardButton",
    "_refuse",
    "send_document",
    "MessagePart",
    "FeedError",
    "InputError",
}
READ_KEYWORDS = {"text", "caption"}
WORD = re.compile(r"[^\W\d_]{2,}")
MARKUP = re.compile(r'</?(?:b|i|u|s|a|code|pre|blockquote|tg-spoiler)\b[^>]*>?|href="|">')


def _literal_parts(node: ast.AST) -> Iterator[tuple[int, str]]:
    """The literal text of an argument: strings, f-strings' fixed parts, through + and `x if
    c else y`, but not inside calls (a call returns text made elsewhere: `_()`, `echo()`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.lineno, node.value
    elif isinstance(node, ast.JoinedStr):
        for value in node.values:
            if isinstance(value, ast.Constant):
                yield node.lineno, str(value.value)
            elif isinstance(value, ast.FormattedValue):
                yield from _literal_parts(value.value)
    elif isinstance(node, ast.BinOp):
        yield from _literal_parts(node.left)
        yield from _literal_parts(node.right)
    elif isinstance(node, ast.IfExp):
        yield from _literal_parts(node.body)
        yield from _literal_parts(node.orelse)


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def untranslated() -> list[str]:
    """'file:line: text' for every literal word a person would read, unwrapped."""
    found = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _called(node) not in SAYING:
                continue
            arguments = [*node.args, *(k.value for k in node.keywords if k.arg in READ_KEYWORDS)]
            for argument in arguments:
                for line, text in _literal_parts(argument):
                    if WORD.search(MARKUP.sub("", text)):
                        found.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    return found


def test_every_text_said_to_a_user_is_wrapped_for_translation() -> None:
    assert untranslated() == []


def test_the_scan_finds_an_unwrapped_reply() -> None:
    """The scan itself: a plain English reply, f-string or button label is found."""
    sample = ast.parse(
        'await reply(update, "Hello there")\n'
        'await reply(update, f"Hi {name}, welcome")\n'
        'InlineKeyboardButton("Keep it", callback_data="x:1")\n'
        'await reply(update, _("Hello there"))\n'
        "await reply(update, f\"<b>{title}</b>\\n{_('ok')}\")\n"
    )
    flagged = [
        text
        for node in ast.walk(sample)
        if isinstance(node, ast.Call) and _called(node) in SAYING
        for argument in node.args
        for _line, text in _literal_parts(argument)
        if WORD.search(MARKUP.sub("", text))
    ]
    assert sorted(flagged) == [", welcome", "Hello there", "Hi ", "Keep it"]
