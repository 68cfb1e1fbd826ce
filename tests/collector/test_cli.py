"""`newsbrief feeds import|export` and `newsbrief collect` as an operator runs them."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cli import main
from collector.opml import OpmlFeed, parse_opml
from sandbox.feed_server import LocalFeedServer
from tests.collector.conftest import FIXTURES
from tests.collector.helpers import rss


@contextmanager
def server_in_thread() -> Iterator[LocalFeedServer]:
    """The local feed server on its own loop, since the CLI runs its own with asyncio.run."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = LocalFeedServer()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
    try:
        server.add_directory(FIXTURES)
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no newsbrief.toml from elsewhere
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("NEWSBRIEF_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("NEWSBRIEF_FETCH_TIMEOUT_SECONDS", "2")
    return tmp_path


def test_import_collect_and_export(environment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with server_in_thread() as server:
        opml = environment / "subscriptions.opml"
        gazette, science = server.url("rss2.xml"), server.url("atom.xml")
        opml.write_text(
            f"""<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>
            <outline text="Harbor">
              <outline type="rss" text="Gazette" xmlUrl="{gazette}"/>
            </outline>
            <outline type="rss" text="Science" xmlUrl="{science}"/>
            </body></opml>"""
        )
        assert main(["feeds", "import", str(opml)]) == 0
        imported = capsys.readouterr().out
        assert "created topic Harbor" in imported and "created topic general" in imported
        assert "imported 2 of 2 feeds" in imported

        assert main(["collect"]) == 0
        first = capsys.readouterr().out.splitlines()
        assert first[0].split() == ["feed", "status", "new", "unchanged", "errors", "time", "error"]
        rows = {line.split()[0]: line.split() for line in first[2:4]}
        assert rows["Gazette"][1:5] == ["ok", "3", "0", "0"]
        assert rows["Science"][1:5] == ["ok", "1", "0", "0"]
        assert "2 feeds: 4 new articles, 0 failed" in first[-1]

        server.fail("/atom.xml", 500)
        assert main(["collect"]) == 0  # the pass ran: a failed feed is reported, not fatal
        second = capsys.readouterr().out
        assert "not modified" in second
        assert "HTTP 500 Internal Server Error" in second and "1 failed" in second

        assert main(["feeds", "export"]) == 0
        exported = capsys.readouterr().out
    assert parse_opml(exported.encode()) == [
        OpmlFeed(server.url("rss2.xml"), "Gazette", "Harbor"),
        OpmlFeed(server.url("atom.xml"), "Science", "general"),
    ]


def test_import_of_a_bad_file_says_why(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = environment / "bad.opml"
    bad.write_text("<opml><body><outline")
    assert main(["feeds", "import", str(bad)]) == 1
    assert "not valid XML" in capsys.readouterr().err
    assert main(["feeds", "import", str(environment / "missing.opml")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_collect_says_how_many_items_were_left_at_the_deadline(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSBRIEF_FEED_CHECK_DEADLINE_SECONDS", "1")
    with server_in_thread() as server:
        slow = "<html><body><article><p>A page that takes its time.</p></article></body></html>"
        server.add("/pages/slow.html", slow, "text/html; charset=utf-8")
        server.drip("/pages/slow.html", every=0.5, total=30)  # within the 2 s read timeout
        server.add("/slow.xml", rss("Slow Times", [("s-1", server.url("/pages/slow.html"), "")]))
        assert main(["topics", "add", "general"]) == 0
        assert main(["feeds", "add", "general", server.url("/slow.xml")]) == 0
        capsys.readouterr()
        assert main(["collect"]) == 0  # not a failure: the item is taken again next pass
        out = capsys.readouterr().out
    assert "1 new item left for the next pass (the 1s check deadline was reached)" in out
    assert "1 feeds: 0 new articles, 0 failed" in out
