"""The programmes component: named programmes, projects, methods and models.

Three separate steps, as eyecite keeps finding and resolving apart:

1. find candidates: acronym definitions ``Long form (ACR)``, names after a trigger word
   (``projektet Trefas``), capitalised compounds ending in a programme word (``Järvalyftet``),
   appositions (``DUR – ett instrument för ...``) and gazetteer hits (``Barnahus``);
2. check them: a Schwartz–Hearst-style fit of an acronym's letters to its long form, and the
   guidelines' exclusions (units, authorities, laws, documents, party codes);
3. resolve: every occurrence of a found name or acronym is a mention, and an acronym takes the
   long form the document defines anywhere.

Matching runs on a folded "skeleton" of the text (lower case, no diacritics, the vowels and their
OCR misreadings merged) whose offsets equal the original's, so spans keep the original characters.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import ahocorasick

from ..text import collapse_ws, fold
from .base import RuleComponent

# Vowels and what OCR makes of å/ä/ö (&, @, 6, é) collapse to one letter, and of I (|, 1) to i;
# offsets are unchanged. The loose view, for the exclusion lists, also merges d and i.
_SKELETON_MERGES = (("e", "a"), ("o", "a"), ("&", "a"), ("@", "a"), ("6", "a"), ("|", "i"), ("1", "i"))
_SKELETON = str.maketrans(dict(_SKELETON_MERGES))
_SKELETON_BYTES = bytes.maketrans(
    "".join(src for src, _ in _SKELETON_MERGES).encode(), "".join(dst for _, dst in _SKELETON_MERGES).encode()
)
_LOOSE = str.maketrans({c: "*" for c in "aeo&@6|1di"})
_LOOSE_BYTES = bytes.maketrans(b"aeo&@6|1di", b"*" * 10)
# What OCR may leave of å/ä/ö in the skeleton: the merged vowel, d or i.
_OCR_VOWELS = ("a", "d", "i")
# In an acronym, |, 1 and a lower-case l are OCR's readings of I (``S1G``, ``SlG``).
_OCR_I = str.maketrans({"|": "I", "1": "I", "l": "I"})

# ``(ACR)``: bounded, without nested parentheses, so the scan is linear.
_PAREN = re.compile(r"\(([^()\n]{2,100})\)")
_SHORT_PAREN = 24  # the longest bracket that can hold an acronym
# ``ACR (long form)``: the acronym just before a bracket.
_ACRONYM_BEFORE = re.compile(r"(?<![\w&|])([A-ZÅÄÖ][A-Za-zÅÄÖåäö&|1]{1,9})[ \t]*$")
# An acronym as written: upper-case letters, maybe lower-case ones between (``FuT``), and one
# optional capitalised word (``RVC Väst``).
_ACRONYM = re.compile(r"[A-ZÅÄÖ][A-Za-zÅÄÖåäö&|1]{1,9}(?: [A-ZÅÄÖ][a-zåäö]{1,8})?")
_WORD = re.compile(r"[^\W_][\w&|'’]*(?:-[^\W_][\w&|]*)*")
# Where a long form cannot reach back across: sentence ends, colons, brackets, dashes.
# One leading character class (the alternatives' first characters are disjoint), so the engine
# skips to the candidates instead of trying three alternatives at every position.
_LONG_FORM_BARRIER = re.compile(r"[.!?:;()\[\]\s](?:(?<=[.!?:;])\s|(?<=[()\[\]])|(?<=\s)[-–—]\s)")
_GAP_AFTER_TRIGGER = re.compile(r"[ \t]*(?:\n[ \t]*){0,2}")
_NAME_SEPARATOR = re.compile(r"[ \t]+(?:\n[ \t]*(?=[a-zåäö]))?|[ \t]*\n[ \t]*(?=[a-zåäö])")
_QUOTED = re.compile(r"[\"']([^\"'\n]{2,80})[\"']")
_AGENDA_NUMBER = re.compile(r"(?:^|\n)[ \t]*\d{1,3}[.)]?[ \t]*$")
_APPOSITION_NAME = re.compile(r"[ \t]*(?:\d{1,3}[.)]?[ \t]+)?(?P<name>[A-ZÅÄÖ][\w&-]*(?:[ \t][\w&-]+){0,3})[ \t]*")
# What every apposition has, as the folded text writes it; a prefilter for ``self._apposition``.
_APPOSITION_DASH = re.compile(r"-[ \t]+e(?:tt|n)[ \t]")
_LOOKBACK = 160
_WORD_CHARS = 10  # a long form's words with their spaces, a guess at the mean length
_FIND_KEYS_MAX = 8  # up to this many occurrence keys, ``str.find`` beats an automaton scan
_TRIGGER_REACH = 80  # how far before a lower-case long form a trigger word still supports it
_NAME_REACH = 200  # text after a trigger that decides the name (names are at most 7 words)


class _Found(NamedTuple):
    """A candidate; a tuple of plain values, so the garbage collector need not track thousands."""

    start: int
    end: int
    name: str
    acronym: str | None
    rank: int  # which finding wins an overlap: lower is stronger


class ProgrammeRecognizer(RuleComponent):
    data_dir = "programmes"
    label_field = None

    # -- building ----------------------------------------------------------------------------
    def _compile(self) -> None:
        triggers = self.data.get("triggers", {})
        excl = self.data.get("exclusions", {})
        vocab = self.data.get("vocabulary", {})
        self._entries: list[dict[str, Any]] = list(self.data.get("gazetteer", {}).get("entries", []))
        self._excluded_acronyms = set(excl.get("acronyms", []))
        # Short words compare exactly (``stöd`` is not ``stad``); long endings OCR-tolerantly.
        self._head_words = {fold(w) for w in excl.get("head_words", [])}
        endings = excl.get("head_endings", [])
        self._short_endings = tuple(fold(w) for w in endings if len(w) < 5)
        self._long_endings = tuple(_loose(w) for w in endings if len(w) >= 5)
        self._generic_stems = [_loose(w) for w in excl.get("generic_stems", [])]
        self._programme_words = tuple(_loose(w) for w in vocab.get("programme_words", []))
        self._gazetteer_acronyms = {e["acronym"] for e in self._entries if e.get("acronym")}
        self._gazetteer_names = {_key(e["name"]) for e in self._entries}
        self._gazetteer_long_forms = {_key(e["name"]): e["acronym"] for e in self._entries if e.get("acronym")}
        self._gazetteer_found = {_skeleton(e["name"]): _Found(0, 0, e["name"], None, 4) for e in self._entries}
        self._prepositions = {fold(w) for w in vocab.get("prepositions", [])}
        self._stops = {fold(w) for w in vocab.get("name_stops", [])}
        self._trailing = self._prepositions | self._stops  # words a cut name must not end on
        self._verbs = {fold(w) for w in vocab.get("verbs", [])}
        self._inflections = {_skeleton(w) for w in vocab.get("inflections", [])}
        self._endings = tuple(_skeleton(w) for w in triggers.get("compound_endings", []))
        self._function_words = {fold(w) for w in vocab.get("function_words", [])}

        # One automaton over the skeleton for trigger words, compound endings and gazetteer names,
        # and for acronyms and names in capitals, which are then looked up as written (one pass
        # over the text, not two; a skeleton hit such as ``sig`` is kept only where the text has
        # a key of ``self._capitals``).
        words: dict[str, list[tuple[str, Any]]] = {}
        capitals: dict[str, list[tuple[str, Any]]] = {}
        for word in triggers.get("before_name", []):
            for key in _ocr_variants(word):
                words.setdefault(key, []).append(("trigger", None))
        for word in triggers.get("compound_endings", []):
            for key in _ocr_variants(word):
                words.setdefault(key, []).append(("ending", None))
        for i, entry in enumerate(self._entries):
            if _all_capitals(entry["name"]):
                for key in _written_i_variants(entry["name"]):
                    capitals.setdefault(key, []).append(("name", i))
            else:
                for key in _ocr_variants(entry["name"]):
                    words.setdefault(key, []).append(("name", i))
            if entry.get("acronym"):
                for key in _written_i_variants(entry["acronym"]):
                    capitals.setdefault(key, []).append(("acronym", i))
        self._capitals = capitals
        merged: dict[str, tuple[int, list[tuple[str, Any]] | None, bool]] = {
            key: (len(key), payload, False) for key, payload in words.items()
        }
        for key in capitals:
            sk = _skeleton(key)
            merged[sk] = (len(sk), merged[sk][1] if sk in merged else None, True)
        self._automaton = _automaton(merged)

        nouns = "|".join(re.escape(n) for n in triggers.get("apposition_nouns", []))
        # ``DUR – ett instrument för ...``: the dash and noun are searched for, the name is the
        # start of that line (or agenda item) before them.
        self._apposition = (
            re.compile(r"[ \t][-–—][ \t]+(?:ett|en)[ \t]+(?:[\wåäö]+[ \t]+)?(?:" + nouns + r")\b") if nouns else None
        )

    # -- the three steps ---------------------------------------------------------------------
    def find(self, text: str) -> list[dict[str, Any]]:
        if not text:
            return []
        folded = fold(text)
        skel = _skeleton_of_folded(folded)
        found, trigger_ends = self._find_in_automaton(text, skel)
        found += self._find_definitions(text, folded, trigger_ends)
        found += self._find_appositions(text, folded)
        return self._resolve(text, skel, found)

    # 1a. ``Long form (ACR)``
    def _find_definitions(self, text: str, folded: str, trigger_ends: list[int]) -> list[_Found]:
        out: list[_Found] = []
        # The long form depends only on the window before the paren: repeated text is fitted once.
        memo: dict[tuple[str, str], tuple[int, int, bool] | None] = {}
        excluded_acronyms = self._excluded_acronyms
        for m in _PAREN.finditer(text):
            inner, paren = m.group(1), m.start()
            # ``ACR (long form)``: only a bracket of four characters or more is looked before.
            before = len(inner) >= 4 and _ACRONYM_BEFORE.search(text, max(0, paren - 12), paren)
            if before:
                out += self._reverse_definition(text, folded, before.span(1), m.span(1), trigger_ends)
            acr = inner.strip()
            if len(acr) > _SHORT_PAREN or not _is_acronym(acr) or _restore_i(acr) in excluded_acronyms:
                continue
            key = (text[max(0, paren - _LOOKBACK) : paren], acr)
            if key not in memo:
                span = self._long_form(text, folded, paren, acr)
                memo[key] = None
                if span is not None:
                    introduced = _introduced(trigger_ends, span[0])
                    excluded = self.excluded(collapse_ws(text[span[0] : span[1]]), introduced=introduced)
                    memo[key] = (span[0] - paren, span[1] - paren, excluded)
            if memo[key] is None or memo[key][2]:
                continue
            start, end = paren + memo[key][0], paren + memo[key][1]
            name = collapse_ws(text[start:end])
            if not self._supported(text, start, name, acr, trigger_ends):
                continue
            out.append(_Found(start, end, name, acr, 0))
            a_start = m.start(1) + (len(inner) - len(inner.lstrip()))
            out.append(_Found(a_start, a_start + len(acr), name, acr, 0))
        return out

    def _reverse_definition(
        self, text: str, folded: str, acr_span: tuple[int, int], inner: tuple[int, int], trigger_ends: list[int]
    ) -> list[_Found]:
        """``SIG (sociala insatsgrupper)``: the whole bracket must be the long form."""
        acr = text[acr_span[0] : acr_span[1]]
        if not _is_acronym(acr) or acr.translate(_OCR_I) in self._excluded_acronyms:
            return []
        words = [w.span() for w in _WORD.finditer(text, inner[0], inner[1])]
        if len(words) < 2 or _fit(_letters(acr), [folded[s:e] for s, e in words], self._function_words) != 0:
            return []
        start, end = words[0][0], words[-1][1]
        name = collapse_ws(text[start:end])
        supported = text[start].isupper() or self._supported(text, start, name, acr, trigger_ends)
        if self.excluded(name) or not supported:
            return []
        return [_Found(acr_span[0], acr_span[1], name, acr, 0), _Found(start, end, name, acr, 0)]

    def _long_form(self, text: str, folded: str, paren: int, acr: str) -> tuple[int, int] | None:
        """The span of the words before ``paren`` that the acronym's letters fit best."""
        letters = _letters(acr)
        if len(letters) < 2:
            return None
        offset = max(0, paren - _LOOKBACK)
        # No fit unless the letters occur in order before the bracket (most brackets): a few
        # ``str.find`` calls spare the word scan and the alignment.
        if not _in_order(folded, letters, offset, offset, paren):
            return None
        for barrier in _LONG_FORM_BARRIER.finditer(text, offset, paren):
            offset = barrier.end()
        n_acr = len(letters)
        wanted = min(n_acr + 5, 2 * n_acr)
        # Only the last ``wanted`` words count: scan from a space (which no word spans, so the
        # words after it are the same) shortly before the bracket, and from the barrier if short.
        near = text.rfind(" ", offset, max(offset, paren - _WORD_CHARS * wanted)) + 1
        words = [w.span() for w in _WORD.finditer(text, near, paren)] if near > offset else []
        if len(words) < wanted:
            words = [w.span() for w in _WORD.finditer(text, offset, paren)]
        if not words:
            return None
        words = words[-wanted:]
        if not _in_order(folded, letters, words[0][0], words[-1][0], words[-1][1]):
            return None  # the words the alignment may use do not hold the letters
        # ``fold`` keeps offsets, so the folded text's slices are the words folded one by one.
        best = _fit(letters, [folded[s:e] for s, e in words], self._function_words)
        if best is None:
            return None
        start, end = words[best][0], words[-1][1]
        if best == len(words) - 1 and (n_acr < 3 or end - start < 2 * n_acr):
            return None  # one word fits two letters too easily (``Internkontroll (IK)``)
        return start, end

    def _supported(self, text: str, start: int, name: str, acr: str, trigger_ends: list[int]) -> bool:
        """A long form counts when written as a proper name, or when something else backs it.

        Lower-case long forms (and capitalised ones at a sentence start) also name services and
        activities (``ekonomiskt bistånd (EB)``); they need the gazetteer, a trigger word shortly
        before, or a programme word in the long form.
        """
        if text[start].isupper() and self._mid_sentence(text, start):
            return True
        if acr in self._gazetteer_acronyms or _key(name) in self._gazetteer_names:
            return True
        i = bisect.bisect_left(trigger_ends, start - _TRIGGER_REACH)
        if i < len(trigger_ends) and trigger_ends[i] <= start:
            return True
        return any(w in _loose(name) for w in self._programme_words)

    # 1b. trigger words, compound endings and gazetteer entries
    def _find_in_automaton(self, text: str, skel: str) -> tuple[list[_Found], list[int]]:
        """Candidates from the automaton, and where trigger words end (for ``_supported``)."""
        out: list[_Found] = []
        trigger_ends: list[int] = []
        memo: dict[str, _Found | None] = {}  # trigger names by the text that follows the trigger
        capital_hits: list[tuple[int, int, list[tuple[str, Any]]]] = []
        capitals = self._capitals
        for end_idx, (length, payload, capital) in self._automaton.iter(skel) if self._automaton else ():
            start = end_idx - length + 1
            # Most capital hits are the skeleton of a common word (``sig``, ``mest``): one look-up.
            if capital and text[start : end_idx + 1] in capitals:
                # Handled after the skeleton hits, as they always were.
                capital_hits.append((start, end_idx + 1, capitals[text[start : end_idx + 1]]))
            if payload is not None:
                self._automaton_hit(text, skel, start, end_idx + 1, payload, out, trigger_ends, memo)
        for start, end, written in capital_hits:
            self._automaton_hit(text, skel, start, end, written, out, trigger_ends, memo)
        return out, trigger_ends

    def _automaton_hit(
        self,
        text: str,
        skel: str,
        start: int,
        end: int,
        payload: list[tuple[str, Any]],
        out: list[_Found],
        trigger_ends: list[int],
        memo: dict[str, _Found | None],
    ) -> None:
        inflected = end < len(skel) and skel[end].isalnum()
        if inflected and not (any(kind == "name" for kind, _ in payload) and self._inflected(skel, end)):
            return
        left_is_word = start > 0 and skel[start - 1].isalnum()
        for kind, ref in payload:
            if inflected and kind != "name":
                continue
            if kind == "trigger" and not left_is_word:
                trigger_ends.append(end)
                # In a heading in capitals (``PROJEKTET BESLUTAR``) a capital proves nothing.
                heading = text[start:end].isupper()
                hit = None if heading else self._name_after_memo(text, skel, end, memo)
            elif kind == "ending" and left_is_word:
                hit = self._compound(text, skel, start, end)
            elif kind in ("name", "acronym") and not left_is_word:
                hit = self._gazetteer_hit(text, start, end, ref, kind)
            else:
                hit = None
            if hit is not None:
                out.append(hit)

    def _inflected(self, skel: str, end: int) -> bool:
        """A Swedish ending after a gazetteer name (``Barnahuset``) leaves it that name."""
        word_end = end
        while word_end < len(skel) and word_end - end < 4 and skel[word_end].isalnum():
            word_end += 1
        at_boundary = word_end == len(skel) or not skel[word_end].isalnum()
        return at_boundary and skel[end:word_end] in self._inflections

    def _name_after_memo(self, text: str, skel: str, pos: int, memo: dict[str, _Found | None]) -> _Found | None:
        """``_name_after``, computed once for each distinct stretch of text after a trigger."""
        key = text[pos : pos + _NAME_REACH]
        if key in memo:
            hit = memo[key]
            return None if hit is None else hit._replace(start=hit.start + pos, end=hit.end + pos)
        hit = self._name_after(text, skel, pos)
        if hit is None or hit.end - pos < _NAME_REACH:  # a longer name is not decided by the key
            memo[key] = None if hit is None else hit._replace(start=hit.start - pos, end=hit.end - pos)
        return hit

    def _name_after(self, text: str, skel: str, pos: int) -> _Found | None:
        """The proper name that follows a trigger word (``projektet Barnets Rum``)."""
        gap = _GAP_AFTER_TRIGGER.match(text, pos)
        pos = gap.end() if gap else pos
        quoted = _QUOTED.match(skel, pos)  # the skeleton has one kind of each quote mark
        if quoted:
            start, end = quoted.span(1)
            name = collapse_ws(text[start:end])
            return None if self.excluded(name) else _Found(start, end, name, None, 2)
        head = _WORD.match(text, pos)
        if not head or not head.group()[0].isupper() or fold(head.group()) in self._stops:
            return None
        spans = [head.span()]
        word = _next_word(text, head.end())
        while word is not None and len(spans) < 7:
            key = fold(word.group())
            if key == "som":
                # ``UK som marknad`` is a name, ``Trefas som startade`` is not.
                after = _next_word(text, word.end())
                if after is None or fold(after.group()) in self._verbs or fold(after.group()) in self._stops:
                    break
            elif key in self._stops or key in self._verbs or key[0].isdigit():
                break
            spans.append(word.span())
            word = _next_word(text, word.end())
        spans = self._without_qualifier(text, spans)
        start, end = spans[0][0], spans[-1][1]
        name = collapse_ws(text[start:end])
        if self.excluded(name, introduced=True):
            return None
        return _Found(start, end, name, None, 2)

    def _without_qualifier(self, text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Drop a trailing lower-case qualifier led by a preposition (``Komet i förskolan``)."""
        for k in range(1, len(spans)):
            if fold(text[slice(*spans[k])]) in self._prepositions and all(not text[s].isupper() for s, _ in spans[k:]):
                return spans[:k]
        return spans

    def _compound(self, text: str, skel: str, start: int, end: int) -> _Found | None:
        """A capitalised compound ending in a programme word (``Stockholmsmodellen``)."""
        word_start = start
        while (
            word_start > 0
            and start - word_start < 40
            and (skel[word_start - 1].isalnum() or skel[word_start - 1] == "-")
        ):
            word_start -= 1
        if skel[start - 1] == "-":
            # ``MVP-projektet``, ``EU-projektet``: the part before the hyphen is the name, if any.
            stem = text[word_start : start - 1]
            if stem.translate(_OCR_I) in self._excluded_acronyms or not _is_acronym(stem) or self.excluded(stem):
                return None
            return _Found(word_start, start - 1, stem, None, 3)
        stem = _loose(text[word_start:start])
        if len(stem) < 3 or not text[word_start].isupper() or self._generic(stem):
            return None
        if text[word_start:end].isupper():
            return None  # a heading in capitals (``SAMVERKANSPROJEKTET``) proves nothing
        if not self._mid_sentence(text, word_start):
            return None
        return _Found(word_start, end, text[word_start:end], None, 3)

    def _generic(self, stem: str) -> bool:
        """``Utvecklingsprojektet``, ``Resursfördelningsmodellen``: a kind of thing, not a name."""
        return any(stem == g or (len(g) >= 5 and stem.endswith(g)) for g in self._generic_stems)

    def _mid_sentence(self, text: str, pos: int) -> bool:
        """True unless ``pos`` starts a sentence or an unnumbered line (capitals prove nothing there)."""
        i = pos - 1
        while i >= 0 and text[i] in " \t":
            i -= 1
        if i < 0:
            return False
        ch = text[i]
        if ch == "\n" or ch.isdigit():
            return bool(_AGENDA_NUMBER.search(text, max(0, pos - 12), pos))
        return ch not in ".!?"

    def _gazetteer_hit(self, text: str, start: int, end: int, ref: int, kind: str) -> _Found | None:
        entry = self._entries[ref]
        surface = text[start:end]
        if kind == "acronym" or _all_capitals(entry["name"]):
            wanted = entry["acronym"] if kind == "acronym" else entry["name"]
            if surface.translate(_OCR_I) != wanted:
                return None
            return _Found(start, end, wanted, entry.get("acronym") if kind == "acronym" else None, 4)
        if not surface[:1].isupper() and not entry.get("lower"):
            return None  # most names count only capitalised (``Barnahus``, not ``barnahus``)
        # The gazetteer's spelling, so that OCR damage (``V&stbus``) does not split the programme.
        return _Found(start, end, entry["name"], None, 4)

    # 1c. ``DUR – ett instrument för ...``
    def _find_appositions(self, text: str, folded: str) -> list[_Found]:
        if self._apposition is None:
            return []
        out: list[_Found] = []
        # The dash and article, found by a literal-led scan of the folded text (where every dash is
        # ``-``), are where the full pattern can start: one character before the dash.
        last_end = 0
        for dash in _APPOSITION_DASH.finditer(folded):
            at = dash.start() - 1
            if at < last_end:
                continue
            m = self._apposition.match(text, at)
            if m is None:
                continue
            last_end = m.end()
            line_start = text.rfind("\n", max(0, m.start() - 60), m.start()) + 1
            if line_start == 0 and m.start() > 60:
                continue  # a long line: not a heading or agenda item
            head = _APPOSITION_NAME.fullmatch(text, line_start, m.start())
            if head:
                name = collapse_ws(head.group("name"))
                if not self.excluded(name):
                    out.append(_Found(head.start("name"), head.end("name"), name, None, 2))
        return out

    # 2. checks
    def excluded(self, name: str, *, introduced: bool = False) -> bool:
        """Units, authorities, laws and documents, judged by the head: the words before the first
        preposition, of which the first (a compound such as ``Socialförvaltningen``) and the last
        (the noun of ``Stockholms stads program``) decide; words between are modifiers.

        A name that a trigger word introduces (``projektet Trygga vägar hem``) is a programme by
        the guidelines' own test, so only the exact head words (laws, documents, places) reject
        it, not the endings of units and services.
        """
        words = [w.group() for w in _WORD.finditer(fold(name))]
        if not words:
            return True
        head: list[str] = []
        for word in words:
            if word in self._prepositions:
                break
            head.append(word)
        for word in {head[0], head[-1]} if head else ():
            for form in (word, word[:-1]) if word.endswith("s") else (word,):  # also the genitive
                if form in self._head_words:
                    return True
                if not introduced and (form.endswith(self._short_endings) or _loose(form).endswith(self._long_endings)):
                    return True
        return False

    # 3. resolution
    def _truncate_trigger_names(self, text: str, found: list[_Found]) -> list[_Found]:
        """End a trigger name where a definition or gazetteer name begins inside it.

        ``projektet Trefas med Sociala insatsgrupper (SIG)`` is two programmes, not one long name.
        """
        anchors = sorted(f.start for f in found if f.rank in (0, 4))
        if not anchors:
            return found
        out: list[_Found] = []
        for f in found:
            i = bisect.bisect_right(anchors, f.start)
            if f.rank != 2 or i == len(anchors) or anchors[i] >= f.end:
                out.append(f)
                continue
            words = list(_WORD.finditer(text, f.start, anchors[i]))
            while words and fold(words[-1].group()) in self._trailing:
                words.pop()
            if words:
                end = words[-1].end()
                out.append(f._replace(end=end, name=collapse_ws(text[f.start : end])))
        return out

    def _compounds_of_known_names(
        self, found: list[_Found], by_name: dict[str, tuple[str, str | None]]
    ) -> list[_Found]:
        """``Trefasprojektet`` beside ``Trefas`` (or ``MVP-projektet`` beside MVP) is that programme."""
        if not any(f.rank == 3 for f in found):
            return found
        known = dict(self._gazetteer_found)
        known.update({_skeleton(f.name): f for f in {f.name: f for f in found if f.rank != 3}.values()})
        out: list[_Found] = []
        for f in found:
            if f.rank == 3:
                stem = _skeleton(f.name)
                for ending in self._endings:
                    if stem.endswith(ending):
                        stem = stem[: -len(ending)].rstrip("-")
                        break
                base = known.get(stem) or known.get(stem[:-1] if stem.endswith("s") else "")
                if base is not None:
                    name, acr = by_name.get(_skeleton(base.name), (base.name, base.acronym))
                    f = f._replace(name=name, acronym=acr)
            out.append(f)
        return out

    def _resolve(self, text: str, skel: str, found: list[_Found]) -> list[dict[str, Any]]:
        if not found:
            return []
        found = self._truncate_trigger_names(text, found)
        # Acronyms take the long form of their first definition anywhere in the document; they are
        # keyed and given with OCR's I restored (``S1G`` is SIG).
        by_acronym: dict[str, tuple[str, str]] = {}
        for f in sorted(found, key=lambda f: f.start):
            acr = _restore_i(f.acronym) if f.acronym else None
            if f.rank == 0 and acr and acr not in by_acronym:
                by_acronym[acr] = (f.name, acr)
        # A gazetteer long form and its acronym in the same document are one programme.
        gaz_long = self._gazetteer_long_forms
        acronyms_written = {f.acronym for f in found if f.acronym}
        acronyms_seen = {_restore_i(a) for a in acronyms_written}
        for name in {f.name for f in found if f.rank == 4}:
            acr = gaz_long.get(_key(name))
            if acr in acronyms_seen and acr not in by_acronym:
                by_acronym[acr] = (name, acr)
        # Every occurrence of every found surface is a mention.
        surfaces = acronyms_seen | acronyms_written | {text[f.start : f.end] for f in found}
        found = found + _occurrences(text, skel, surfaces)
        # Spellings of one name (case, OCR damage) take the first one's name and acronym.
        by_name: dict[str, tuple[str, str | None]] = {_skeleton(collapse_ws(n)): (n, a) for n, a in by_acronym.values()}
        found = self._compounds_of_known_names(found, by_name)
        mentions: list[dict[str, Any]] = []
        last_end = -1
        for f in sorted(found, key=lambda f: (f.start, -(f.end - f.start), f.rank)):
            if f.start < last_end:
                continue
            surface = text[f.start : f.end]
            restored = _restore_i(surface)
            if restored in by_acronym:
                name, acr = by_acronym[restored]
            elif f.acronym and _restore_i(f.acronym) in by_acronym:
                name, acr = by_acronym[_restore_i(f.acronym)]
            else:
                name, acr = by_name.setdefault(_skeleton(f.name), (f.name, f.acronym))
            mentions.append({"text": surface, "start": f.start, "end": f.end, "name": name, "acronym": acr})
            last_end = f.end
        return mentions


# Names and acronyms repeat within a document: the small conversions below are cached.
@lru_cache(maxsize=4096)
def _skeleton(s: str) -> str:
    return fold(s).translate(_SKELETON)


@lru_cache(maxsize=4096)
def _letters(acronym: str) -> tuple[str, ...]:
    """The letters of an acronym, folded, that its long form must fit (OCR's I restored)."""
    return tuple(c for c in fold(acronym.translate(_OCR_I)) if c.isalnum())


@lru_cache(maxsize=4096)
def _restore_i(acronym: str) -> str:
    return acronym.translate(_OCR_I)


def _introduced(trigger_ends: list[int], start: int) -> bool:
    """Whether a trigger word ends right before ``start`` (only white space between)."""
    i = bisect.bisect_right(trigger_ends, start) - 1
    return i >= 0 and start - trigger_ends[i] <= 3


def _loose(s: str) -> str:
    folded = fold(s)
    try:  # the merged characters are ASCII: a byte table, not a dict look-up per character
        return folded.encode("utf-8").translate(_LOOSE_BYTES).decode("utf-8")
    except UnicodeError:
        return folded.translate(_LOOSE)


def _ocr_variants(word: str) -> set[str]:
    """The skeletons of ``word`` with each of its first three å/ä/ö also read as d or i."""
    variants = [""]
    damaged = 0
    for ch, sk in zip(word.lower(), _skeleton(word), strict=True):
        if ch in "åäö" and damaged < 3:
            damaged += 1
            variants = [v + o for v in variants for o in _OCR_VOWELS]
        else:
            variants = [v + sk for v in variants]
    return set(variants)


def _skeleton_of_folded(folded: str) -> str:
    """The skeleton of a whole document from its ``fold`` (cached per text, shared with the other
    components): the merges as one ``bytes.translate`` over its UTF-8, which runs at memory
    speed where ``str.translate`` with a table costs a dict look-up per character."""
    try:
        # The merged characters are ASCII, which UTF-8 never uses inside a multi-byte character.
        return folded.encode("utf-8").translate(_SKELETON_BYTES).decode("utf-8")
    except UnicodeError:  # lone surrogates
        return folded.translate(_SKELETON)


def _automaton(keys: dict[str, Any]) -> ahocorasick.Automaton | None:
    if not keys:
        return None
    auto = ahocorasick.Automaton()
    for key, value in keys.items():
        auto.add_word(key, value)
    auto.make_automaton()
    return auto


def _all_capitals(name: str) -> bool:
    return name.isupper() and " " not in name


def _written_i_variants(acronym: str) -> set[str]:
    """``acronym`` as written, with each of its first three I also as OCR writes it (|, 1, l)."""
    variants = [""]
    damaged = 0
    for ch in acronym:
        if ch == "I" and damaged < 3:
            damaged += 1
            variants = [v + o for v in variants for o in "I|1l"]
        else:
            variants = [v + ch for v in variants]
    return set(variants)


@lru_cache(maxsize=4096)
def _acronym_variants(acronym: str) -> frozenset[str]:
    """The skeletons of ``acronym`` with each of its first three I also read as l."""
    variants = [""]
    damaged = 0
    for sk in _skeleton(acronym):
        if sk == "i" and damaged < 3:
            damaged += 1
            variants = [v + o for v in variants for o in ("i", "l")]
        else:
            variants = [v + sk for v in variants]
    return frozenset(variants)


@lru_cache(maxsize=4096)
def _key(name: str) -> str:
    return collapse_ws(fold(name))


@lru_cache(maxsize=4096)
def _is_acronym(s: str) -> bool:
    if not _ACRONYM.fullmatch(s):
        return False
    return sum(c.isupper() for c in s) >= 2


def _in_order(folded: str, letters: Sequence[str], start: int, last: int, end: int) -> bool:
    """Whether ``letters`` occur in order in ``folded[start:end]``, the last at or after ``last``:
    what any fit of :func:`_fit` to the words there needs (the words' separators hold no letters)."""
    at = start
    for ch in letters[:-1]:
        at = folded.find(ch, at, end) + 1
        if not at:
            return False
    return folded.find(letters[-1], max(at, last), end) >= 0


def _fit(letters: Sequence[str], words: list[str], function_words: set[str]) -> int | None:
    """Index of the first word of the best long form for ``letters``, or None.

    Schwartz–Hearst: the letters occur in order, the first at the start of the first word and the
    last in the last word. Swedish compounds put several letters inside one word
    (``Relationsvåldscentrum`` gives R, V, C), so the others may fall anywhere; among the fits,
    the one with the most letters on word starts wins, then the longer one. At most one content
    word may go without a letter.
    """
    s = " ".join(words)
    n, m = len(s), len(letters)
    initial = [False] * n
    pos = 0
    for w in words:  # words hold no spaces, so a word start is a position after a space
        initial[pos] = True
        pos += len(w) + 1
    last_start = n - len(words[-1])
    neg = -(10**6)
    # best[j][p]: most word-initial matches for letters[j:] at positions >= p. A row is a running
    # maximum from the right that changes only where its letter occurs: those few positions are
    # found with ``str.rfind`` and the stretches between them filled by slice.
    best = [[neg] * (n + 1) for _ in range(m + 1)]
    best[m] = [0] * (n + 1)
    for j in range(m - 1, 0, -1):
        row, nxt, ch, floor = best[j], best[j + 1], letters[j], last_start if j == m - 1 else 0
        cur, top = neg, n  # row[top:] is final; cur is the maximum over the letter's places >= top
        q = s.rfind(ch, floor, n)
        while q >= 0:
            if nxt[q + 1] > neg:
                if cur > neg:
                    row[q + 1 : top] = [cur] * (top - q - 1)
                cur, top = max(cur, int(initial[q]) + nxt[q + 1]), q + 1
            q = s.rfind(ch, floor, q)
        if cur > neg:
            row[:top] = [cur] * top
    choice, choice_score = None, neg
    pos = 0
    for k, w in enumerate(words):  # earlier starts first, so a tie keeps the longer form
        if w[:1] == letters[0] and best[1][pos + 1] > neg:
            score = 1 + best[1][pos + 1]
            if score > choice_score and _uncovered(s, pos, letters, best, initial, last_start, function_words) <= 1:
                choice, choice_score = k, score
        pos += len(w) + 1
    return choice


def _uncovered(
    s: str,
    start: int,
    letters: Sequence[str],
    best: list[list[int]],
    initial: list[bool],
    last_start: int,
    function_words: set[str],
) -> int:
    """Content words of ``s[start:]`` that the best alignment from ``start`` leaves without a letter."""
    hits = [start]
    p = start + 1
    m = len(letters)
    n = len(s)
    for j in range(1, m):
        target, ch, nxt = best[j][p], letters[j], best[j + 1]
        if j == m - 1 and p < last_start:
            p = last_start
        # The first place from p where letter j keeps the best score; ``str.find`` skips the others.
        while True:
            q = s.find(ch, p) if p < n else -1
            if q < 0:
                p = max(p, n)
                break
            p = q
            if int(initial[p]) + nxt[p + 1] == target:
                break
            p += 1
        hits.append(p)
        p += 1
    uncovered = 0
    pos = start
    for w in s[start:].split(" "):
        if w not in function_words and not any(pos <= h < pos + len(w) for h in hits):
            uncovered += 1
        pos += len(w) + 1
    return uncovered


def _next_word(text: str, pos: int) -> re.Match[str] | None:
    """The word after ``pos`` on the same line (or on the next, where it goes on in lower case)."""
    sep = _NAME_SEPARATOR.match(text, pos)
    if not sep or sep.end() == pos:
        return None
    return _WORD.match(text, sep.end())


def _occurrences(text: str, skel: str, surfaces: set[str]) -> list[_Found]:
    """Every further occurrence of the surfaces found: acronyms as written, names OCR-tolerantly."""
    keys: dict[str, tuple[int, str, str | None, bool]] = {}
    # In sorted order, so that where two surfaces share a key (`Trefas`, `trefas`) the result
    # does not depend on set order; the occurrences either accepts are accepted.
    for surface in sorted(surfaces):
        restored = _restore_i(surface)
        upper = restored if restored.isupper() else None
        variants = _acronym_variants(surface) if upper else (_skeleton(surface),)
        # Variants of one surface differ only in I and l, so they have one length.
        payload = (len(next(iter(variants))), collapse_ws(surface), upper, surface[:1].isupper())
        if payload[0] >= 2:
            for key in variants:
                known = keys.get(key)
                keys[key] = payload if known is None else (*known[:3], known[3] and payload[3])
    if not keys:
        return []
    hits: Iterable[tuple[int, tuple[int, str, str | None, bool]]]
    if len(keys) <= _FIND_KEYS_MAX:
        # A few keys: ``str.find`` runs at memory speed, where an automaton steps through every
        # character; the hits are put in the automaton's order (by end, the longer first).
        found = [(i + len(key) - 1, payload) for key, payload in keys.items() for i in _find_all(skel, key)]
        hits = sorted(found, key=lambda h: (h[0], -h[1][0]))
    else:
        auto = ahocorasick.Automaton()
        for key, payload in keys.items():
            auto.add_word(key, payload)
        auto.make_automaton()
        hits = auto.iter(skel)
    out: list[_Found] = []
    n = len(text)
    for end_idx, (length, name, upper, capitalised) in hits:
        start, end = end_idx - length + 1, end_idx + 1
        if (start > 0 and skel[start - 1].isalnum()) or (end < n and skel[end].isalnum()):
            continue
        if upper is not None and text[start:end].translate(_OCR_I) != upper:
            continue
        if capitalised and not text[start].isupper():
            continue
        out.append(_Found(start, end, name, None, 5))
    return out


def _find_all(s: str, key: str) -> list[int]:
    """The starts of every occurrence of ``key`` in ``s``, overlapping ones included."""
    starts: list[int] = []
    i = s.find(key)
    while i >= 0:
        starts.append(i)
        i = s.find(key, i + 1)
    return starts
