"""The boilerplate filter: each class of page furniture goes, article prose stays."""

from __future__ import annotations

import pytest

from collector.extract import extract_page
from summarizer import clean_text
from summarizer.boilerplate import boilerplate_kind


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Skip to content", "navigation"),
        ("Home | World | Business | Sport", "navigation"),
        ("Expand / Collapse search", "navigation"),
        ("Watch TV", "navigation"),
        ("©2024 Harbour Daily Media, LLC.", "legal"),
        ("All rights reserved.", "legal"),
        ("This material may not be published, broadcast, rewritten, or redistributed.", "legal"),
        ("Market data provided by Examplesoft.", "legal"),
        ("Privacy Policy", "legal"),
        ("We use cookies to improve your experience on this site.", "legal"),
        (
            "In this photo provided by the city council, workers inspect the bridge, Tuesday, "
            "May 2, 2024. (Northbridge City Council via AP)",
            "caption",
        ),
        ("(AP Photo/Jane Example)", "caption"),
        ("Workers inspect the damaged support. (Photo by Jane Example)", "caption"),
        ("Image caption: The bridge has been closed since May.", "caption"),
        (
            "Harbour Daily correspondent Mark Rivers reports from the riverside, where traffic "
            "has doubled.",
            "caption",
        ),
        ("CLICK HERE TO GET THE HARBOUR DAILY APP", "promo"),
        ("BRIDGE CLOSURE SENDS COMMUTERS ON LONG DETOURS", "promo"),
        ("Click here to see our full coverage of the bridge repairs.", "promo"),
        ("READ MORE: Why the harbour bridge is cracking", "promo"),
        ("Related: Ferry service to resume next week", "promo"),
        ("Follow Jane Example on Twitter @janeexample.", "promo"),
        ("Advertisement", "promo"),
        ("By Jane Example | Harbour Daily", "byline"),
        ("By Jane Example and Tom Writer, Harbour Daily", "byline"),
        ("Published", "byline"),
        (
            "Jane Example is a Harbour Daily reporter covering transport and city politics.",
            "byline",
        ),
        ("Editor's note: Tom Writer is a professor of civil engineering.", "byline"),
        ("The Associated Press contributed to this report.", "credit"),
        ("Reporting by Jane Example; Editing by Tom Writer", "credit"),
        ("Harbour Daily has reached out to the council for comment.", "comment_request"),
        (
            "The mayor's office did not immediately respond to a request for comment on Tuesday.",
            "comment_request",
        ),
        ("The contractor could not be reached for comment.", "comment_request"),
        ("Sign up for our morning newsletter to get the news in your inbox.", "newsletter"),
        ("Subscribe to Harbour Daily for unlimited access.", "newsletter"),
        ("Download the Harbour Daily app for breaking news alerts.", "newsletter"),
        ("You've read 3 of your 5 free articles this month.", "newsletter"),
    ],
)
def test_each_class_of_furniture_is_recognised(line: str, kind: str) -> None:
    assert boilerplate_kind(line) == kind


@pytest.mark.parametrize(
    "sentence",
    [
        "By the 1970s, rail travel was in deep decline, and the harbour ferry closed.",
        "By contrast, the new bridge will carry four lanes of traffic.",
        "The council said the photo showed cracks in three of the bridge's supports.",
        "Engineers will return to the site in June to check the repairs.",
        "Shares in the construction firm rose 6.2% after it won the contract.",
        '"We have survived floods and fires," said bakery owner Tom Alvarez.',
        "Mayor Elena Hart said the closure would last eight months.",
        "The reporter who broke the story, Jane Example, was praised by the council.",
        "Back-channel talks are common in times of crisis to reduce the risk of escalation",
    ],
)
def test_article_prose_is_kept(sentence: str) -> None:
    assert boilerplate_kind(sentence) is None


def test_clean_text_drops_furniture_keeps_paragraphs_and_drops_a_repeated_title() -> None:
    page = (
        "Menu\nSearch\n\n"
        "Harbour bridge to close for repairs\n\n"
        "By Jane Example | Harbour Daily\n\n"
        "The council voted to close the bridge. Repairs will take eight months.\n\n"
        "CLICK HERE TO GET THE HARBOUR DAILY APP\n\n"
        "Commuters will use the Riverside crossing instead. (Harbour Daily via AP)\n\n"
        "The council voted to close the bridge.\n\n"
        "©2024 Harbour Daily. All rights reserved. Terms of use. Privacy Policy."
    )
    cleaned = clean_text(page, title="Harbour bridge to close for repairs")
    # A trailing photo credit goes, its sentence stays; the repeated sentence goes entirely.
    assert cleaned.split("\n\n") == [
        "The council voted to close the bridge. Repairs will take eight months.",
        "Commuters will use the Riverside crossing instead.",
    ]


def test_a_paragraph_that_is_mostly_furniture_goes_whole() -> None:
    legal = (
        "This material may not be published, broadcast, rewritten, or redistributed. "
        "©2024 Harbour Daily Media. All rights reserved. Quotes displayed in real-time or "
        "delayed by at least 15 minutes. Some remaining words of the legal block here."
    )
    story = "The bridge will reopen in March, the council said on Tuesday."
    assert clean_text(f"{legal}\n\n{story}") == story


def test_the_filter_works_after_html_extraction() -> None:
    sentences = [
        "The city council of Northbridge voted on Tuesday to close the old harbour bridge.",
        "Engineers found cracks in three of the bridge's steel supports in March.",
        "Mayor Elena Hart said the repairs would cost about $42m and take eight months.",
        "Commuters will be diverted over the Riverside crossing, adding 15 minutes.",
    ]
    html = (
        "<html><head><title>Harbour bridge to close</title></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav><article>"
        "<h1>Harbour bridge to close</h1>"
        + "".join(f"<p>{s}</p>" for s in sentences[:2])
        + "<p>CLICK HERE TO GET THE HARBOUR DAILY APP</p>"
        + "".join(f"<p>{s}</p>" for s in sentences[2:])
        + "<p>The Associated Press contributed to this report.</p>"
        "</article><footer>©2024 Harbour Daily. All rights reserved.</footer></body></html>"
    )
    page = extract_page(html)
    cleaned = clean_text(page.text, title=page.title)
    assert cleaned.split("\n\n") == sentences
