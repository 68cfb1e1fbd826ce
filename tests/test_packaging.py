"""The deployment files agree with the code, checked without Docker or systemd running.

Dockerfile, .dockerignore, compose.yaml, deploy/ (the webhook override, the Caddyfile, the
systemd units and the env examples) and docs/deployment.md name commands, settings, ports and
paths that live in the code. Each of them is read here and checked against the code itself:

- every `newsbrief …` command they run parses with `cli.build_parser()`;
- every `NEWSBRIEF_*` variable they name is a field of `bot.settings.Settings`, and every value
  they set is one the settings accept;
- every health check asks a path the ops server serves (the Dockerfile's: /healthz), on the port
  the process serves it on, and the probes behave (run against a local HTTP server);
- the Dockerfile is well formed, copies files that exist and that .dockerignore lets into the
  build context, builds every package pyproject.toml ships, and the dependencies it installs
  (pyproject.toml's) provide every module the shipped code imports;
- compose.yaml has the database, the one-shot migration, one `updates`, two collectors and two
  delivery workers, each with its health check; secrets come from .env only;
- the systemd units are well formed (and pass `systemd-analyze verify` where it exists), run as
  their own user with hardening, and migrate in one place only.

Compose files are read with PyYAML (a test dependency only: newsbrief itself reads no YAML).
"""

from __future__ import annotations

import ast
import contextlib
import importlib.metadata
import io
import json
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.settings import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = ROOT / "compose.yaml"
WEBHOOK_OVERRIDE = ROOT / "deploy" / "compose.webhook.yaml"
CADDYFILE = ROOT / "deploy" / "caddy" / "Caddyfile"
SYSTEMD = ROOT / "deploy" / "systemd"
DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"
ENV_EXAMPLES = [
    ROOT / "deploy" / "compose.env.example",
    SYSTEMD / "env.example",
    SYSTEMD / "role.env.example",
]
README = ROOT / "README.md"

ROLES = ("all", "updates", "collector", "delivery")
OPS_PATHS = ("/healthz", "/readyz", "/metrics")
# Values for ${...} in compose files (Compose reads them from .env).
INTERPOLATED = {"POSTGRES_PASSWORD": "s3cret", "WEBHOOK_DOMAIN": "bot.example.org"}
# What a bot token looks like (bot/redaction.py): none may be committed in these files.
TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")


def _deployment_files() -> list[Path]:
    units = sorted(p for p in SYSTEMD.iterdir() if p.is_file()) if SYSTEMD.is_dir() else []
    files = [DOCKERFILE, DOCKERIGNORE, COMPOSE, WEBHOOK_OVERRIDE, CADDYFILE, DEPLOYMENT_DOC]
    return [p for p in [*files, *ENV_EXAMPLES, *units] if p.exists()]


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _interpolate(value: str) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error}, with the sample values."""

    def substitute(found: re.Match[str]) -> str:
        name, operator, rest = found.group(1), found.group(2), found.group(3)
        if name in INTERPOLATED:
            return INTERPOLATED[name]
        return rest if operator in (":-", "-") else "x"

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}", substitute, value)


# ---------------------------------------------------------------------------------------------
# Dockerfile and .dockerignore
# ---------------------------------------------------------------------------------------------

DOCKERFILE_INSTRUCTIONS = {
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
}  # fmt: skip


@dataclass
class Instruction:
    """One Dockerfile instruction: `keyword --flag=value … arguments`, in a build stage."""

    line: int
    keyword: str
    flags: list[tuple[str, str]]
    arguments: str
    stage: int

    def flag(self, name: str) -> str | None:
        return next((value for key, value in self.flags if key == name), None)

    def exec_form(self) -> list[str]:
        """The JSON array form of CMD, ENTRYPOINT, SHELL or HEALTHCHECK's CMD."""
        text = self.arguments
        if self.keyword == "HEALTHCHECK":
            assert text.startswith("CMD "), f"line {self.line}: HEALTHCHECK needs CMD [...]"
            text = text[4:].strip()
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise AssertionError(f"line {self.line}: {self.keyword} is not a JSON array") from exc
        assert isinstance(value, list) and all(isinstance(v, str) for v in value), (
            f"line {self.line}: {self.keyword} must be a JSON array of strings"
        )
        return value


_FLAGGED = {"FROM", "COPY", "ADD", "RUN", "HEALTHCHECK"}


def parse_dockerfile(text: str) -> list[Instruction]:
    """The instructions in order, comments and line continuations resolved; AssertionError on
    what Docker would refuse."""
    lines = text.splitlines()
    index = 0
    # Parser directives: `# key=value` lines at the very top.
    while index < len(lines) and re.match(r"^#\s*[a-zA-Z]+\s*=", lines[index]):
        key = lines[index].lstrip("# ").split("=", 1)[0].strip().lower()
        assert key in ("syntax", "escape", "check"), f"line {index + 1}: unknown directive {key}"
        assert key != "escape", "an escape directive changes the continuation character"
        index += 1
    instructions: list[Instruction] = []
    stage = -1
    while index < len(lines):
        start = index
        raw = lines[index]
        index += 1
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        logical = raw.rstrip()
        while logical.endswith("\\"):
            logical = logical[:-1]
            while index < len(lines) and lines[index].lstrip().startswith("#"):
                index += 1  # comments inside a continued instruction are dropped
            assert index < len(lines), f"line {start + 1}: continuation at the end of the file"
            logical += " " + lines[index].strip()
            index += 1
        keyword, _, rest = logical.strip().partition(" ")
        keyword = keyword.upper()
        assert keyword in DOCKERFILE_INSTRUCTIONS, f"line {start + 1}: unknown {keyword!r}"
        assert "<<" not in rest or keyword != "RUN", f"line {start + 1}: heredocs not checked"
        flags: list[tuple[str, str]] = []
        rest = rest.strip()
        if keyword in _FLAGGED:
            while rest.startswith("--"):
                token, _, rest = rest.partition(" ")
                name, _, value = token[2:].partition("=")
                flags.append((name, value))
                rest = rest.strip()
        if keyword == "FROM":
            stage += 1
        else:
            assert stage >= 0 or keyword == "ARG", f"line {start + 1}: {keyword} before FROM"
        assert rest, f"line {start + 1}: {keyword} without arguments"
        instructions.append(Instruction(start + 1, keyword, flags, rest, stage))
    return instructions


