"""Sentence splitting: abbreviations, initials, decimals, quotes and paragraph structure."""

from __future__ import annotations

import pytest

from summarizer import split_sentences
from summarizer.words import words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The U.S. said on Monday it would act. Mr. Lavrov disagreed.",
            ["The U.S. said on Monday it would act.", "Mr. Lavrov disagreed."],
        ),
        (
            "Quarterly profits jumped 76% to $1.13bn in the quarter. Sales rose 2%.",
            ["Quarterly profits jumped 76% to $1.13bn in the quarter.", "Sales rose 2%."],
        ),
        (
            # The sentence ends after "D.C." but the abbreviation itself never splits.
            "The talks moved to Washington, D.C. The first round starts on Monday.",
            ["The talks moved to Washington, D.C.", "The first round starts on Monday."],
        ),
        (
            "J. R. R. Tolkien wrote the books. He died in 1973.",
            ["J. R. R. Tolkien wrote the books.", "He died in 1973."],
        ),
        (
            '"We will not give up," she said. "Not today." Then the meeting ended.',
            ['"We will not give up," she said.', '"Not today."', "Then the meeting ended."],
        ),
        (
            "Inflation fell to 2.5 per cent in the U.K. economy. Dr. Okafor welcomed it.",
            ["Inflation fell to 2.5 per cent in the U.K. economy.", "Dr. Okafor welcomed it."],
        ),
        (
            "Sen. John Smith, R-Ariz., spoke at 3 p.m. on Friday. Gov. Brown listened.",
            ["Sen. John Smith, R-Ariz., spoke at 3 p.m. on Friday.", "Gov. Brown listened."],
        ),
        (
            'He asked "why?" and left. She stayed.',
            ['He asked "why?" and left.', "She stayed."],
        ),
    ],
)
def test_hard_cases_split_where_a_reader_would(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_a_paragraph_break_always_ends_a_sentence() -> None:
    text = "The first paragraph has no full stop\n\nThe second one does."
    assert split_sentences(text) == ["The first paragraph has no full stop", "The second one does."]


def test_menu_lines_stay_apart_but_hard_wrapped_prose_is_rejoined() -> None:
    menu = "Home\nWorld\nBusiness"
    assert split_sentences(menu) == ["Home", "World", "Business"]
    wrapped = (
        "The council said on Tuesday that the bridge would stay closed for\n"
        "eight months while engineers replace three supports."
    )
    assert split_sentences(wrapped) == [wrapped.replace("\n", " ")]


def test_odd_input_never_breaks_the_splitter() -> None:
    assert split_sentences("") == []
    assert split_sentences("   \n\n \t ") == []
    assert split_sentences("\x00\x01 binary \ufffd junk") == ["binary junk"]
    huge = "word " * 5000  # one "sentence" far longer than prose is cut into pieces
    assert all(len(s) <= 2000 for s in split_sentences(huge))


def test_words_keep_abbreviations_and_contractions_whole() -> None:
    assert words("The U.S. didn't cut rates, said Jean-Luc.") == [
        "The",
        "U.S",
        "didn't",
        "cut",
        "rates",
        "said",
        "Jean-Luc",
    ]


def test_chinese_and_japanese_sentences_end_at_full_width_stops_without_a_space() -> None:
    # Written for this test.
    assert split_sentences("市政府宣布建设新线路。全长三十公里。预计明年通车！怎么样？", "zh") == [
        "市政府宣布建设新线路。",
        "全长三十公里。",
        "预计明年通车！",
        "怎么样？",
    ]
    assert split_sentences("新路線を発表した。「全長三十キロ。」完成は来年だ。", "ja") == [
        "新路線を発表した。",
        "「全長三十キロ。」",
        "完成は来年だ。",
    ]


def test_thai_sentences_end_at_a_space_between_thai_letters() -> None:
    text = "รัฐบาลประกาศแผนสร้างรถไฟฟ้าสายใหม่ เส้นทางยาวสามสิบกิโลเมตร"
    assert split_sentences(text, "th") == [
        "รัฐบาลประกาศแผนสร้างรถไฟฟ้าสายใหม่",
        "เส้นทางยาวสามสิบกิโลเมตร",
    ]


def test_ordinal_dates_do_not_end_a_sentence_where_ordinals_take_a_dot() -> None:
    text = (
        "Der Rat hat am 3. Mai beschlossen, zu bauen. Das gilt ab 1. Januar. Es kostet 2. "
        "Das war es."
    )
    assert split_sentences(text, "de") == [
        "Der Rat hat am 3. Mai beschlossen, zu bauen.",
        "Das gilt ab 1. Januar.",
        "Es kostet 2.",
        "Das war es.",
    ]
    # English keeps its rule: "3. May" is not how it writes a date.
    assert split_sentences("It fell to 3. Many left.", "en") == ["It fell to 3.", "Many left."]
