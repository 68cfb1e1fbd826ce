"""A chat's own choices: briefing options (/settings) and personal filters (/follow, /mute).

Options left unset (NULL) follow the bot's defaults, so changing a default in the deployment's
settings reaches every chat that never chose. Filters are stored as typed and matched like an
admin topic's keywords (summarizer/keywords.py): stemmed words, "-word" excludes, never a pattern
the user wrote.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PersonalFilter, Subscriber

FOLLOW, MUTE = "follow", "mute"
ITEMS_RANGE = range(3, 16)  # items per briefing a chat may choose
SENTENCES_RANGE = range(0, 4)  # sentences per item; 0: headlines only
MAX_FILTERS = 20  # per chat and kind: matching costs a pass over every candidate story
MAX_FILTER_LENGTH = 200
BOOLEAN_OPTIONS = ("silent", "link_preview", "lead_image", "breaking")


@dataclass(frozen=True)
class ChatOptions:
    """How a chat wants its briefings; None: the bot's default."""

    items: int | None = None
    sentences: int | None = None
    silent: bool = False
    link_preview: bool = False
    lead_image: bool = False
    breaking: bool = False

    @classmethod
    def of(cls, subscriber: Subscriber) -> ChatOptions:
        """The options stored on a subscriber row."""
        return cls(
            subscriber.items_per_briefing,
            subscriber.sentences_per_item,
            bool(subscriber.silent),
            bool(subscriber.link_preview),
            bool(subscriber.lead_image),
            bool(subscriber.breaking),
        )


@dataclass(frozen=True)
class Filter:
    """One /follow or /mute entry of a chat."""

    id: int
    kind: str
    keywords: str


async def set_items(session: AsyncSession, subscriber_id: int, items: int | None) -> None:
    """Items per briefing (None: the bot's default); the caller checks ITEMS_RANGE."""
    if items is not None and items not in ITEMS_RANGE:
        raise ValueError(f"items per briefing must be {ITEMS_RANGE.start}-{ITEMS_RANGE.stop - 1}")
    await _update(session, subscriber_id, items_per_briefing=items)


async def set_sentences(session: AsyncSession, subscriber_id: int, sentences: int | None) -> None:
    """Sentences per item (0: headlines only; None: the bot's default)."""
    if sentences is not None and sentences not in SENTENCES_RANGE:
        raise ValueError("sentences per item must be 0-3")
    await _update(session, subscriber_id, sentences_per_item=sentences)


async def set_flag(session: AsyncSession, subscriber_id: int, name: str, value: bool) -> None:
    """Turn one of BOOLEAN_OPTIONS on or off."""
    if name not in BOOLEAN_OPTIONS:
        raise ValueError(f"unknown option {name!r}")
    await _update(session, subscriber_id, **{name: value})


async def _update(session: AsyncSession, subscriber_id: int, **values: object) -> None:
    await session.execute(update(Subscriber).where(Subscriber.id == subscriber_id).values(values))


def normalise_keywords(words: Collection[str]) -> str:
    """The words as one filter: lower case, single spaces, duplicates dropped, order kept."""
    seen: dict[str, None] = {}
    for word in words:
        word = word.strip().lower()
        if word and word not in ("-",):
            seen.setdefault(word, None)
    return " ".join(seen)[:MAX_FILTER_LENGTH]


async def add_filter(
    session: AsyncSession, subscriber_id: int, kind: str, keywords: str, now: datetime
) -> bool:
    """Add a /follow or /mute entry; False if the chat has it already. Raises ValueError when
    the chat already has MAX_FILTERS of that kind."""
    if kind not in (FOLLOW, MUTE):
        raise ValueError(f"unknown filter kind {kind!r}")
    existing = await session.scalar(
        select(PersonalFilter.id).where(
            PersonalFilter.subscriber_id == subscriber_id,
            PersonalFilter.kind == kind,
            PersonalFilter.keywords == keywords,
        )
    )
    if existing is not None:
        return False
    count = await session.scalar(
        select(func.count())
        .select_from(PersonalFilter)
        .where(PersonalFilter.subscriber_id == subscriber_id, PersonalFilter.kind == kind)
    )
    if (count or 0) >= MAX_FILTERS:
        raise ValueError(f"at most {MAX_FILTERS} per chat")
    session.add(
        PersonalFilter(subscriber_id=subscriber_id, kind=kind, keywords=keywords, created_at=now)
    )
    await session.flush()
    return True


async def remove_filter(session: AsyncSession, subscriber_id: int, filter_id: int) -> str | None:
    """Remove one of the chat's filters; returns its words, or None if it had no such filter."""
    entry = await session.get(PersonalFilter, filter_id)
    if entry is None or entry.subscriber_id != subscriber_id:
        return None
    await session.execute(delete(PersonalFilter).where(PersonalFilter.id == filter_id))
    return entry.keywords


async def filters_of(
    session: AsyncSession, subscriber_ids: Collection[int]
) -> dict[int, list[Filter]]:
    """Every filter of these chats, oldest first."""
    if not subscriber_ids:
        return {}
    rows = await session.execute(
        select(
            PersonalFilter.subscriber_id,
            PersonalFilter.id,
            PersonalFilter.kind,
            PersonalFilter.keywords,
        )
        .where(PersonalFilter.subscriber_id.in_(list(subscriber_ids)))
        .order_by(PersonalFilter.id)
    )
    found: defaultdict[int, list[Filter]] = defaultdict(list)
    for subscriber_id, filter_id, kind, keywords in rows.tuples():
        found[subscriber_id].append(Filter(filter_id, kind, keywords))
    return dict(found)
