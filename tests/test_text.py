"""The folded view: one character per character, so offsets never move."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kommunnlp.text import _FOLD, _translate, collapse_ws, fold, ocr_pattern


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Socialnämndens BESLUT", "socialnamndens beslut"),
        ("Årsredovisning – Övrigt", "arsredovisning - ovrigt"),
        ("Malmstrém", "malmstrem"),
        ("", ""),
    ],
)
def test_text_fold(text: str, expected: str) -> None:
    assert fold(text) == expected
    assert len(fold(text)) == len(text)


@given(st.text(max_size=2000))
def test_text_fast_translate_equals_table(text: str) -> None:
    assert _translate(text) == text.translate(_FOLD)


def test_text_fold_long_text_same_length_and_cached() -> None:
    text = "Ärendet gäller Dnr KS 2018/906. " * 100
    folded = fold(text)
    assert len(folded) == len(text) and fold(text) is folded


@pytest.mark.parametrize("text", ["?", "Ä?–?Ö", "\ud800?\udfff Å", "–" * 3 + "?" * 3, "x?\u2019?"])
def test_text_fast_translate_question_marks_and_surrogates(text: str) -> None:
    # Characters outside Latin-1 become `?` in the byte translation; real `?` must stay.
    assert _translate(text) == text.translate(_FOLD)


def test_text_fast_translate_every_code_point() -> None:
    text = "".join(chr(cp) for cp in range(0x2600) if not 0xD800 <= cp <= 0xDFFF)
    assert _translate(text) == text.translate(_FOLD)


@pytest.mark.parametrize(
    ("word", "damaged"),
    [("nämnden", "nimnden"), ("nämnden", "n&mnden"), ("förslag", "forslag"), ("förslag", "f6rslag")],
)
def test_text_ocr_pattern_accepts_damage(word: str, damaged: str) -> None:
    import re

    assert re.fullmatch(ocr_pattern(word), fold(damaged))


def test_text_ocr_pattern_il() -> None:
    import re

    assert re.fullmatch(ocr_pattern("diarienummer", il=True), fold("D1arienummer"))
    assert not re.fullmatch(ocr_pattern("diarienummer"), fold("D1arienummer"))


def test_text_collapse_ws() -> None:
    assert collapse_ws("  a\n\t b  ") == "a b"
