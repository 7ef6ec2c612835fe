"""spaCy's tokenizer, keeping the text it was given.

``Doc.text`` is rebuilt from the tokens on every access, and costs more than tokenising did; the
components need the text once per document. This tokenizer records it (weakly, per ``Doc``) so
:func:`kommunnlp.extensions.doc_text` can hand it out. Tokens, offsets and serialisation are
exactly those of spaCy's default tokenizer; any other tokenizer still works, only slower.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy import util
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from .extensions import remember_text


class TextKeepingTokenizer(Tokenizer):
    """A :class:`spacy.tokenizer.Tokenizer` that remembers each document's text."""

    def __call__(self, text: str) -> Doc:
        doc = Tokenizer.__call__(self, text)
        remember_text(doc, text)
        return doc


def create_tokenizer() -> Callable[[Language], Tokenizer]:
    """Registered as ``kommunnlp.Tokenizer.v1``: the language defaults, as ``spacy.Tokenizer.v1``."""

    def tokenizer_factory(nlp: Language) -> Tokenizer:
        defaults = nlp.Defaults
        return TextKeepingTokenizer(
            nlp.vocab,
            rules=defaults.tokenizer_exceptions,
            prefix_search=util.compile_prefix_regex(defaults.prefixes).search if defaults.prefixes else None,
            suffix_search=util.compile_suffix_regex(defaults.suffixes).search if defaults.suffixes else None,
            infix_finditer=util.compile_infix_regex(defaults.infixes).finditer if defaults.infixes else None,
            token_match=defaults.token_match,
            url_match=defaults.url_match,
        )

    return tokenizer_factory
