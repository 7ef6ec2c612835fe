"""spaCy's tokenizer, keeping the text it was given, and linear on any input.

``Doc.text`` is rebuilt from the tokens on every access, and costs more than tokenising did; the
components need the text once per document. This tokenizer records it (weakly, per ``Doc``) so
:func:`kommunnlp.extensions.doc_text` can hand it out.

spaCy strips prefixes and suffixes one at a time, re-slicing the rest each time, so a long run
without white space made of punctuation (`(` or `"` repeated) takes quadratic time: minutes for
100,000 characters. Real text has few such runs; damaged or adversarial text does. Runs longer
than ``MAX_RUN`` characters are therefore split into words and single symbols by one linear
regex, which bounds the cost per run; everything else is tokenised exactly as by spaCy's default
tokenizer.

spaCy's prefix, suffix and infix regexes take most of its tokenising time; this tokenizer runs
them behind the exact pre-filters of :mod:`kommunnlp.affixes`, which give the same tokens in
about half the time. Any other tokenizer still works with the components, only slower.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from spacy import util
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from .affixes import filtered_infix_finditer, filtered_prefix_search, filtered_suffix_search
from .extensions import remember_text

MAX_RUN = 200
# Only at the start of a run (lookbehind), so each character is looked at once.
_LONG_RUN = re.compile(rf"(?<!\S)\S{{{MAX_RUN},}}")
_PIECE = re.compile(r"[^\W_]+|\S")
_WHITE = re.compile(r"\s")


def _may_have_long_run(text: str) -> bool:
    """Cheap test before the full search: a run of ``MAX_RUN`` non-space characters covers a
    whole block of ``MAX_RUN // 2`` characters starting at a multiple of it, and in ordinary
    text a block's first white space is a few characters in."""
    step = MAX_RUN // 2
    search = _WHITE.search
    return any(search(text, i, i + step) is None for i in range(0, len(text), step))


class TextKeepingTokenizer(Tokenizer):
    """A :class:`spacy.tokenizer.Tokenizer` that remembers each document's text."""

    def __call__(self, text: str) -> Doc:
        if len(text) >= MAX_RUN and _may_have_long_run(text) and _LONG_RUN.search(text) is not None:
            doc = self._with_long_runs(text)
        else:
            doc = Tokenizer.__call__(self, text)
        remember_text(doc, text)
        return doc

    def _with_long_runs(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []

        def add_tokenized(segment: str) -> None:
            if segment:
                for token in Tokenizer.__call__(self, segment):
                    words.append(token.text)
                    spaces.append(bool(token.whitespace_))

        pos = 0
        for run in _LONG_RUN.finditer(text):
            add_tokenized(text[pos : run.start()])
            pieces = _PIECE.findall(run.group())
            words.extend(pieces)
            spaces.extend([False] * len(pieces))
            pos = run.end()
        add_tokenized(text[pos:])
        return Doc(self.vocab, words=words, spaces=spaces)

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = ()) -> Tokenizer:
        # spaCy restores the affix searches as plain regexes; put the filters back.
        Tokenizer.from_bytes(self, bytes_data, exclude=exclude)
        self.prefix_search = filtered_prefix_search(self.prefix_search)
        self.suffix_search = filtered_suffix_search(self.suffix_search)
        self.infix_finditer = filtered_infix_finditer(self.infix_finditer)
        return self


def create_tokenizer() -> Callable[[Language], Tokenizer]:
    """Registered as ``kommunnlp.Tokenizer.v1``: the language defaults, as ``spacy.Tokenizer.v1``."""

    def tokenizer_factory(nlp: Language) -> Tokenizer:
        defaults = nlp.Defaults
        return TextKeepingTokenizer(
            nlp.vocab,
            rules=defaults.tokenizer_exceptions,
            prefix_search=filtered_prefix_search(util.compile_prefix_regex(defaults.prefixes).search)
            if defaults.prefixes
            else None,
            suffix_search=filtered_suffix_search(util.compile_suffix_regex(defaults.suffixes).search)
            if defaults.suffixes
            else None,
            infix_finditer=filtered_infix_finditer(util.compile_infix_regex(defaults.infixes).finditer)
            if defaults.infixes
            else None,
            token_match=defaults.token_match,
            url_match=defaults.url_match,
        )

    return tokenizer_factory
