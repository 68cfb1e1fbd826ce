"""Fingerprints recognise the same text; SimHash links the same wire story on two sites."""

from __future__ import annotations

from datetime import UTC, datetime

from collector.dedup import (
    NEAR_DUPLICATE_BITS,
    IndexedArticle,
    NearDuplicateIndex,
    content_fingerprint,
    hamming,
    resemblance,
    simhash,
)

WIRE = (
    "Rescue teams reached the flooded mountain village of Kestrel Ford on Tuesday after two "
    "days in which the only road was cut by a landslide, the regional emergency office said. "
    "About four hundred residents spent the nights in the school gym, which stands on higher "
    "ground, and helicopters dropped water, blankets and medicine. Engineers expect to reopen "
    "one lane of the road by the weekend once the slope above it has been checked. The river "
    "rose faster than at any time since the flood defences were built, and the office said it "
    "would review the warning system that gave residents less than an hour to leave. Farmers "
    "in the lower valley moved cattle to the ridge pastures on Monday night, and several lost "
    "hay stored in barns near the water. The regional council has promised emergency payments "
    "to households whose ground floors were flooded, and volunteers from neighbouring towns "
    "have begun clearing mud from the main street. The school will stay closed to pupils until "
    "the families sheltering there can return home, which officials hope will be within a week. "
    "Power was restored to most homes on Tuesday evening, although the telephone line along "
    "the valley remains down and a temporary mast has been brought in to restore mobile signal."
)
OTHER = (
    "The city orchestra will tour four northern towns next spring with a programme of folk "
    "songs arranged for strings, its director said, after a grant from the arts council covered "
    "the cost of travel. Rehearsals begin in January in the old corn exchange, and tickets will "
    "be sold at local libraries as well as online. The tour ends with a free open-air concert "
    "in the park if the weather allows, and the orchestra hopes to record the programme in the "
    "summer for a new album that schools can use in music lessons."
)


def test_fingerprint_ignores_case_spacing_and_punctuation_but_not_words() -> None:
    reformatted = WIRE.upper().replace(", ", " ,  ").replace(". ", ".\n\n")
    assert content_fingerprint(WIRE, "https://a.example/1") == content_fingerprint(
        reformatted, "https://b.example/2"
    )
    assert content_fingerprint(WIRE, "u") != content_fingerprint(OTHER, "u")


def test_short_texts_are_identified_by_url_not_by_their_few_words() -> None:
    teaser = "Read more on our website."
    assert content_fingerprint(teaser, "https://a.example/1") != content_fingerprint(
        teaser, "https://a.example/2"
    )
    assert simhash(teaser) is None


def test_simhash_finds_the_edited_wire_copy_and_not_an_unrelated_story() -> None:
    edited = (
        "KESTREL FORD (Agency) - "
        + WIRE.replace("Tuesday", "Tuesday morning").replace("About four", "Some four")
        + " Additional reporting by our correspondent."
    )
    original, copy, other = simhash(WIRE), simhash(edited), simhash(OTHER)
    assert original is not None and copy is not None and other is not None
    assert -(2**63) <= original < 2**63  # fits a signed BIGINT column
    assert hamming(original, copy) <= NEAR_DUPLICATE_BITS
    assert hamming(original, other) > 12

    index = NearDuplicateIndex()
    now = datetime.now(UTC)
    index.add(IndexedArticle(1, original, story_id=10, fetched_at=now))
    index.add(IndexedArticle(2, other, story_id=20, fetched_at=now))
    found = index.nearest(copy)
    assert found is not None and (found.article_id, found.story_id) == (1, 10)


def test_index_forgets_old_articles() -> None:
    index = NearDuplicateIndex()
    value = simhash(WIRE)
    assert value is not None
    index.add(IndexedArticle(1, value, 1, datetime(2026, 1, 1, tzinfo=UTC)))
    index.forget_before(datetime(2026, 1, 2, tzinfo=UTC))
    assert index.nearest(value) is None


def test_resemblance_confirms_copies_and_rejects_different_texts() -> None:
    copy = "KESTREL FORD (Agency) - " + WIRE.replace("About four", "Some four")
    assert resemblance(WIRE, copy) > 0.8
    assert resemblance(WIRE, OTHER) < 0.1
    assert resemblance("", "") == 0.0
