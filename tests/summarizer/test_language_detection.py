"""An article's language from its text, the feed's declared language only as a hint."""

from __future__ import annotations

import pytest

from summarizer.language import detect_language, normalise_code

# Written for these tests (not from any corpus).
TEXTS = {
    "pt": "A câmara municipal aprovou nesta quarta-feira a construção de uma barreira contra "
    "as cheias do rio, depois de dez anos de estudos e duas propostas rejeitadas.",
    "ru": "Городской совет в среду одобрил строительство защитной дамбы на реке после десяти "
    "лет споров о том, как защитить низменный портовый район от наводнений.",
    "de": "Der Stadtrat hat am Mittwochabend den Bau eines Sperrwerks an der Flussmündung "
    "beschlossen und damit einen zehnjährigen Streit über den Hochwasserschutz beendet.",
    "ar": "وافق مجلس المدينة مساء الأربعاء على بناء حاجز للمد عند مصب النهر بعد عشر سنوات "
    "من الجدل حول كيفية حماية حي الميناء المنخفض من الفيضانات.",
    "uk": "Міська рада в середу схвалила будівництво захисної дамби на річці після десяти "
    "років суперечок про те, як захистити низинний портовий район від повеней.",
    "vi": "Hội đồng thành phố đã thông qua việc xây dựng đập chắn sóng ở cửa sông sau mười "
    "năm tranh cãi về cách bảo vệ khu cảng trũng thấp khỏi lũ lụt.",
}


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_the_text_says_its_language(language: str) -> None:
    assert detect_language(TEXTS[language]) == language


def test_a_confident_text_overrules_the_feeds_declared_language() -> None:
    # A CMS that declares en-US on everything: the Portuguese article is still Portuguese.
    assert detect_language(TEXTS["pt"], hint="en-US") == "pt"


def test_a_headline_too_short_to_tell_takes_the_feeds_language() -> None:
    assert detect_language("Greve geral", hint="pt-BR") == "pt"
    assert detect_language("Brexit", hint="de") == "de"
    # Without a hint, a few words say nothing for sure: no language rather than a wrong one.
    assert detect_language("Brexit") is None
    assert detect_language("") is None and detect_language("2026", hint="xx-bogus!") is None


def test_declared_languages_are_read_as_iso_codes() -> None:
    assert normalise_code("en-US") == "en"
    assert normalise_code("pt_BR") == "pt"
    assert normalise_code(" DE ") == "de"
    assert normalise_code("English") is None and normalise_code(None) is None
