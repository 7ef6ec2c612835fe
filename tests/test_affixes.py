"""The affix pre-filters give exactly what spaCy's plain regexes give, on any string."""

from __future__ import annotations

import pickle
import re

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy import util

from kommunnlp.affixes import (
    InfixFinditer,
    PrefixSearch,
    SuffixSearch,
    edge_chars,
    filtered_infix_finditer,
    filtered_prefix_search,
    filtered_suffix_search,
)
from kommunnlp.tokenizer import TextKeepingTokenizer

from .test_api import sample_texts

DEFAULTS = spacy.blank("sv").Defaults
SUFFIX = util.compile_suffix_regex(DEFAULTS.suffixes)
PREFIX = util.compile_prefix_regex(DEFAULTS.prefixes)
INFIX = util.compile_infix_regex(DEFAULTS.infixes)

# Characters the Swedish affix rules care about, next to letters, digits and white space.
ALPHABET = st.sampled_from([*"aAkmgsthzåÄö0129.,:;!?-–—/+*^'\"()[]{}<>%$€£°§…&_#@=|\n ", "km", "kr", "'s"])
# Domain fragments, and any Unicode at all.
CHUNKS = st.one_of(st.lists(ALPHABET, max_size=14).map("".join), st.text(max_size=10))
OURS = spacy.blank("sv", config={"nlp": {"tokenizer": {"@tokenizers": "kommunnlp.Tokenizer.v1"}}})
PLAIN = spacy.blank("sv")
SUFFIX_FILTERED = filtered_suffix_search(SUFFIX.search)
PREFIX_FILTERED = filtered_prefix_search(PREFIX.search)
INFIX_FILTERED = filtered_infix_finditer(INFIX.finditer)


def _span(match: re.Match[str] | None) -> tuple[int, int] | None:
    return None if match is None else match.span()


def test_filters_are_installed_for_the_swedish_defaults() -> None:
    assert isinstance(SUFFIX_FILTERED.__self__, SuffixSearch)
    assert isinstance(PREFIX_FILTERED.__self__, PrefixSearch)
    assert isinstance(INFIX_FILTERED.__self__, InfixFinditer)


@settings(max_examples=400, deadline=None)
@given(CHUNKS)
def test_filtered_searches_equal_the_plain_regexes(chunk: str) -> None:
    assert _span(SUFFIX_FILTERED(chunk)) == _span(SUFFIX.search(chunk))
    assert _span(PREFIX_FILTERED(chunk)) == _span(PREFIX.search(chunk))
    filtered = [m.span() for m in INFIX_FILTERED(chunk)]
    assert filtered == [m.span() for m in INFIX.finditer(chunk)]


@pytest.mark.parametrize(
    "chunk",
    ["", "5km", "5km\n", "kommun.", "(S)", "1999-2000", "a/b", "etc…", "...", "20%", "US$", "o'", "x\n", "\n"],
)
def test_filtered_searches_on_edge_cases(chunk: str) -> None:
    assert _span(SUFFIX_FILTERED(chunk)) == _span(SUFFIX.search(chunk))
    assert _span(PREFIX_FILTERED(chunk)) == _span(PREFIX.search(chunk))
    assert [m.span() for m in INFIX_FILTERED(chunk)] == [m.span() for m in INFIX.finditer(chunk)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(CHUNKS, st.sampled_from([" ", "\n", "  ", "\t"])), max_size=30).map("".join))
def test_tokens_equal_spacy_default_on_any_text(text: str) -> None:
    assert isinstance(OURS.tokenizer, TextKeepingTokenizer)
    assert [(t.text, t.whitespace_) for t in OURS.make_doc(text)] == [
        (t.text, t.whitespace_) for t in PLAIN.make_doc(text)
    ]


@pytest.mark.parametrize(
    ("pattern", "last", "expected"),
    [
        ("ab$|c$", True, {ord("b"), ord("c")}),
        ("^(?:x|[0-2])", False, {ord("x"), ord("0"), ord("1"), ord("2")}),
        ("(?<=[0-9])(?:km|m)$", True, {ord("m")}),
        ("a*$", True, None),  # can match the empty string
        ("\\d$", True, None),  # a category is not enumerated
        ("(?i)a$", True, None),  # case folding is not worked out
        ("[^a]$", True, None),
    ],
)
def test_edge_chars(pattern: str, last: bool, expected: set[int] | None) -> None:
    assert edge_chars(pattern, last=last) == expected


def test_unanalysable_patterns_keep_the_plain_search() -> None:
    for make, pattern in [
        (filtered_suffix_search, re.compile(r"\d$|x$")),
        (filtered_prefix_search, re.compile(r"^(?i:a)")),
        (filtered_infix_finditer, re.compile(r".")),
    ]:
        func = pattern.search if make is not filtered_infix_finditer else pattern.finditer
        assert make(func) is func
    # Not every branch anchored: the filters would be wrong, so none is used.
    unanchored = re.compile(r"a$|b").search
    assert filtered_suffix_search(unanchored) is unanchored
    assert filtered_suffix_search(None) is None


def test_serialisation_keeps_patterns_and_filters(nlp) -> None:
    tokenizer = nlp.tokenizer
    assert isinstance(tokenizer, TextKeepingTokenizer)
    # spaCy serialises the pattern strings; they are the original ones.
    assert tokenizer.suffix_search.__self__.pattern == SUFFIX.pattern
    restored = TextKeepingTokenizer(nlp.vocab).from_bytes(tokenizer.to_bytes())
    assert isinstance(restored.suffix_search.__self__, SuffixSearch)
    assert isinstance(restored.infix_finditer.__self__, InfixFinditer)
    assert isinstance(restored.prefix_search.__self__, PrefixSearch)
    unpickled = pickle.loads(pickle.dumps(tokenizer))
    for text in sample_texts()[:20]:
        tokens = [t.text for t in tokenizer(text)]
        assert [t.text for t in restored(text)] == tokens
        assert [t.text for t in unpickled(text)] == tokens
