"""Fictional news written for these tests: stories reported by several outlets each."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.models import Article, ArticleTopic, Story
from storage.topics import get_topic

_ids = itertools.count(1)


@dataclass(frozen=True)
class Report:
    """One outlet's article about a story."""

    source: str
    title: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        """The article's clean text, paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)


CEASEFIRE = (
    Report(
        "Northern Herald",
        "Valdoria ceasefire talks resume in Geneva",
        (
            "Negotiators from Valdoria and Ostmark resumed ceasefire talks in Geneva on Monday "
            "after a pause of three weeks.",
            "The mediators said both delegations agreed to discuss a prisoner exchange first.",
            "A senior diplomat said the talks could last until the end of the week.",
            "Shelling along the eastern border continued overnight, local officials reported.",
        ),
    ),
    Report(
        "Lakeside Times",
        "Geneva hosts new round of Valdoria–Ostmark negotiations",
        (
            "A new round of ceasefire negotiations between Valdoria and Ostmark opened in Geneva "
            "with a focus on prisoners of war.",
            "Both sides exchanged lists of 400 detained soldiers ahead of the meeting.",
            "The Swiss foreign ministry offered to host further sessions if progress is made.",
            "Humanitarian groups urged the delegations to open a corridor for grain convoys.",
        ),
    ),
    Report(
        "Capital Wire",
        "Prisoner swap tops agenda as Valdoria talks restart",
        (
            "A prisoner swap topped the agenda as talks between Valdoria and Ostmark restarted "
            "in Geneva.",
            "Officials said a first exchange of 120 prisoners could happen within days.",
            "Opposition leaders in Ostmark criticised the talks as premature.",
            "Grain exports through the southern ports remain suspended during the fighting.",
        ),
    ),
)

FERRY = (
    Report(
        "Harbour Post",
        "Ferry crews strike over night shifts",
        (
            "Ferry crews on the island routes walked out on Tuesday in a dispute over night "
            "shift pay.",
            "Only one emergency crossing a day will run while the strike lasts.",
            "The operator said it had offered a pay rise of four percent.",
            "Island shopkeepers said deliveries of fresh food were already running late.",
        ),
    ),
    Report(
        "Coastal Courier",
        "Island ferries halted as crews walk out",
        (
            "Island ferries stopped running on Tuesday morning as crews began a strike over "
            "pay for night shifts.",
            "The union said talks with the operator broke down after midnight.",
            "Commuters queued for hours at the harbour for the single emergency boat.",
        ),
    ),
)

LIBRARY = (
    Report(
        "Town Crier",
        "City library to open on Sundays",
        (
            "The central library will open on Sundays from next month after a campaign by "
            "parents and students.",
            "Opening hours will run from ten in the morning until four in the afternoon.",
            "The extra day is paid for by a grant from a local charity for three years.",
            "Librarians said Sunday was the day most requested in a survey of 2,000 readers.",
        ),
    ),
)


async def add_reported_story(
    db: Database,
    topic: str,
    reports: Sequence[Report],
    *,
    fetched_at: datetime,
    summary: Sequence[str] = (),
) -> int:
    """A story carried by one article per report, in `topic`; returns the story id."""
    async with db.session() as session:
        found = await get_topic(session, topic)
        assert found is not None, topic
        story = Story(
            title=reports[0].title,
            summary="\n".join(summary or reports[0].paragraphs[:2]),
            source_count=len(reports),
            first_seen_at=fetched_at,
            updated_at=fetched_at,
        )
        session.add(story)
        await session.flush()
        for report in reports:
            number = next(_ids)
            url = f"https://{report.source.lower().replace(' ', '')}.example/news/{number}"
            article = Article(
                story_id=story.id,
                url=url,
                title=report.title,
                source_name=report.source,
                published_at=fetched_at,
                fetched_at=fetched_at,
                text=report.text,
                fingerprint=hashlib.sha256(url.encode()).hexdigest(),
            )
            session.add(article)
            await session.flush()
            session.add(ArticleTopic(article_id=article.id, topic_id=found.id))
        return story.id


def all_sentences(reports: Sequence[Report]) -> set[str]:
    """Every sentence of these reports (each paragraph above is one or more whole sentences)."""
    return {p for report in reports for p in report.paragraphs}
