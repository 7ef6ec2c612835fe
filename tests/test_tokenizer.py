"""kommunnlp's tokenizer: spaCy's tokens where text is ordinary, linear time where it is not."""

from __future__ import annotations

import time

import pytest
import spacy

import kommunnlp
from kommunnlp.extensions import doc_text
from kommunnlp.tokenizer import MAX_RUN, TextKeepingTokenizer

from .test_api import EXAMPLE, sample_texts


def test_tokenizer_is_the_default_of_the_pipeline(nlp) -> None:
    assert isinstance(nlp.tokenizer, TextKeepingTokenizer)
    assert nlp.config["nlp"]["tokenizer"]["@tokenizers"] == "kommunnlp.Tokenizer.v1"


def test_tokenizer_tokens_equal_spacy_default_on_ordinary_text(nlp) -> None:
    blank = spacy.blank("sv")
    for text in sample_texts():
        assert [t.text for t in nlp.make_doc(text)] == [t.text for t in blank.make_doc(text)]


def test_tokenizer_keeps_the_text(nlp) -> None:
    doc = nlp.make_doc(EXAMPLE)
    assert doc_text(doc) is EXAMPLE


@pytest.mark.parametrize(
    "text",
    [
        "(" * (MAX_RUN * 5),
        "a " + '"' * (MAX_RUN + 1) + "\n\n Dnr KS 2018/906 " + ")" * MAX_RUN,
        ("(" * (MAX_RUN - 1) + " ") * 20,
        "x" * (MAX_RUN * 3) + " (S) 2019-01-01 " + "§" * (MAX_RUN * 2),
        "  " + "-/." * MAX_RUN + "\t",
    ],
)
def test_tokenizer_long_runs_keep_text_and_offsets(nlp, text: str) -> None:
    doc = nlp.make_doc(text)
    assert doc.text == text
    record = kommunnlp.extract(text)
    for mention in record.dnr + record.dates:
        assert text[mention.start : mention.end] == mention.text


@pytest.mark.parametrize("char", ["(", ")", '"', "'", "["])
def test_tokenizer_punctuation_runs_take_linear_time(nlp, char: str) -> None:
    start = time.perf_counter()
    nlp.make_doc(char * 100_000)
    assert time.perf_counter() - start < 5.0