def _dockerfile() -> list[Instruction]:
    return parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))


def _stages(instructions: list[Instruction]) -> list[tuple[str, str | None]]:
    """(image, name) of each FROM, with global ARG defaults substituted."""
    arguments: dict[str, str] = {}
    for instruction in instructions:
        if instruction.stage == -1 and instruction.keyword == "ARG":
            name, _, default = instruction.arguments.partition("=")
            arguments[name.strip()] = default.strip()
    stages = []
    for instruction in instructions:
        if instruction.keyword != "FROM":
            continue
        words = instruction.arguments.split()
        assert len(words) in (1, 3) and (len(words) == 1 or words[1].upper() == "AS"), (
            f"line {instruction.line}: FROM image [AS name]"
        )
        image = re.sub(
            r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: arguments.get(m.group(1), ""), words[0]
        )
        stages.append((image, words[2] if len(words) == 3 else None))
    return stages


def _env_of(instruction: Instruction) -> dict[str, str]:
    """ENV key=value … (quotes removed)."""
    words = shlex.split(instruction.arguments)
    assert all("=" in w for w in words), f"line {instruction.line}: write ENV as key=value"
    return dict(w.split("=", 1) for w in words)


def _ignore_patterns() -> list[tuple[bool, re.Pattern[str]]]:
    """.dockerignore as (re-include?, regex) in order; Docker's rules (moby/patternmatcher)."""
    patterns = []
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        include = line.startswith("!")
        pattern = posixpath.normpath(line[1:].strip() if include else line).lstrip("/")
        regex, index = "", 0
        while index < len(pattern):
            char = pattern[index]
            if pattern.startswith("**/", index):
                regex, index = regex + "(?:.*/)?", index + 3
                continue
            if pattern.startswith("**", index):
                regex, index = regex + ".*", index + 2
                continue
            if char == "*":
                regex += "[^/]*"
            elif char == "?":
                regex += "[^/]"
            elif char == "[":
                end = pattern.index("]", index)
                regex += "[" + pattern[index + 1 : end].replace("!", "^", 1) + "]"
                index = end
            elif char == "\\":
                index += 1
                regex += re.escape(pattern[index])
            else:
                regex += re.escape(char)
            index += 1
        patterns.append((include, re.compile(regex)))
    return patterns


def _excluded(path: str, patterns: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Whether Docker leaves `path` out of the build context: the last pattern matching the path
    or one of its parent folders decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[:count]) for count in range(1, len(parts) + 1)]
    excluded = False
    for include, regex in patterns:
        if any(regex.fullmatch(candidate) for candidate in candidates):
            excluded = not include
    return excluded


def _copy_sources(instruction: Instruction) -> tuple[list[str], str]:
    words = (
        instruction.exec_form() if instruction.arguments.startswith("[") else
        instruction.arguments.split()
    )  # fmt: skip
    assert len(words) >= 2, f"line {instruction.line}: COPY needs a source and a destination"
    return words[:-1], words[-1]


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _shipped_packages() -> list[str]:
    """The top-level packages pyproject.toml puts in the wheel."""
    include = _pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted({pattern.rstrip("*").rstrip(".") for pattern in include})


# ---------------------------------------------------------------------------------------------
# systemd units
# ---------------------------------------------------------------------------------------------

UNIT_SECTIONS = {"Unit", "Service", "Install", "Timer"}


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """{section: [(key, value), ...]}; keys may repeat (EnvironmentFile=, ExecStartPre=)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    pending = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not pending and (not line or line[0] in "#;"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        if line.startswith("["):
            assert line.endswith("]"), f"{path.name}:{number}: bad section header"
            current = line[1:-1]
            assert current in UNIT_SECTIONS, f"{path.name}:{number}: unknown section {current}"
            sections.setdefault(current, [])
            continue
        found = re.fullmatch(r"([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*)", line)
        assert found, f"{path.name}:{number}: expected Key=value, got {line!r}"
        assert current is not None, f"{path.name}:{number}: a setting before any [Section]"
        sections[current].append((found.group(1), found.group(2)))
    assert pending == "", f"{path.name}: continuation at the end of the file"
    return sections


def _units() -> dict[str, dict[str, list[tuple[str, str]]]]:
    return {
        p.name: parse_unit(p)
        for p in sorted(SYSTEMD.glob("*"))
        if p.suffix in (".service", ".target", ".timer")
    }


def _values(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    return [value for k, value in unit.get(section, []) if k == key]


def _run_args_examples(instance: str) -> list[str]:
    """RUN_ARGS values the env examples show for this instance (commented or not), and "".
    In role.env.example a `# /etc/newsbrief/<role>.env` line starts each role's part."""
    found = [""]
    for example in ENV_EXAMPLES:
        if not example.exists():
            continue
        role = None
        for line in example.read_text(encoding="utf-8").splitlines():
            header = re.match(r"^#\s*/etc/newsbrief/(\w+)\.env\b", line)
            if header:
                role = header.group(1)
            assigned = re.match(r"^#?\s*RUN_ARGS=(.*)$", line)
            if assigned and role in (None, instance):
                found.append(assigned.group(1))
    return found


