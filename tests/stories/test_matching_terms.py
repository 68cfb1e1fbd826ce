"""Matching terms (summarizer.words): how texts of each language are compared for subject."""

from __future__ import annotations

from summarizer.words import MATCH_PREFIX, matching_terms, text_language


def test_english_terms_are_stems_without_stop_words_and_figures_are_one() -> None:
    assert matching_terms("The ferries were running late in Port Aldane", "en", 10) == [
        "ferri",
        "run",
        "late",
        "port",
        "aldan",
    ]
    assert matching_terms("5.000 or 5,000 or 5000 people", "en", 10) == [
        "5000",
        "5000",
        "5000",
        "peopl",
    ]


def test_hindi_words_keep_their_vowel_signs() -> None:
    # Python's `re` cuts "भूकंप" (earthquake) at its vowel signs; the word must stay whole
    # (then cut to its first letters: Hindi has no stemmer here).
    found = matching_terms("भारत में भूकंप से नुकसान", "hi", 10)
    assert "भूकंप" in found and "में" not in found  # a function word is dropped
    assert all(len(t) <= MATCH_PREFIX for t in found)


def test_greek_capitals_and_accents_compare_alike() -> None:
    assert matching_terms("ΣΕΙΣΜΟΣ στην Αθήνα", "el", 5) == matching_terms(
        "σεισμός στην ΑΘΗΝΑ", "el", 5
    )


def test_arabic_letter_variants_and_hebrew_particles() -> None:
    assert matching_terms("أحمد", "ar", 1) == matching_terms("احمد", "ar", 1)
    # "in Jerusalem" and "Jerusalem": the particle ב is split off before comparing.
    assert matching_terms("בירושלים", "he", 1) == matching_terms("ירושלים", "he", 1)


def test_languages_without_a_stemmer_compare_word_beginnings() -> None:
    # Czech has sumy's stemmer; Hindi none: its words are cut to MATCH_PREFIX letters.
    assert matching_terms("zemětřesení", "cs", 1)[0].startswith("zemětřesen")
    assert matching_terms("प्रधानमंत्री", "hi", 1) == ["प्रधानमंत्री"[:MATCH_PREFIX]]


def test_vietnamese_is_compared_by_syllable_pairs_and_syllables() -> None:
    found = matching_terms("Động đất mạnh và sóng thần ở Nhật Bản", "vi", 30)
    assert "động_đất" in found and "nhật_bản" in found and "đất" in found
    assert not any("và" in t.split("_") for t in found)  # a function syllable is left out


def test_a_texts_language_is_told_from_its_script_and_function_words() -> None:
    assert text_language("Uma balsa com 40 passageiros virou no rio durante a noite") == "pt"
    assert text_language("The ferry struck a cargo ship in thick fog on Tuesday") == "en"
    assert text_language("Động đất mạnh ở Nhật Bản khiến nhiều người bị thương") == "vi"
    assert text_language("भारत में भूकंप से भारी नुकसान हुआ है") == "hi"
    assert text_language("רעידת אדמה חזקה בירושלים") == "he"
    assert text_language("زلزال قوي في القاهرة") == "ar"
    assert text_language("Ισχυρός σεισμός στην Αθήνα") == "el"
    assert text_language("Občané USA mohou odepsat své dary, které poslali obětem") == "cs"
    assert text_language("") == "en" and text_language("12 345", default="pt") == "pt"
