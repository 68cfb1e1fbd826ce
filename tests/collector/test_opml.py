"""OPML import reads folders as topics; export writes OPML 2.0 that reads back the same."""

from __future__ import annotations

import pytest

from collector.opml import OpmlError, OpmlFeed, OpmlTopic, parse_opml, write_opml

READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="Science" title="Science">
      <outline type="rss" text="Valley Science" xmlUrl="https://science.example/feed"
               htmlUrl="https://science.example/"/>
      <outline text="Space">
        <outline type="rss" text="Orbit News" xmlUrl="https://orbit.example/rss"/>
      </outline>
    </outline>
    <outline type="rss" text="Loose feed" xmlUrl="https://loose.example/atom"/>
    <outline type="rss" title="Tagged" xmlUrl="https://tagged.example/rss" category="/News/World"/>
    <outline text="A folder with no feeds"/>
  </body>
</opml>
"""


def test_folders_become_categories() -> None:
    assert parse_opml(READER_EXPORT) == [
        OpmlFeed("https://science.example/feed", "Valley Science", "Science"),
        OpmlFeed("https://orbit.example/rss", "Orbit News", "Space"),
        OpmlFeed("https://loose.example/atom", "Loose feed", None),
        OpmlFeed("https://tagged.example/rss", "Tagged", "World"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<opml><body><outline", "not valid XML"),
        (b"<rss version='2.0'/>", "not an OPML document"),
        (b"<opml version='2.0'><head/></opml>", "without a <body>"),
        (
            b'<!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body>&a;</body></opml>',
            "entity declarations",
        ),
    ],
)
def test_bad_files_are_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(OpmlError, match=message):
        parse_opml(data)


def test_export_is_opml_2_and_reads_back() -> None:
    text = write_opml(
        [
            OpmlTopic("Tech & Science", [("https://a.example/rss?x=1&y=2", "A <b>", None)]),
            OpmlTopic("World", [("https://b.example/atom", None, "https://b.example/")]),
        ]
    )
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert "<dateCreated>" in text
    assert parse_opml(text.encode()) == [
        OpmlFeed("https://a.example/rss?x=1&y=2", "A <b>", "Tech & Science"),
        OpmlFeed("https://b.example/atom", "https://b.example/atom", "World"),
    ]
