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

import re
from dataclasses import dataclass
from typing import Any

import ahocorasick

from ..text import collapse_ws, fold
from .base import RuleComponent

# Vowels and what OCR makes of å/ä/ö (&, @, 6, é) collapse to one letter; offsets are unchanged.
_SKELETON = str.maketrans({"e": "a", "o": "a", "&": "a", "@": "a", "6": "a"})

# ``(ACR)``: bounded, without nested parentheses, so the scan is linear.
_PAREN = re.compile(r"\(([^()\n]{2,24})\)")
# An acronym as written: upper-case letters, maybe lower-case ones between (``FuT``), and one
# optional capitalised word (``RVC Väst``).
_ACRONYM = re.compile(r"[A-ZÅÄÖ][A-Za-zÅÄÖåäö&]{1,9}(?: [A-ZÅÄÖ][a-zåäö]{1,8})?")
_WORD = re.compile(r"[^\W_][\w&|'’]*(?:-[^\W_][\w&|]*)*")
# Where a long form cannot reach back across: sentence ends, colons, brackets, dashes.
_LONG_FORM_BARRIER = re.compile(r"[.!?:;]\s|[()\[\]]|\s[-–—]\s")
_GAP_AFTER_TRIGGER = re.compile(r"[ \t]*(?:\n[ \t]*){0,2}")
_NAME_SEPARATOR = re.compile(r"[ \t]+(?:\n[ \t]*(?=[a-zåäö]))?|[ \t]*\n[ \t]*(?=[a-zåäö])")
_QUOTED = re.compile(r"[\"']([^\"'\n]{2,80})[\"']")
_AGENDA_NUMBER = re.compile(r"(?:^|\n)[ \t]*\d{1,3}[.)]?[ \t]*$")
_LOOKBACK = 160


