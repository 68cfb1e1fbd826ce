"""The catalogues: complete, current with the code, and safe to put into a Telegram message.

A msgid missing from a language, a fuzzy entry, a lost `{placeholder}` (a KeyError at the
moment the text is said), a changed command name, or an HTML tag a translation dropped (400
"can't parse entities" from Telegram) would each reach a user; these tests find them first.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.i18n import DOMAIN, LANGUAGE_NAMES, LOCALES_DIR, available_languages

ROOT = Path(__file__).resolve().parents[2]
POT = LOCALES_DIR / f"{DOMAIN}.pot"
SHIPPED = [code for code in LANGUAGE_NAMES if code != "en"]
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
TAG = re.compile(r"</?[a-z]+[^>]*>")
ENTITY = re.compile(r"&(?:lt|gt|amp|quot);")
COMMAND = re.compile(r"(?<![\w/])/[a-z]+\b")


def _read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=language)


def _ids(catalog: Catalog) -> set[object]:
    return {message.id for message in catalog if message.id}


def _forms(value: object) -> list[str]:
    return list(value) if isinstance(value, tuple | list) else [str(value)]


def test_every_language_offered_ships_a_catalogue() -> None:
    assert available_languages() == tuple(LANGUAGE_NAMES)
    for language in SHIPPED:
        assert (LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").is_file(), language


def test_the_template_holds_every_text_of_the_code() -> None:
    """A string wrapped in _() but not extracted (or removed from the code but still in the
    catalogues) means the .pot and .po files were not updated: see docs/bot.md, Languages."""
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = {
        message[2]
        for message in extract_from_dir(
            ROOT / "bot", method_map=[("**.py", "python")], keywords=keywords
        )
    }
    template = _ids(_read(POT))
    assert found - template == set(), "run pybabel extract (docs/bot.md, Languages)"
    assert template - found == set(), "run pybabel extract (docs/bot.md, Languages)"


def test_no_text_hides_from_extraction() -> None:
    """pybabel does not look inside f-strings, nor at a variable as a msgid: every `_()`,
    `N_()` and `ngettext()` with literal text must be one the template has."""
    template = _ids(_read(POT))
    hidden = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            literal = [a.value for a in node.args[:2] if isinstance(a, ast.Constant)]
            if node.func.id in ("_", "N_") and literal:
                key: object = literal[0]
            elif node.func.id == "ngettext" and len(literal) == 2:
                key = tuple(literal)
            else:
                continue
            if key not in template:
                hidden.append(f"{path.relative_to(ROOT)}:{node.lineno}: {key!r}")
    assert hidden == []


@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_is_translated(language: str) -> None:
    catalog = _read(LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po", language)
    template = _read(POT)
    plurals = get_plural(language).num_plurals
    problems = [f"the catalogue is fuzzy (pybabel compile skips it): {language}"] * catalog.fuzzy
    if catalog.num_plurals != plurals:
        problems.append(f"Plural-Forms header: {catalog.num_plurals}, {plurals} wanted")
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        if found is None:
            problems.append(f"missing: {message.id!r}")
            continue
        if found.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        forms = _forms(found.string)
        if isinstance(message.id, tuple) and len(forms) != plurals:
            problems.append(f"{len(forms)} plural forms, {plurals} wanted: {message.id!r}")
        if not all(form.strip() for form in forms):
            problems.append(f"untranslated: {message.id!r}")
    assert problems == []


@pytest.mark.parametrize("language", SHIPPED)
def test_translations_keep_placeholders_markup_and_commands(language: str) -> None:
    catalog = _read(LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po", language)
    problems = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        sources = _forms(message.id)
        wanted = set(PLACEHOLDER.findall(sources[-1]))
        for form in _forms(message.string):
            names = set(PLACEHOLDER.findall(form))
            # A plural form for exactly one number ("one", Arabic "two") may spell it out.
            missing = wanted - names - ({"count"} if len(sources) > 1 else set())
            if missing or names - wanted:
                problems.append(f"placeholders {names} != {wanted}: {form!r}")
            if Counter(TAG.findall(form)) != Counter(TAG.findall(sources[0])):
                problems.append(f"tags differ: {form!r}")
            if not _balanced(form):
                problems.append(f"unbalanced tags: {form!r}")
            if Counter(ENTITY.findall(form)) != Counter(ENTITY.findall(sources[0])):
                problems.append(f"entities differ: {form!r}")
            if set(COMMAND.findall(form)) != set(COMMAND.findall(sources[0])):
                problems.append(f"commands differ: {form!r}")
            try:
                form.format(**{name: "x" for name in names})
            except (IndexError, KeyError, ValueError) as exc:
                problems.append(f"not a format string ({exc!r}): {form!r}")
    assert problems == []


@pytest.mark.parametrize("language", SHIPPED)
def test_numbered_buttons_end_with_their_number(language: str) -> None:
    """A reply to a briefing finds its item by the "More #3" button's trailing number."""
    catalog = _read(LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po", language)
    more = catalog.get("More #{number}")
    related = catalog.get("Related #")
    assert more is not None and str(more.string).endswith("#{number}")
    assert related is not None and str(related.string).endswith("#")


def _balanced(text: str) -> bool:
    stack: list[str] = []
    for tag in TAG.findall(text):
        name = re.match(r"</?([a-z]+)", tag).group(1)  # type: ignore[union-attr]
        if tag.startswith("</"):
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack
