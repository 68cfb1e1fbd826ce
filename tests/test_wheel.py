"""`newsbrief demo` runs from a wheel installed in a fresh virtual environment.

The wheel is built from a copy of the source tree (nothing is written into the checkout) and
installed without its dependencies; the fresh environment borrows those from the test's own
environment through a .pth file, so the test needs no network. The demo then runs from a
temporary directory, far from the source tree: it must find its sample feeds and the database
migrations inside the installed packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_SKIP = shutil.ignore_patterns(
    ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache"
)


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_demo_runs_from_an_installed_wheel(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=_SKIP)
    dist = tmp_path / "dist"
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--wheel-dir",
        dist,
        source,
        cwd=tmp_path,
    )
    (wheel,) = dist.glob("newsbrief-*.whl")

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--quiet",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=tmp_path,
    )
    purelib = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
        ).strip()
    )
    # The dependencies, borrowed; this environment's own newsbrief (an editable install) is
    # not, since a path listed in a .pth file does not run that path's .pth hooks.
    (purelib / "borrowed-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )

    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = _run(
        python, "-c", "import cli, sandbox; print(cli.__file__, sandbox.__file__)", cwd=workdir
    )
    assert all(path.startswith(str(purelib)) for path in where.split()), where

    output = _run(venv / "bin" / "newsbrief", "demo", "--color", "never", cwd=workdir, env=env)
    assert "The briefing, exactly as the subscriber receives it:" in output
    briefing = output.split("The briefing, exactly as the subscriber receives it:", 1)[1]
    assert briefing.count("🔗 ") >= 3  # at least three items, each with its sources