@dataclass
class _Found:
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
        self._head_words = {fold(w) for w in excl.get("head_words", [])}
        self._head_endings = tuple(fold(w) for w in excl.get("head_endings", []))
        self._generic_stems = {fold(w) for w in excl.get("generic_stems", [])}
        self._prepositions = {fold(w) for w in vocab.get("prepositions", [])}
        self._stops = {fold(w) for w in vocab.get("name_stops", [])}
        self._som_verbs = {fold(w) for w in vocab.get("som_verbs", [])}
        self._function_words = {fold(w) for w in vocab.get("function_words", [])}

        # One automaton over the skeleton for trigger words, compound endings and the gazetteer.
        auto = ahocorasick.Automaton()
        keys: dict[str, list[tuple[str, Any]]] = {}
        for word in triggers.get("before_name", []):
            keys.setdefault(_skeleton(word), []).append(("trigger", None))
        for word in triggers.get("compound_endings", []):
            keys.setdefault(_skeleton(word), []).append(("ending", None))
        for i, entry in enumerate(self._entries):
            keys.setdefault(_skeleton(entry["name"]), []).append(("name", i))
            if entry.get("acronym"):
                keys.setdefault(_skeleton(entry["acronym"]), []).append(("acronym", i))
        for key, payload in keys.items():
            auto.add_word(key, (len(key), payload))
        self._automaton = auto if keys else None
        if keys:
            auto.make_automaton()

        nouns = "|".join(re.escape(n) for n in triggers.get("apposition_nouns", []))
        # ``DUR – ett instrument för ...`` at the start of a line or agenda item.
        self._apposition = (
            re.compile(
                r"(?m)^[ \t]*(?:\d{1,3}[.)]?[ \t]+)?"
                r"(?P<name>[A-ZÅÄÖ][\w&-]*(?:[ \t][\w&-]+){0,3})"
                r"[ \t]+[-–—][ \t]+(?:ett|en)[ \t]+(?:[\wåäö]+[ \t]+)?(?:" + nouns + r")\b"
            )
            if nouns
            else None
        )

    # -- the three steps ---------------------------------------------------------------------
    def find(self, text: str) -> list[dict[str, Any]]:
        if not text:
            return []
        folded = fold(text)
        skel = folded.translate(_SKELETON)
        found = self._find_definitions(text, folded)
        found += self._find_in_automaton(text, folded, skel)
        found += self._find_appositions(text)
        return self._resolve(text, skel, found)

    # 1a. ``Long form (ACR)``
    def _find_definitions(self, text: str, folded: str) -> list[_Found]:
        out: list[_Found] = []
        for m in _PAREN.finditer(text):
            acr = m.group(1).strip()
            if not _is_acronym(acr) or acr in self._excluded_acronyms:
                continue
            long_span = self._long_form(text, folded, m.start(), acr)
            if long_span is None:
                continue
            start, end = long_span
            name = collapse_ws(text[start:end])
            if self._excluded(name):
                continue
            out.append(_Found(start, end, name, acr, 0))
            a_start = m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip()))
            out.append(_Found(a_start, a_start + len(acr), name, acr, 0))
        return out

    def _long_form(self, text: str, folded: str, paren: int, acr: str) -> tuple[int, int] | None:
        """The span of the words before ``paren`` that the acronym's letters fit best."""
        lo = max(0, paren - _LOOKBACK)
        window = text[lo:paren]
        barrier = None
        for barrier in _LONG_FORM_BARRIER.finditer(window):
            pass
        offset = lo + (barrier.end() if barrier else 0)
        words = [w.span() for w in _WORD.finditer(text, offset, paren)]
        letters = [c for c in fold(acr) if c.isalnum()]
        if not words or len(letters) < 2:
            return None
        n_acr = len(letters)
        words = words[-min(n_acr + 5, 2 * n_acr) :]
        best = _fit(letters, [folded[s:e] for s, e in words], self._function_words)
        if best is None:
            return None
        start, end = words[best][0], words[-1][1]
        if best == len(words) - 1 and end - start < max(6, 2 * n_acr):
            return None  # one short word is the acronym's own spelling, not a long form
        return start, end

    # 1b. trigger words, compound endings and gazetteer entries
    def _find_in_automaton(self, text: str, folded: str, skel: str) -> list[_Found]:
        out: list[_Found] = []
        if self._automaton is None:
            return out
        n = len(text)
        for end_idx, (length, payload) in self._automaton.iter(skel):
            start, end = end_idx - length + 1, end_idx + 1
            if end < n and folded[end].isalnum():
                continue
            left_is_word = start > 0 and folded[start - 1].isalnum()
            for kind, ref in payload:
                if kind == "trigger" and not left_is_word:
                    hit = self._name_after(text, folded, end)
                elif kind == "ending" and left_is_word:
                    hit = self._compound(text, folded, start, end)
                elif kind in ("name", "acronym") and not left_is_word:
                    hit = self._gazetteer_hit(text, start, end, ref, kind)
                else:
                    hit = None
                if hit is not None:
                    out.append(hit)
        return out

    def _name_after(self, text: str, folded: str, pos: int) -> _Found | None:
        """The proper name that follows a trigger word (``projektet Barnets Rum``)."""
        gap = _GAP_AFTER_TRIGGER.match(text, pos)
        pos = gap.end() if gap else pos
        quoted = _QUOTED.match(folded, pos)
        if quoted:
            start, end = quoted.span(1)
            name = collapse_ws(text[start:end])
            return None if self._excluded(name) else _Found(start, end, name, None, 2)
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
                if after is None or fold(after.group()) in self._som_verbs | self._stops:
                    break
            elif key in self._stops:
                break
            spans.append(word.span())
            word = _next_word(text, word.end())
        spans = self._without_qualifier(text, spans)
        start, end = spans[0][0], spans[-1][1]
        name = collapse_ws(text[start:end])
        if self._excluded(name):
            return None
        return _Found(start, end, name, None, 2)

    def _without_qualifier(self, text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Drop a trailing lower-case qualifier led by a preposition (``Komet i förskolan``)."""
        for k in range(1, len(spans)):
            if fold(text[slice(*spans[k])]) in self._prepositions and all(not text[s].isupper() for s, _ in spans[k:]):
                return spans[:k]
        return spans

    def _compound(self, text: str, folded: str, start: int, end: int) -> _Found | None:
        """A capitalised compound ending in a programme word (``Stockholmsmodellen``)."""
        word_start = start
        while (
            word_start > 0
            and start - word_start < 40
            and (folded[word_start - 1].isalnum() or folded[word_start - 1] == "-")
        ):
            word_start -= 1
        stem = folded[word_start:start].rstrip("-")
        if len(stem) < 3 or not text[word_start].isupper() or stem in self._generic_stems:
            return None
        if not self._mid_sentence(text, word_start):
            return None
        name = text[word_start:end]
        return _Found(word_start, end, name, None, 3)

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
        if kind == "acronym" or (entry["name"].isupper() and " " not in entry["name"]):
            wanted = entry["acronym"] if kind == "acronym" else entry["name"]
            if surface != wanted:
                return None
            return _Found(start, end, surface, entry.get("acronym") if kind == "acronym" else None, 4)
        if not surface[:1].isupper() and not entry.get("lower"):
            return None  # most names count only capitalised (``Barnahus``, not ``barnahus``)
        return _Found(start, end, collapse_ws(surface), None, 4)

    # 1c. ``DUR – ett instrument för ...``
    def _find_appositions(self, text: str) -> list[_Found]:
        if self._apposition is None:
            return []
        out: list[_Found] = []
        for m in self._apposition.finditer(text):
            name = collapse_ws(m.group("name"))
            if not self._excluded(name):
                out.append(_Found(m.start("name"), m.end("name"), name, None, 2))
        return out

    # 2. checks
    def _excluded(self, name: str) -> bool:
        """Units, authorities, laws and documents: judged by the words before the first preposition."""
        words = [w.group() for w in _WORD.finditer(fold(name))]
        if not words:
            return True
        for word in words:
            if word in self._prepositions:
                break
            if word in self._head_words or word.endswith(self._head_endings):
                return True
        return False

    # 3. resolution
    def _resolve(self, text: str, skel: str, found: list[_Found]) -> list[dict[str, Any]]:
        if not found:
            return []
        # The canonical name and acronym of each thing, keyed by folded name and by acronym.
        by_acronym: dict[str, tuple[str, str]] = {}
        for f in found:
            if f.rank == 0 and f.acronym and f.acronym not in by_acronym:
                by_acronym[f.acronym] = (f.name, f.acronym)
        by_name: dict[str, tuple[str, str | None]] = {_key(n): (n, a) for n, a in by_acronym.values()}
        # A gazetteer long form and its acronym in the same document are one programme.
        gaz_long = {_key(e["name"]): e.get("acronym") for e in self._entries if e.get("acronym")}
        for f in found:
            acr = gaz_long.get(_key(f.name))
            if f.rank == 4 and acr and acr not in by_acronym and any(g.acronym == acr for g in found):
                by_acronym[acr] = (f.name, acr)
                by_name.setdefault(_key(f.name), (f.name, acr))
        # Every occurrence of every found surface is a mention.
        surfaces = {f.acronym for f in found if f.acronym} | {text[f.start : f.end] for f in found}
        found = found + _occurrences(text, skel, surfaces)
        mentions: list[dict[str, Any]] = []
        last_end = -1
        for f in sorted(found, key=lambda f: (f.start, -(f.end - f.start), f.rank)):
            if f.start < last_end:
                continue
            surface = text[f.start : f.end]
            if surface in by_acronym:
                name, acr = by_acronym[surface]
            elif f.acronym in by_acronym:
                name, acr = by_acronym[f.acronym]
            elif _key(f.name) in by_name:
                name, acr = by_name[_key(f.name)]
            else:
                name, acr = f.name, f.acronym
            mentions.append({"text": surface, "start": f.start, "end": f.end, "name": name, "acronym": acr})
            last_end = f.end
        return mentions


def _skeleton(s: str) -> str:
    return fold(s).translate(_SKELETON)


def _key(name: str) -> str:
    return collapse_ws(fold(name))


def _is_acronym(s: str) -> bool:
    if not _ACRONYM.fullmatch(s):
        return False
    return sum(c.isupper() for c in s) >= 2


def _fit(letters: list[str], words: list[str], function_words: set[str]) -> int | None:
    """Index of the first word of the best long form for ``letters``, or None.

    Schwartz–Hearst: the letters occur in order, the first at the start of the first word and the
    last in the last word. Swedish compounds put several letters inside one word
    (``Relationsvåldscentrum`` gives R, V, C), so the others may fall anywhere; among the fits,
    the one with the most letters on word starts wins, then the longer one. At most one content
    word may go without a letter.
    """
    s = " ".join(words)
    n, m = len(s), len(letters)
    initial = [i == 0 or s[i - 1] == " " for i in range(n)]
    last_start = n - len(words[-1])
    neg = -(10**6)
    # best[j][p]: most word-initial matches for letters[j:] at positions >= p.
    best = [[neg] * (n + 1) for _ in range(m + 1)]
    best[m] = [0] * (n + 1)
    for j in range(m - 1, 0, -1):
        row, nxt, ch, floor = best[j], best[j + 1], letters[j], last_start if j == m - 1 else 0
        for p in range(n - 1, -1, -1):
            row[p] = row[p + 1]
            if s[p] == ch and p >= floor and nxt[p + 1] > neg:
                row[p] = max(row[p], int(initial[p]) + nxt[p + 1])
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
    letters: list[str],
    best: list[list[int]],
    initial: list[bool],
    last_start: int,
    function_words: set[str],
) -> int:
    """Content words of ``s[start:]`` that the best alignment from ``start`` leaves without a letter."""
    hits = [start]
    p = start + 1
    m = len(letters)
    for j in range(1, m):
        target = best[j][p]
        floor = last_start if j == m - 1 else 0
        while p < len(s) and not (s[p] == letters[j] and p >= floor and int(initial[p]) + best[j + 1][p + 1] == target):
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
    auto = ahocorasick.Automaton()
    for surface in surfaces:
        key = _skeleton(surface)
        if len(key) >= 2:
            auto.add_word(key, (len(key), surface))
    if not len(auto):
        return []
    auto.make_automaton()
    out: list[_Found] = []
    n = len(text)
    for end_idx, (length, surface) in auto.iter(skel):
        start, end = end_idx - length + 1, end_idx + 1
        if (start > 0 and skel[start - 1].isalnum()) or (end < n and skel[end].isalnum()):
            continue
        written = text[start:end]
        if (surface.isupper() and written != surface) or (surface[:1].isupper() and not written[:1].isupper()):
            continue
        out.append(_Found(start, end, collapse_ws(surface), None, 5))
    return out
