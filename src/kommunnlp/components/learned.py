"""The merge component: a trained model's spans into the records, next to the rule mentions.

It runs after the rule components and a trained ``ner`` (or ``spancat``) component. Rules are
precise where a form is fixed, so they win every conflict: a model programme overlapping a rule
programme is dropped, and a party mention that already has a person keeps it. What the model
adds is what the rules did not find:

- programmes: each model ``PROGRAMME`` span that no rule mention overlaps, that is a proper name
  (capitalised, an acronym or quoted; not ending in a function word) and that neither the
  programme rules' exclusions nor the party rules' persons claim, named by its long form
  where the document defines one (``Mentorer i våldsprevention (MVP)``), so an acronym used alone
  later names the same programme;
- persons: a party mention without a ``person`` takes the model ``PERSON`` span that ends right
  before its marker (``Anna Ek (S)``, ``Anna Ek, S``).

Settings are plain config values; the word lists (things that are never programmes, function
words) are data files in ``kommunnlp/data/learned/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..extensions import doc_text, get_mentions, install_extensions, set_mentions
from ..text import collapse_ws, fold
from .base import load_package_data, read_data, write_data

# Between a name and its party marker: white space, a comma, an opening bracket.
_PERSON_GAP = re.compile(r"[\s,(]*")
# "(ACR)" right after a long form; bounded, so linear.
_DEFINED_ACRONYM = re.compile(r"\s*[(\[]\s*([^()\[\]\n]{1,15}?)\s*[)\]]")
_EDGE_PUNCT = " \t\n\r.,;:-–—\"'”“()"


class LearnedMerger:
    """Merges model spans (``doc.ents`` or ``doc.spans[spans_key]``) into the rule mentions."""

    data_dir = "learned"

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        source: str = "ents",
        spans_key: str = "sc",
        programme_label: str = "PROGRAMME",
        person_label: str = "PERSON",
        add_programmes: bool = True,
        add_persons: bool = True,
        rules_win: bool = True,
        max_person_gap: int = 3,
        rule_exclusions: bool = True,
    ) -> None:
        install_extensions()
        if source not in ("ents", "spans"):
            raise ValueError(f"source must be 'ents' (ner) or 'spans' (spancat), got {source!r}")
        self.name = name
        self.source = source
        self.spans_key = spans_key
        self.programme_label = programme_label
        self.person_label = person_label
        self.add_programmes = add_programmes
        self.add_persons = add_persons
        self.rules_win = rules_win
        self.max_person_gap = max_person_gap
        self.rule_exclusions = rule_exclusions
        self._nlp = nlp
        self.data: dict[str, Any] = load_package_data(self.data_dir)
        self._compile()

    def _compile(self) -> None:
        self._exclude = {fold(w) for w in self.data.get("not_programmes", [])}
        self._function_words = {fold(w) for w in self.data.get("function_words", [])}

    def _proper_name(self, text: str, start: int, written: str) -> bool:
        """The guidelines' test of a programme name: capitalised, an acronym or quoted, and (being a
        name) neither a function word alone nor ending in one (``Unga vuxna på`` is cut short)."""
        words = written.split()
        if fold(words[-1]) in self._function_words:
            return False
        quoted = start > 0 and text[start - 1] in "\"'”“«"
        return written[0].isupper() or written[0].isdigit() or quoted

    def _rule_veto(self) -> Callable[[str], bool] | None:
        """The programme rules' own judgement of what is never a programme (units, laws, file
        formats ...), where the pipeline has that component: its excluded acronyms (data) and its
        head-word check."""
        if not self.rule_exclusions or "kommunnlp_programmes" not in self._nlp.pipe_names:
            return None
        rules = self._nlp.get_pipe("kommunnlp_programmes")
        exclusions = getattr(rules, "data", {}).get("exclusions", {})
        acronyms = set(exclusions.get("acronyms", [])) if isinstance(exclusions, dict) else set()
        check = getattr(rules, "excluded", None)

        def veto(name: str) -> bool:
            return name in acronyms or (check is not None and bool(check(name)))

        return veto

    # -- the model's spans -------------------------------------------------------------------
    def _model_spans(self, doc: Doc, label: str) -> list[Span]:
        spans = doc.ents if self.source == "ents" else doc.spans.get(self.spans_key, [])
        return [s for s in spans if s.label_ == label]

    def __call__(self, doc: Doc) -> Doc:
        if self.add_programmes:
            merged = self._merge_programmes(doc)
            if merged is not None:
                set_mentions(doc, "programmes", merged, None)
        if self.add_persons:
            merged = self._merge_persons(doc)
            if merged is not None:
                set_mentions(doc, "parties", merged, "party")
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterable[Doc]:
        for doc in stream:
            yield self(doc)

    # -- programmes --------------------------------------------------------------------------
    def _trim(self, doc: Doc, span: Span) -> tuple[int, int]:
        """Character offsets of ``span`` without punctuation or brackets at its edges."""
        start, end = span.start_char, span.end_char
        text = doc_text(doc)
        while start < end and text[start] in _EDGE_PUNCT:
            start += 1
        while end > start and text[end - 1] in _EDGE_PUNCT:
            end -= 1
        return start, end

    def _merge_programmes(self, doc: Doc) -> list[dict[str, Any]] | None:
        model = self._model_spans(doc, self.programme_label)
        if not model:
            return None
        rules = get_mentions(doc, "programmes")
        text = doc_text(doc)
        veto = self._rule_veto()
        # A name the party rules tie to a party is a person, not a programme.
        persons = {fold(m["person"]) for m in get_mentions(doc, "parties") if m.get("person")}
        candidates: list[tuple[int, int]] = []
        for span in model:
            start, end = self._trim(doc, span)
            written = collapse_ws(text[start:end])
            if len(written) < 2 or not any(c.isalpha() for c in written) or fold(written) in self._exclude:
                continue
            if not self._proper_name(text, start, written) or fold(written) in persons:
                continue
            if veto is not None and veto(written):
                continue
            candidates.append((start, end))
        if self.rules_win:
            candidates = [(s, e) for s, e in candidates if not any(s < m["end"] and m["start"] < e for m in rules)]
        else:
            rules = [m for m in rules if not any(s < m["end"] and m["start"] < e for s, e in candidates)]
        # Long forms by acronym, from the rules and from "long form (ACR)" in the model's spans.
        long_forms: dict[str, str] = {fold(m["acronym"]): m["name"] for m in rules if m.get("acronym")}
        defined: dict[tuple[int, int], str] = {}
        for start, end in candidates:
            m = _DEFINED_ACRONYM.match(text, end)
            if m and any(c.isupper() for c in m.group(1)):
                acronym = collapse_ws(m.group(1))
                defined[(start, end)] = acronym
                long_forms.setdefault(fold(acronym), collapse_ws(text[start:end]))
        names_by_fold = {fold(m["name"]): m["name"] for m in rules}
        added: list[dict[str, Any]] = []
        for start, end in candidates:
            written = collapse_ws(text[start:end])
            key = fold(written)
            mention: dict[str, Any] = {"text": text[start:end], "start": start, "end": end}
            if (start, end) in defined:
                mention.update(name=written, acronym=defined[(start, end)])
            elif key in long_forms and fold(long_forms[key]) != key:
                mention.update(name=long_forms[key], acronym=written)
            else:
                # Same programme as a rule mention spelled alike: one name, so one record item.
                mention.update(name=names_by_fold.get(key, written), acronym=None)
            added.append(mention)
        return sorted(rules + added, key=lambda m: (m["start"], m["end"]))

    # -- persons -----------------------------------------------------------------------------
    def _merge_persons(self, doc: Doc) -> list[dict[str, Any]] | None:
        persons = self._model_spans(doc, self.person_label)
        if not persons:
            return None
        mentions = get_mentions(doc, "parties")
        if not mentions or all(m.get("person") for m in mentions):
            return None
        ends = sorted((self._trim(doc, s) for s in persons), key=lambda se: se[1])
        text = doc_text(doc)
        merged = []
        for m in mentions:
            if not m.get("person"):
                for start, end in reversed(ends):
                    if end > m["start"]:
                        continue
                    gap = text[end : m["start"]]
                    if len(gap) <= self.max_person_gap and _PERSON_GAP.fullmatch(gap):
                        m = {**m, "person": collapse_ws(text[start:end])}
                    break
            merged.append(m)
        return merged

    # -- serialisation (settings are config; only the data travel) ---------------------------
    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.msgpack_dumps({"data": self.data})

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = ()) -> LearnedMerger:
        self.data = srsly.msgpack_loads(bytes_data)["data"]
        self._compile()
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        write_data(path, self.data)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> LearnedMerger:
        data = read_data(path)
        if data is not None:
            self.data = data
            self._compile()
        return self
