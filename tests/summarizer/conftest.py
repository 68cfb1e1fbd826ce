"""Where the evaluation data and the seed page live, and a fictional article for the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SEED_PAGE = REPO.parent / "shared" / "seed" / "scraped-news-page.txt"

# Written for these tests: a fictional story with a lead, quotes, numbers and an aside.
ARTICLE = """\
Northbridge council votes to close harbour bridge for repairs

The city council of Northbridge voted on Tuesday to close the old harbour bridge for eight \
months after engineers found cracks in three of its steel supports.

Mayor Elena Hart said the repairs would cost about $42m. "Nobody wants to close the bridge, but \
nobody wants it to fall down either," she told reporters.

Commuters will be diverted over the Riverside crossing, adding about 15 minutes to a journey. \
The transport authority promised extra buses and a temporary ferry.

Opposition councillors said a 2019 report had already warned that the supports needed \
replacing. The council said it had followed the report's advice as far as its budget allowed.

Local businesses near the harbour fear a drop in trade while the bridge is shut. A bakery owner, \
Tom Alvarez, said he would open a stall on the Riverside side of the river.
"""
ARTICLE_TITLE = "Northbridge council votes to close harbour bridge for repairs"


@pytest.fixture
def seed_page() -> str:
    """The real scraped page with boilerplate, or a skip saying where it was looked for."""
    if not SEED_PAGE.is_file():
        pytest.skip(f"seed page not found at {SEED_PAGE} (the shared/ folder beside the repo)")
    return SEED_PAGE.read_text(encoding="utf-8")