def _systemd_command_line(value: str, instance: str, run_args: str) -> str:
    """An Exec*= value as a shell-like command line: prefixes, specifiers and $VARs resolved."""
    value = value.lstrip("@-:+!|")
    value = value.replace("%%", "\0").replace("%i", instance).replace("%I", instance)
    value = value.replace("$$", "\1")
    value = re.sub(r"\$\{?RUN_ARGS\}?", run_args, value)
    assert "$" not in value, f"an unknown variable in {value!r}"
    return value.replace("\0", "%").replace("\1", "$")


# ---------------------------------------------------------------------------------------------
# `newsbrief …` commands in all of them
# ---------------------------------------------------------------------------------------------

_COMPOSE_RUN_VALUE_OPTIONS = {
    "-e", "--env", "-u", "--user", "-w", "--workdir", "--name", "-p", "--publish", "-v",
    "--volume", "--entrypoint", "-l", "--label", "--cap-add", "--cap-drop",
}  # fmt: skip
_DOCKER_EXEC_VALUE_OPTIONS = {"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file"}


def _is_newsbrief(word: str) -> bool:
    return word == "newsbrief" or word.endswith("/bin/newsbrief")


def _simple_commands(line: str) -> Iterator[list[str]]:
    """The simple commands of one shell line (split at ; && || |), comments dropped."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    command: list[str] = []
    for token in lexer:
        if token and set(token) <= set(";&|"):
            if command:
                yield command
            command = []
        else:
            command.append(token)
    if command:
        yield command


def _newsbrief_argv(words: list[str], newsbrief_services: set[str]) -> list[str] | None:
    """The arguments to `newsbrief` if this simple command runs it (directly, through sudo, sh
    -c, docker exec, docker run IMAGE or docker compose run SERVICE), else None."""
    while words and (re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]) or words[0] == "exec"):
        words = words[1:]
    if words[:1] == ["sudo"]:
        words = words[1:]
        while words and words[0].startswith("-"):
            words = words[2:] if words[0] in ("-u", "-g") else words[1:]
    if not words:
        return None
    if _is_newsbrief(words[0]):
        argv = words[1:]
        redirect = next((i for i, w in enumerate(argv) if re.match(r"^\d*[<>]", w)), None)
        return argv if redirect is None else argv[:redirect]
    if Path(words[0]).name in ("sh", "bash") and len(words) >= 3 and words[1] == "-c":
        for command in _simple_commands(words[2]):
            found = _newsbrief_argv(command, newsbrief_services)
            if found is not None:
                return found
        return None
    if words[0] != "docker":
        return None
    rest = words[1:]
    if rest[:1] == ["exec"]:
        rest = rest[1:]
        while rest and rest[0].startswith("-"):
            rest = rest[2:] if rest[0] in _DOCKER_EXEC_VALUE_OPTIONS else rest[1:]
        return _newsbrief_argv(rest[1:], newsbrief_services) if rest else None
    if rest[:1] == ["run"]:
        image = next((i for i, w in enumerate(rest) if w.startswith("newsbrief:")), None)
        if image is None:
            return None
        return rest[image + 1 :] or ["run"]  # the image's CMD
    if rest[:1] == ["compose"]:
        rest = rest[1:]
        while rest and rest[0].startswith("-"):
            rest = rest[2:] if rest[0] in ("-f", "--file", "-p", "--project-name") else rest[1:]
        if rest[:1] == ["run"]:
            rest = rest[1:]
            while rest and rest[0].startswith("-"):
                rest = rest[2:] if rest[0] in _COMPOSE_RUN_VALUE_OPTIONS else rest[1:]
            if rest and rest[0] in newsbrief_services:
                return rest[1:] or ["run"]
        if rest[:1] == ["exec"]:
            rest = rest[1:]
            while rest and rest[0].startswith("-"):
                rest = rest[2:] if rest[0] in _DOCKER_EXEC_VALUE_OPTIONS else rest[1:]
            return _newsbrief_argv(rest[1:], newsbrief_services) if rest else None
    return None


def _is_newsbrief_service(service: dict[str, Any]) -> bool:
    return str(service.get("image", "")).startswith("newsbrief") or "build" in service


def _compose_files() -> list[Path]:
    return [p for p in (COMPOSE, WEBHOOK_OVERRIDE) if p.exists()]


def _compose_commands() -> list[tuple[str, list[str]]]:
    found = []
    for path in _compose_files():
        services = (_yaml(path) or {}).get("services") or {}
        base = (_yaml(COMPOSE) or {}).get("services") or {}
        for name, service in services.items():
            merged = {**base.get(name, {}), **service}
            if not _is_newsbrief_service(merged) or "command" not in service:
                continue
            command = service["command"]
            assert isinstance(command, list), f"{_relative(path)}: {name}: write command as a list"
            argv = [_interpolate(str(word)) for word in command]
            found.append((f"{_relative(path)}:{name}", argv))
    return found


def _dockerfile_commands() -> list[tuple[str, list[str]]]:
    found = []
    instructions = _dockerfile()
    final = max(i.stage for i in instructions)
    entrypoint = [i for i in instructions if i.keyword == "ENTRYPOINT" and i.stage == final]
    cmd = [i for i in instructions if i.keyword == "CMD" and i.stage == final]
    if entrypoint and cmd and _is_newsbrief(entrypoint[-1].exec_form()[0]):
        found.append(("Dockerfile:CMD", entrypoint[-1].exec_form()[1:] + cmd[-1].exec_form()))
    for instruction in instructions:
        if instruction.keyword == "RUN":
            for line in instruction.arguments.split("&&"):
                for words in _simple_commands(line):
                    argv = _newsbrief_argv(words, set())
                    if argv is not None:
                        found.append((f"Dockerfile:{instruction.line}", argv))
    return found


def _systemd_commands() -> list[tuple[str, list[str]]]:
    found = []
    for name, unit in _units().items():
        instances = ROLES if name.endswith("@.service") else ("",)
        for key, value in unit.get("Service", []):
            if not key.startswith("Exec"):
                continue
            for instance in instances:
                for run_args in _run_args_examples(instance):
                    line = _systemd_command_line(value, instance, run_args)
                    for words in _simple_commands(line):
                        argv = _newsbrief_argv(words, set())
                        if argv is not None:
                            label = f"{name}[{instance}]" if instance else name
                            found.append((f"{label}:{key}", argv))
    return found


def _doc_commands() -> list[tuple[str, list[str]]]:
    """`newsbrief …` lines in the ```sh blocks of docs/deployment.md."""
    if not DEPLOYMENT_DOC.exists():
        return []
    services = set()
    if COMPOSE.exists():
        services = {
            name
            for name, service in ((_yaml(COMPOSE) or {}).get("services") or {}).items()
            if _is_newsbrief_service(service)
        }
    found = []
    in_block = in_shell = False
    pending = ""
    for number, line in enumerate(DEPLOYMENT_DOC.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_block = not in_block
            in_shell = in_block and stripped[3:].strip() in ("sh", "bash", "shell")
            continue
        if not in_shell:
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical, pending = pending + stripped, ""
        if logical.startswith("alias "):
            continue
        for words in _simple_commands(logical):
            argv = _newsbrief_argv(words, services)
            if argv is not None:
                found.append((f"docs/deployment.md:{number}", argv))
    return found


def _all_commands() -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for source in (_dockerfile_commands, _compose_commands, _systemd_commands, _doc_commands):
        with contextlib.suppress(FileNotFoundError):
            found += source()
    # The same command from the same place once (systemd instances x RUN_ARGS repeat a lot).
    unique = {(where, tuple(argv)): (where, argv) for where, argv in found}
    return list(unique.values())


def _role(argv: list[str]) -> str | None:
    """The role a `run` command runs (all by default), None for another command."""
    if not argv or argv[0] != "run":
        return None
    for index, word in enumerate(argv):
        if word == "--role" and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith("--role="):
            return word.split("=", 1)[1]
    return "all"


# Read once, at collection; a file this cannot read fails the first test below, not collection.
try:
    COMMANDS, COMMANDS_ERROR = _all_commands(), ""
except (AssertionError, yaml.YAMLError, ValueError, KeyError) as exc:
    COMMANDS, COMMANDS_ERROR = [], f"{type(exc).__name__}: {exc}"


# ---------------------------------------------------------------------------------------------
# The commands parse
# ---------------------------------------------------------------------------------------------


def test_the_files_name_commands_to_check() -> None:
    assert COMMANDS_ERROR == "", "could not read the deployment files"
    sources = {where.split(":", 1)[0].split("[", 1)[0] for where, _ in COMMANDS}
    assert "Dockerfile" in sources
    assert "compose.yaml" in sources
    assert "newsbrief@.service" in sources
    assert "newsbrief-migrate.service" in sources
    assert "docs/deployment.md" in sources
    roles = {_role(argv) for where, argv in COMMANDS if where.startswith("compose.yaml")}
    assert {"updates", "collector", "delivery"} <= roles


@pytest.mark.parametrize(
    "argv", [argv for _, argv in COMMANDS], ids=[f"{w}: {' '.join(a)}" for w, a in COMMANDS]
)
def test_every_newsbrief_command_parses(argv: list[str]) -> None:
    from cli import build_parser  # here: a broken cli must not hide the other checks

    parser = build_parser()
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
            parser.parse_args(argv)
    except SystemExit as exc:
        if exc.code != 0 or "--help" not in argv:
            pytest.fail(f"`newsbrief {' '.join(argv)}` does not parse: {errors.getvalue()}")


# ---------------------------------------------------------------------------------------------
# The variables are settings
# ---------------------------------------------------------------------------------------------


def _named_variables() -> dict[str, set[str]]:
    """NEWSBRIEF_* name -> files naming it."""
    found: dict[str, set[str]] = {}
    for path in _deployment_files():
        for name in re.findall(r"\bNEWSBRIEF_[A-Z0-9_]+\b", path.read_text(encoding="utf-8")):
            found.setdefault(name, set()).add(_relative(path))
    return found


def _assigned_variables() -> list[tuple[str, str, str]]:
    """(where, NEWSBRIEF_* name, value) for every value the files set."""
    found = []
    for instruction in _dockerfile():
        if instruction.keyword == "ENV":
            for name, value in _env_of(instruction).items():
                found.append((f"Dockerfile:{instruction.line}", name, value))
    for path in _compose_files():
        for name, service in ((_yaml(path) or {}).get("services") or {}).items():
            environment = service.get("environment") or {}
            assert isinstance(environment, dict), f"{name}: write environment as a mapping"
            for key, value in environment.items():
                where = f"{_relative(path)}:{name}"
                found.append((where, key, _interpolate("" if value is None else str(value))))
    for example in ENV_EXAMPLES:
        if not example.exists():
            continue
        text = example.read_text(encoding="utf-8")
        for commented, key, value in re.findall(r"^(#?)\s*([A-Z][A-Z0-9_]*)=(.*)$", text, re.M):
            if not (commented and not value):  # a commented-out empty line sets nothing
                found.append((_relative(example), key, value))
    return [(where, key, value) for where, key, value in found if key.startswith("NEWSBRIEF_")]


def _field(variable: str) -> str:
    return variable.removeprefix("NEWSBRIEF_").lower()


def test_every_variable_named_is_a_setting() -> None:
    unknown = {
        name: sorted(files)
        for name, files in _named_variables().items()
        if _field(name) not in Settings.model_fields
    }
    assert unknown == {}, "not a field of bot.settings.Settings (docs/configuration.md)"


def test_every_value_set_is_accepted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no newsbrief.toml
    for name in list(os.environ):
        if name.startswith("NEWSBRIEF_"):
            monkeypatch.delenv(name)
    refused = []
    for where, name, value in _assigned_variables():
        if _field(name) not in Settings.model_fields:
            continue  # reported by the test above
        with monkeypatch.context() as env:
            env.setenv(name, value)
            try:
                load_settings()
            except SettingsError as exc:
                refused.append(f"{where}: {name}={value!r}: {exc}")
    assert refused == []


def test_no_secret_is_committed() -> None:
    for path in _deployment_files():
        assert not TOKEN_SHAPE.search(path.read_text(encoding="utf-8")), f"a token in {path}"
    secrets = ("NEWSBRIEF_BOT_TOKEN", "NEWSBRIEF_WEBHOOK_SECRET")
    for where, name, value in _assigned_variables():
        if name in secrets:
            assert where.startswith("deploy/") and where.endswith(".example") and not value, (
                f"{where} sets {name}: secrets belong in .env or /etc/newsbrief/env only"
            )
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


# ---------------------------------------------------------------------------------------------
# Health checks
# ---------------------------------------------------------------------------------------------


def _production_packages() -> list[str]:
    """Every top-level package of the repository but the tests and the stand-ins."""
    return sorted(
        p.parent.name
        for p in ROOT.glob("*/__init__.py")
        if p.parent.name not in ("tests", "sandbox", "benchmarks")
    )


def _served_paths() -> set[str]:
    """String constants that are the ops server's paths, in the production packages."""
    found = set()
    for package in _production_packages():
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and node.value in OPS_PATHS:
                    found.add(node.value)
    return found


def _probe_paths(command: list[str]) -> list[str]:
    return re.findall(r"https?://[^/'\"\s]+(/[A-Za-z0-9_./-]*)", " ".join(command))


def _dockerfile_healthcheck() -> list[str]:
    final = max(i.stage for i in _dockerfile())
    checks = [i for i in _dockerfile() if i.keyword == "HEALTHCHECK" and i.stage == final]
    assert len(checks) == 1, "the final stage needs one HEALTHCHECK"
    return checks[0].exec_form()


def _compose_healthchecks() -> dict[str, list[str]]:
    checks = {}
    for name, service in (_yaml(COMPOSE)["services"] or {}).items():
        if not _is_newsbrief_service(service):
            continue
        healthcheck = service.get("healthcheck") or {}
        assert healthcheck, f"compose.yaml: {name} has no healthcheck"
        if not healthcheck.get("disable"):
            checks[name] = healthcheck["test"]
    return checks


def test_the_image_health_check_asks_healthz_on_the_ops_port() -> None:
    command = _dockerfile_healthcheck()
    assert command[0] != "CMD-SHELL" and Path(command[0]).name.startswith("python"), (
        "probe with the image's own Python (no curl in a slim image)"
    )
    assert _probe_paths(command) == ["/healthz"]
    assert "NEWSBRIEF_HTTP_PORT" in " ".join(command)
    environment: dict[str, str] = {}
    for instruction in _dockerfile():
        if instruction.keyword == "ENV":
            environment.update(_env_of(instruction))
    port = environment.get("NEWSBRIEF_HTTP_PORT")
    assert port, "the image must set NEWSBRIEF_HTTP_PORT, or the ops server is off"
    assert port in _exposed()


def _exposed() -> set[str]:
    return {
        word.split("/")[0]
        for instruction in _dockerfile()
        if instruction.keyword == "EXPOSE"
        for word in instruction.arguments.split()
    }


def test_every_health_check_asks_a_path_the_ops_server_serves() -> None:
    served = _served_paths()
    probes = {"Dockerfile": _dockerfile_healthcheck(), **_compose_healthchecks()}
    for where, command in probes.items():
        paths = _probe_paths(command)
        assert paths, f"{where}: no URL in the health check {command}"
        for path in paths:
            assert path in OPS_PATHS, f"{where}: {path} is not one of {OPS_PATHS}"
            assert path in served, f"{where}: no shipped module serves {path} yet"


def test_compose_health_checks_use_the_port_each_service_serves_on() -> None:
    services = _yaml(COMPOSE)["services"]
    for name, command in _compose_healthchecks().items():
        ports = re.findall(r"https?://[^:/'\"]+:(\d+)/", " ".join(command))
        assert ports == [str(services[name]["environment"]["NEWSBRIEF_HTTP_PORT"])], name


class _OpsStandIn(BaseHTTPRequestHandler):
    """/healthz answers 200, /readyz 503 (not ready), anything else 404."""

    def do_GET(self) -> None:
        status = {"/healthz": 200, "/readyz": 503, "/metrics": 200}.get(self.path, 404)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@contextlib.contextmanager
def _ops_stand_in() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OpsStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _probe(command: list[str], port: int, path: str | None = None) -> int:
    """Run a health check's python -c probe against the stand-in; its exit status."""
    command = command[1:] if command[0] == "CMD" else command
    assert Path(command[0]).name.startswith("python"), command
    argv = [sys.executable, *command[1:]]
    argv = [re.sub(r"(https?://127\.0\.0\.1:)\d+/", rf"\g<1>{port}/", a) for a in argv]
    if path is not None:
        argv = [re.sub(r"/(healthz|readyz)", path, a) for a in argv]
    env = {
        **os.environ,
        "NEWSBRIEF_HTTP_PORT": str(port),
        # The probe must not go through a proxy the bot uses for the Bot API.
        "HTTP_PROXY": "http://127.0.0.1:9",
        "http_proxy": "http://127.0.0.1:9",
    }
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    done = subprocess.run(argv, env=env, capture_output=True, timeout=30, check=False)
    return done.returncode


def test_the_probes_pass_on_200_and_fail_otherwise() -> None:
    probes = {"Dockerfile": _dockerfile_healthcheck(), **_compose_healthchecks()}
    distinct = {tuple(command): where for where, command in probes.items()}  # one per anchor
    with _ops_stand_in() as port:
        for command, where in distinct.items():
            healthy, ready = (
                _probe([*command], port, "/healthz"),
                _probe([*command], port, "/readyz"),
            )
            assert healthy == 0, f"{where}: a process answering 200 counted as unhealthy"
            assert ready != 0, f"{where}: a 503 counted as healthy"
    assert _probe(probes["Dockerfile"], port) != 0, "no server answering counted as healthy"


# ---------------------------------------------------------------------------------------------
# Dockerfile
# ---------------------------------------------------------------------------------------------


def test_the_dockerfile_is_well_formed() -> None:
    instructions = _dockerfile()
    stages = _stages(instructions)
    names = [name for _, name in stages if name]
    assert len(names) == len(set(names)), "stage names repeat"
    final = len(stages) - 1
    assert final >= 1, "multi-stage: build the wheel in one stage, install it in another"
    images = {image for image, _ in stages}
    assert len(images) == 1, f"builder and final must share one base image (wheels): {images}"
    (image,) = images
    assert re.fullmatch(r"python:3\.1[12]-slim(-[a-z]+)?", image), image
    for instruction in instructions:
        assert instruction.keyword != "ADD", f"line {instruction.line}: COPY, not ADD"
        if instruction.keyword in ("CMD", "ENTRYPOINT", "SHELL", "HEALTHCHECK"):
            instruction.exec_form()
        sources = [instruction.flag("from")] if instruction.keyword == "COPY" else []
        for key, value in instruction.flags:
            if key == "mount":
                sources += re.findall(r"(?:^|,)from=([^,]+)", value)
        for source in filter(None, sources):
            assert source in names[: instruction.stage] or source.isdigit(), (
                f"line {instruction.line}: no earlier stage {source!r}"
            )
        if instruction.keyword == "EXPOSE":
            assert all(re.fullmatch(r"\d+(/tcp|/udp)?", w) for w in instruction.arguments.split())
        if instruction.keyword == "ENV":
            _env_of(instruction)

    last = [i for i in instructions if i.stage == final]
    user = [i.arguments for i in last if i.keyword == "USER"]
    assert user and user[-1].split(":")[0] not in ("root", "0"), "run as a non-root user"
    entrypoint = [i.exec_form() for i in last if i.keyword == "ENTRYPOINT"]
    cmd = [i.exec_form() for i in last if i.keyword == "CMD"]
    assert entrypoint[-1:] == [["newsbrief"]]
    assert cmd[-1:] == [["run"]]
    # Nothing is fetched in the final stage: newsbrief and its dependencies come from the
    # builder's wheels.
    for instruction in last:
        if instruction.keyword == "RUN":
            text = instruction.arguments
            assert not re.search(r"\b(curl|wget|apt-get|apk|pip download)\b", text), text
            for install in re.findall(r"pip install[^&;]*", text):
                assert "--no-index" in install, f"line {instruction.line}: pip without --no-index"


def test_the_image_exposes_the_webhook_port() -> None:
    from cli import build_parser

    webhook_port = str(build_parser().parse_args(["run"]).port)
    assert webhook_port in _exposed(), "EXPOSE `run --webhook-url`'s default --port"


def test_every_file_the_dockerfile_copies_exists_and_is_in_the_build_context() -> None:
    patterns = _ignore_patterns()
    copied = 0
    for instruction in _dockerfile():
        if instruction.keyword != "COPY" or instruction.flag("from"):
            continue
        sources, _ = _copy_sources(instruction)
        for source in sources:
            path = ROOT / source
            assert path.exists(), f"line {instruction.line}: COPY {source}: no such file"
            files = [path] if path.is_file() else [
                p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
            ]  # fmt: skip
            assert files, f"line {instruction.line}: COPY {source}: an empty folder"
            for file in files:
                relative = _relative(file)
                if file.suffix in (".pyc", ".db") or file.name.endswith(".orig"):
                    continue
                assert not _excluded(relative, patterns), f"{relative} is left out by .dockerignore"
                copied += 1
    assert copied > 50


def test_dockerignore_keeps_secrets_and_clutter_out() -> None:
    patterns = _ignore_patterns()
    for path in (
        ".env", "newsbrief.toml", "newsbrief.db", "newsbrief.db-wal", ".git/HEAD",
        ".venv/pyvenv.cfg", "bot/__pycache__/app.cpython-311.pyc", "storage/.env",
    ):  # fmt: skip
        assert _excluded(path, patterns), f"{path} would be sent to the Docker daemon"


def test_the_image_builds_every_shipped_package() -> None:
    copied = set()
    for instruction in _dockerfile():
        if instruction.keyword == "COPY" and not instruction.flag("from"):
            copied.update(s.strip("/") for s in _copy_sources(instruction)[0])
    shipped = _shipped_packages()
    assert set(shipped) <= copied, "COPY every package pyproject.toml ships"
    assert "pyproject.toml" in copied
    readme = _pyproject()["project"].get("readme")
    assert readme is None or readme in copied, "setuptools needs the README pyproject.toml names"
    # A package that exists but is not shipped is missing from the wheel, and from the image.
    packages = {
        p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in ("tests",)
    }
    missing = sorted(p for p in packages if not any(p == s or p.startswith(s) for s in shipped))
    assert missing == [], f"add these to [tool.setuptools.packages.find] include: {missing}"


def _guarded(tree: ast.AST) -> set[int]:
    """ids of import nodes under `if TYPE_CHECKING:` or in `try: … except ImportError`."""
    guarded: set[int] = set()
    for node in ast.walk(tree):
        optional: list[ast.stmt] = []
        if isinstance(node, ast.If) and ast.unparse(node.test) in (
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        ):
            optional = node.body
        elif isinstance(node, ast.Try):
            caught = " ".join(ast.unparse(h.type) for h in node.handlers if h.type is not None)
            if "ImportError" in caught or "ModuleNotFoundError" in caught:
                optional = node.body
        for statement in optional:
            guarded.update(id(n) for n in ast.walk(statement))
    return guarded


def _imported_modules() -> dict[str, set[str]]:
    """Top-level modules the shipped packages import at run time -> files importing them."""
    found: dict[str, set[str]] = {}
    for package in _shipped_packages():
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            guarded = _guarded(tree)
            for node in ast.walk(tree):
                if id(node) in guarded:
                    continue
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    found.setdefault(name.split(".")[0], set()).add(_relative(path))
    return found


def _dependency_closure() -> tuple[set[str], list[str]]:
    """Distributions pyproject.toml's dependencies install (with extras, transitively), and the
    requirements that are not installed here."""
    installed: set[str] = set()
    missing: list[str] = []
    queue = [Requirement(r) for r in _pyproject()["project"]["dependencies"]]
    seen: set[tuple[str, frozenset[str]]] = set()
    while queue:
        requirement = queue.pop()
        name = canonicalize_name(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(str(requirement))
            continue
        installed.add(name)
        for text in distribution.requires or []:
            needed = Requirement(text)
            extras = ["", *requirement.extras]
            if needed.marker is None or any(needed.marker.evaluate({"extra": e}) for e in extras):
                queue.append(needed)
    return installed, missing


def test_the_dependencies_the_image_installs_provide_every_import() -> None:
    installed, missing = _dependency_closure()
    assert missing == [], f"declared in pyproject.toml but not installed here: {missing}"
    ours = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    owners = importlib.metadata.packages_distributions()
    problems = []
    for module, files in sorted(_imported_modules().items()):
        if module in sys.stdlib_module_names or module in ours or module == "__future__":
            continue
        distributions = {canonicalize_name(d) for d in owners.get(module, [])}
        if not distributions & installed:
            problems.append(f"{module} (imported by {', '.join(sorted(files))})")
    assert problems == [], (
        "imported by shipped code but not provided by pyproject.toml's dependencies, so "
        f"missing from the image: {problems}"
    )


# ---------------------------------------------------------------------------------------------
# compose.yaml
# ---------------------------------------------------------------------------------------------


def _compose_services() -> dict[str, dict[str, Any]]:
    return _yaml(COMPOSE)["services"]


def _replicas(service: dict[str, Any]) -> int:
    return int((service.get("deploy") or {}).get("replicas", 1))


def test_compose_runs_the_database_migrate_and_every_role() -> None:
    services = _compose_services()
    db = services["db"]
    assert str(db["image"]).startswith("postgres:")
    assert "pg_isready" in db["healthcheck"]["test"]
    assert any(str(v).endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    named = str(db["volumes"][0]).split(":")[0]
    assert named in (_yaml(COMPOSE).get("volumes") or {}), "the database on a named volume"

    migrate = services["migrate"]
    assert migrate["command"] == ["db", "upgrade"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}

    counts = dict.fromkeys(ROLES, 0)
    for name, service in services.items():
        if name in ("db", "migrate") or not _is_newsbrief_service(service):
            continue
        role = _role(service["command"])
        assert role in ROLES, f"{name}: {service['command']}"
        counts[role] += _replicas(service)
        assert "--no-migrate" in service["command"], f"{name}: migrate only in `migrate`"
        assert service["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }, name
        healthcheck = service["healthcheck"]
        assert not healthcheck.get("disable") and healthcheck["test"][0] == "CMD", name
        environment = service["environment"]
        assert environment["NEWSBRIEF_LOG_FORMAT"] == "json", name
        assert str(environment["NEWSBRIEF_DATABASE_URL"]).startswith("postgresql://"), name
        assert "@db:" in str(environment["NEWSBRIEF_DATABASE_URL"]), name
        assert service["env_file"] in (".env", [".env"]), f"{name}: secrets from .env"
    assert counts == {"all": 0, "updates": 1, "collector": 2, "delivery": 2}


def test_polling_runs_once_and_the_webhook_override_runs_replicas() -> None:
    services = _compose_services()
    updates = [s for s in services.values() if _role(s.get("command", [])) == "updates"]
    polling = [s for s in updates if "--webhook-url" not in s["command"]]
    assert sum(_replicas(s) for s in polling) <= 1, "only one process may long-poll a bot"

    override = _yaml(WEBHOOK_OVERRIDE)["services"]
    command = [_interpolate(w) for w in override["updates"]["command"]]
    assert _replicas(override["updates"]) >= 2
    url = command[command.index("--webhook-url") + 1]
    port = command[command.index("--port") + 1]
    assert url.startswith("https://")
    caddy = override["caddy"]
    mounted = [v.split(":")[0] for v in caddy["volumes"] if v.startswith("./")]
    assert mounted and all((ROOT / m).exists() for m in mounted), mounted
    caddyfile = CADDYFILE.read_text(encoding="utf-8")
    assert re.search(rf"^\s*handle {re.escape(urlsplit(url).path)}\s*\{{", caddyfile, re.M)
    assert re.search(rf"^\s*dynamic a updates {port}\b", caddyfile, re.M)


# ---------------------------------------------------------------------------------------------
# systemd units
# ---------------------------------------------------------------------------------------------


def test_the_role_template_runs_each_role_as_its_own_user_with_hardening() -> None:
    unit = _units()["newsbrief@.service"]
    service = dict(unit["Service"])
    (start,) = _values(unit, "Service", "ExecStart")
    assert "--role %i" in start and "--no-migrate" in start
    assert service["User"] == "newsbrief" and service.get("DynamicUser", "no") == "no"
    assert "/etc/newsbrief/env" in _values(unit, "Service", "EnvironmentFile")
    assert service["Restart"] in ("on-failure", "always")
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] in ("strict", "full")
    assert service["PrivateTmp"] == "yes"
    assert service["ProtectHome"] in ("yes", "read-only", "tmpfs")
    assert "newsbrief.target" in _values(unit, "Install", "WantedBy")


def test_systemd_migrates_in_one_unit_and_every_other_waits() -> None:
    units = _units()
    migrating = {
        name
        for name, unit in units.items()
        for key, value in unit.get("Service", [])
        if key.startswith("Exec") and re.search(r"newsbrief\s+db\s+upgrade", value)
    }
    assert migrating == {"newsbrief-migrate.service"}
    assert dict(units["newsbrief-migrate.service"]["Service"])["Type"] == "oneshot"
    after = " ".join(_values(units["newsbrief@.service"], "Unit", "After"))
    assert "newsbrief-migrate.service" in after
    for name, unit in units.items():
        for key, value in unit.get("Service", []):
            if key.startswith("Exec") and re.search(r"newsbrief\s+run\b", value):
                assert "--no-migrate" in value, f"{name}: {key} must not migrate"
        if "Service" in unit:
            service = dict(unit["Service"])
            assert service.get("User") == "newsbrief", f"{name}: run as the newsbrief user"
            assert service.get("NoNewPrivileges") == "yes", name


def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    names = []
    for path in SYSTEMD.iterdir():
        if path.suffix in (".service", ".target", ".timer"):
            shutil.copy(path, tmp_path / path.name)
            if not path.name.endswith("@.service"):
                names.append(path.name)
    for role in ROLES:  # a template is verified through its instances
        shutil.copy(SYSTEMD / "newsbrief@.service", tmp_path / f"newsbrief@{role}.service")
        names.append(f"newsbrief@{role}.service")
    done = subprocess.run(
        [analyze, "verify", "--man=no", *(f"./{n}" for n in names)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    complaints = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if "newsbrief" in line
        # The program is installed on the target machine, not here.
        and "/opt/newsbrief/bin/newsbrief is not executable" not in line
    ]
    assert complaints == []


# ---------------------------------------------------------------------------------------------
# Documentation
# ---------------------------------------------------------------------------------------------


def test_the_readme_links_the_deployment_guide() -> None:
    assert "docs/deployment.md" in README.read_text(encoding="utf-8")


def test_the_deployment_guide_links_files_that_exist() -> None:
    text = DEPLOYMENT_DOC.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)\)", text):
        if "://" not in target:
            assert (DEPLOYMENT_DOC.parent / target).exists(), f"docs/deployment.md links {target}"
