"""Words and sentences in scripts and languages beyond English."""

from __future__ import annotations

import logging

import pytest

from summarizer import summarize
from summarizer.multidoc import StoryArticle, summarize_story
from summarizer.sentences import split_sentences
from summarizer.words import (
    frequent_words,
    guess_language,
    language_code,
    language_stop_words,
    unicode_words,
)


def test_hindi_words_keep_their_vowel_signs() -> None:
    assert unicode_words("हिन्दी भाषा का विकास") == ["हिन्दी", "भाषा", "का", "विकास"]


def test_language_codes_from_names_and_tags() -> None:
    assert language_code("EN-us") == "en"
    assert language_code("pt_BR") == "pt"
    assert language_code("hindi") == "hi"
    assert language_code("") == ""
    assert language_code(None) == ""


def test_stop_words_for_languages_without_a_sumy_list() -> None:
    assert {"का", "और"} <= language_stop_words("hi")
    assert {"và", "của"} <= language_stop_words("vi")
    assert "the" in language_stop_words("en")
    assert language_stop_words("xx") == frozenset()
    sentences = [["le", "chat", f"mot{i}"] for i in range(10)]
    assert frequent_words(sentences) == {"le", "chat"}


def test_guess_language_keeps_english_rules_off_portuguese() -> None:
    words = [
        "O",
        "presidente",
        "disse",
        "que",
        "a",
        "economia",
        "do",
        "país",
        "vai",
        "crescer",
        "nos",
        "próximos",
        "anos",
    ]
    assert guess_language(words) == "pt"
    assert guess_language(["The", "council", "voted", "to", "close", "the", "bridge"]) == "en"


def test_sentences_end_where_each_language_ends_them() -> None:
    assert split_sentences("यह पहला वाक्य है। यह दूसरा वाक्य है।", "hi") == [
        "यह पहला वाक्य है।",
        "यह दूसरा वाक्य है।",
    ]
    assert split_sentences("Τι έγινε; Ο σεισμός χτύπησε.", "el") == [
        "Τι έγινε;",
        "Ο σεισμός χτύπησε.",
    ]
    assert split_sentences("O Sr. Silva chegou. Ele falou.", "pt") == [
        "O Sr. Silva chegou.",
        "Ele falou.",
    ]
    assert split_sentences("هل انتهى؟ نعم انتهى.", "ar") == ["هل انتهى؟", "نعم انتهى."]
    # A Vietnamese inline photo credit ends the caption it closes.
    assert split_sentences(
        "Người biểu tình sáng nay - Ảnh: AFP Theo Hãng tin AFP, CNRP tuyên bố.", "vi"
    ) == ["Người biểu tình sáng nay - Ảnh: AFP", "Theo Hãng tin AFP, CNRP tuyên bố."]


def test_an_abbreviation_ends_a_sentence_only_before_a_function_word() -> None:
    assert split_sentences("The U.S. President spoke. It rained.") == [
        "The U.S. President spoke.",
        "It rained.",
    ]
    assert split_sentences("He works for Acme Inc. The firm grew.") == [
        "He works for Acme Inc.",
        "The firm grew.",
    ]


def test_greek_is_summarised_by_news_not_by_the_fallback(caplog: pytest.LogCaptureFixture) -> None:
    # sumy's Greek stemmer needs a package we do not install; Greek words are then compared
    # unstemmed instead of `news` failing on the first word and the lead standing in.
    text = (
        "Η κυβέρνηση ανακοίνωσε νέα μέτρα για την οικονομία της χώρας. "
        "Οι βουλευτές της αντιπολίτευσης ζήτησαν πρόωρες εκλογές. "
        "Τα μέτρα για την οικονομία περιλαμβάνουν μείωση φόρων. "
        "Η συνεδρίαση της βουλής διήρκεσε έως αργά το βράδυ."
    )
    with caplog.at_level(logging.WARNING):
        picked = summarize(text, sentences=2, algorithm="news", language="el")
    assert len(picked) == 2
    assert "failed" not in caplog.text


# Written for these tests.
CHINESE = (
    "北京市政府周三宣布，将在明年建设新的地铁线路。这条线路全长三十公里，连接机场和市中心。"
    "\n\n预计二零二八年通车，总投资约为四百亿元。市民对此表示欢迎。"
)
THAI = "รัฐบาลประกาศแผนสร้างรถไฟฟ้าสายใหม่ เส้นทางยาวสามสิบกิโลเมตร คาดว่าจะเปิดให้บริการในปี 2571"


def test_chinese_and_thai_articles_are_summarised_by_position() -> None:
    assert summarize(CHINESE, title="北京将建设新地铁线路", sentences=2) == [
        "北京市政府周三宣布，将在明年建设新的地铁线路。",
        "这条线路全长三十公里，连接机场和市中心。",
    ]
    assert summarize(THAI, sentences=2, language="th") == [
        "รัฐบาลประกาศแผนสร้างรถไฟฟ้าสายใหม่",
        "เส้นทางยาวสามสิบกิโลเมตร",
    ]


def test_a_chinese_story_is_summarised_from_its_first_report() -> None:
    first = StoryArticle("甲报", "北京将建设新地铁线路", CHINESE)
    second = StoryArticle("乙报", "北京新地铁线获批", "北京新地铁线路周三获批，全长三十公里。")
    assert summarize_story([first, second], 2) == [
        "北京市政府周三宣布，将在明年建设新的地铁线路。",
        "这条线路全长三十公里，连接机场和市中心。",
    ]


def test_a_short_article_keeps_its_lead_when_most_of_it_is_asked_for() -> None:
    # Written for this test: four sentences, three asked for. The lead holds the news.
    text = (
        "Auf einem stillgelegten Güterbahnhof haben Biologen 41 Wildbienenarten gezählt, "
        "darunter drei, die als verschollen galten.\n\nDas Gelände liegt seit zwölf Jahren "
        "brach. Zwischen den Gleisen wachsen Thymian und Wilde Möhre.\n\nDie Forscher "
        "empfehlen, einen Teil der Fläche als Schutzgebiet zu erhalten."
    )
    summary = summarize(text, title="Seltene Wildbienen am Bahnhof", sentences=3, language="de")
    assert summary[0].startswith("Auf einem stillgelegten Güterbahnhof")
    assert len(summary) == 3
