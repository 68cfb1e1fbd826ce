"""The demo shows a briefing as a subscriber would read it."""

from __future__ import annotations

from sandbox.terminal_render import plain_text, render_buttons, render_message


def test_links_show_their_address_and_entities_are_decoded() -> None:
    message = '<b>Fish &amp; chips</b> cost &lt;£5&gt; — <a href="https://x.example/a?b=1&amp;c=2">Harbor</a>'
    assert render_message(message) == "Fish & chips cost <£5> — Harbor <https://x.example/a?b=1&c=2>"


def test_colour_mode_styles_bold_and_restores_after() -> None:
    rendered = render_message("<b>Title</b> body", color=True)
    assert rendered.startswith("\033[1mTitle\033[0m")
    assert rendered.endswith(" body")


def test_buttons_and_plain_text() -> None:
    assert render_buttons([["More", "Sources"], []]) == "[ More ]  [ Sources ]"
    assert plain_text("<i>a</i> &amp; <b>b</b>") == "a & b"
