"""The beslutssatser component: the clauses of decisions and proposed decisions.

Finding is separated from segmenting (as eyecite separates finding from resolving):

1. block starts (decision headings such as ``Socialnämndens beslut`` / ``Förslag till beslut``,
   and lead-ins such as ``Kommunstyrelsen föreslår kommunfullmäktige besluta``) are tried only
   where one cheap scan found a trigger word (``triggers`` in the data), and block ends (section
   headings, page furniture, ``§ N``) are searched after each start, tried only where an
   Aho-Corasick pass over the block (as far as the search reaches) found a trigger (``heading_triggers``,
   ``marker_triggers``, ...): the same matches as full scans, at a fraction of the cost;
2. every start is paired with the first end or next start after it (bisect over sorted offsets),
   so each block is a slice and blocks never overlap: total work stays linear in the text;
3. each slice is segmented into clauses: paragraphs and lines, numbered points (``1.``, ``1)``,
   ``1``; in flattened text the next number inline), bullets, ``att`` points, inner lead-ins and,
   in flattened text, sentences. A sentence that reports rather than decides (a reservation,
   ``X redogör för``, ``Ordföranden finner``) ends the block where it begins.

Headings, lead-ins, ends and cue words are data (``data/beslutssatser/*.json``), matched on
:func:`~kommunnlp.text.fold` output with OCR-tolerant letter classes, so offsets are those of the
original text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ahocorasick

from ..text import collapse_ws, fold
from .base import RuleComponent

# What OCR makes of å/ä/ö, in folded text (å/ä fold to a, ö to o).
_OCR_CLASS = {"å": "[a&@6dieo]", "ä": "[a&@6dieo]", "ö": "[o6d0e]"}
_OCR_IN_CLASS = {"å": "&@6a", "ä": "&@6a", "ö": "6o"}  # the readings inside a [...] class
# What a literal trigger word's match opens (flags of its value in the end automaton).
_HEADING, _AFTER_WORD, _MARKER, _AFTER_NUMBER = 1, 2, 4, 8
# The first stretch of a block the end triggers are scanned over (each next one twice as long).
_END_STEP = 1024
# How far past an end heading a marker that starts before it may run.
_MARKER_OVERLAP = 64
_REGEX_SIGNS = frozenset(".^$*+?{}[]\\|()")

_TERMINAL = ".:;!?"
_OCR_CAPITALS = "&@6|1"
# Left word boundary that also holds before an OCR-read capital ("&rendet" for "Ärendet").
_LB = r"(?<![\w&@|])"
_BULLETS = "-•–—*\uf0b7\u25cf\u25aa\u2022\u25e6"
_SENTENCE_GAP = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ]|[&|6][a-zåäö]|\d{1,3}\s+[A-ZÅÄÖ])")
_ABBREVIATION = re.compile(r"(?:[a-zåäö]{1,3}\.){1,3}")
_NAME = re.compile(r"[A-ZÅÄÖÁÉ][\w'&@|-]*")
# These open with the digit or sign (the blank before is a lookbehind after it): a leading class
# lets the regex engine skip ahead to the next digit or sign instead of trying every offset.
_INLINE_NUMBER = re.compile(r"(\d(?<=\s\d)\d?)(?:([.)])(?=\s+\S)|(?=\s+[A-ZÅÄÖ]))")
_INLINE_BULLET = re.compile(r"[-•\uf0b7\u2022](?<=\s[-•\uf0b7\u2022])(?=\s+\S)")
# A unit without any of these has no inline point number, sub-number or bullet to split at.
_INLINE_MARK = re.compile(r"[\d\-•\uf0b7\u2022]")
_LAST_WORD = re.compile(r"(\S+)\s+$")
_OTHER_BLANK = re.compile(r"[^\S ]")
_POINT_BEFORE = re.compile(r"(?:^|\s)\d{1,2}[.)]\s*$")
_CAPITAL_AHEAD = re.compile(r"\s+[A-ZÅÄÖ]")
_POINT_AHEAD = re.compile(r"\d{1,2}(?:[.)]\s|\s+[A-ZÅÄÖ])")
_REFERENCE_AHEAD = re.compile(r"\d{1,4}/\d{4}\s+")
_LETTER_ITEM = re.compile(r"[a-zåäö][.)]\s+(?=\S)")
# A line shorter than this that ends without punctuation was not wrapped: it ends its point.
_WRAPPED_LINE = 45
_LINE_END = re.compile(r"[ \t]*(?::|\r?\n|$)")
_NEXT_WORD = re.compile(r"[^\W\d_]+")
_SUB_NUMBER = re.compile(r"(\d(?<=\s\d)\d?)\.(\d{1,2})(?=\s+[a-zåäö&@|])")
_SENTENCE_END = re.compile(r"[.!?]\s+")
_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"\w+")
_LINE_NUMBER = re.compile(r"(\d{1,2})(?:[.)]\s*|\s+(?=[A-ZÅÄÖ]))")
# How much of a clause's end _trim_signature tokenises first.
_SIGNATURE_TAIL = 200
# Longest stretch a block may span: a heading without any end marker must not swallow a book.
_MAX_BLOCK = 20_000
# How far into a sentence its narrative verb may stand (subject and "har").
_NARRATIVE_REACH = 60
# A document whose lines average longer than this was flattened by text extraction.
_FLAT_LINE = 300
# A line (as str.splitlines splits) with a non-blank character, from that character on.
_FILLED_LINE = re.compile(r"\S[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]*")


def _cap(text: str, i: int) -> bool:
    """Is ``text[i]`` a capital, also where OCR read a capital Å/Ä/Ö/I as ``&``, ``6``, ``|``, ``1``?"""
    ch = text[i] if 0 <= i < len(text) else ""
    if ch.isupper():
        return True
    if ch not in _OCR_CAPITALS or i + 1 >= len(text) or not text[i + 1].islower():
        return False
    # Only where a capital is expected: at a line start or after a closed sentence.
    before = text[max(0, i - 40) : i].rstrip(" \t")
    return not before or before[-1] in "\n.:;!?)" or before[-1].isdigit()


def _back_match(regex: re.Pattern[str], folded: str, pos: int) -> tuple[int, int] | None:
    """The longest run of up to four words ending just before ``pos`` that ``regex`` matches whole.

    Looking back word by word keeps the cost per candidate constant (no regex scan of a window).
    """
    end = pos
    while end > 0 and pos - end < 8 and folded[end - 1] in " \t\r\n":
        end -= 1
    if end == pos or end == 0:
        return None
    starts: list[int] = []
    window = max(0, end - 80)
    # The walk stops at a line break (it only repeats the offset after it from there).
    brk = max(folded.rfind("\n", window, end), folded.rfind("\r", window, end))
    lo = brk + 1 if brk >= 0 else window
    if _OTHER_BLANK.search(folded, lo, end) is None:
        # Only plain spaces between the words (nearly always): the same walk, a word per rfind.
        i = end
        while len(starts) < 4 and i > lo:
            j = max(lo, folded.rfind(" ", lo, i) + 1)
            starts.append(j)
            i = j
            while i > lo and folded[i - 1] == " ":
                i -= 1
        if brk >= 0 and len(starts) < 4 and (not starts or starts[-1] != lo):
            starts.append(lo)
        for start in reversed(starts):
            if regex.fullmatch(folded, start, end):
                return start, end
        return None
    i = end
    while len(starts) < 4 and i > 0 and end - i < 80:
        j = i
        while j > 0 and end - j < 80 and not folded[j - 1].isspace():
            j -= 1
        starts.append(j)
        i = j
        while i > 0 and end - i < 80 and folded[i - 1] in " \t":
            i -= 1
    for start in reversed(starts):
        if regex.fullmatch(folded, start, end):
            return start, end
    return None


def _scan(
    regex: re.Pattern[str], folded: str, starts: list[int] | None, pos: int = 0, endpos: int | None = None
) -> Iterator[re.Match[str]]:
    """``regex.finditer(folded, pos, endpos)``, trying ``regex`` only at ``starts`` (None: everywhere).

    ``starts`` (sorted, repeats allowed) must hold every offset where a match can begin; as
    finditer does, a match resumes the search at its end.
    """
    end = len(folded) if endpos is None else endpos
    if starts is None:
        yield from regex.finditer(folded, pos, end)
        return
    resume = pos
    for k in range(bisect_left(starts, pos), len(starts)):
        p = starts[k]
        if p >= end:
            return
        if p >= resume:
            m = regex.match(folded, p, end)
            if m is None:
                resume = p + 1
            else:
                yield m
                resume = m.end()


def _spellings(word: str) -> list[str]:
    """A literal trigger as folded text may hold it: each å/ä/ö as every letter OCR reads it as."""
    out = [""]
    for ch in word:
        options = _OCR_CLASS[ch][1:-1] if ch in _OCR_CLASS else ch
        out = [o + c for o in out for c in options]
    return out


def _sv(pattern: str) -> str:
    """Widen the å/ä/ö of a data pattern to their OCR readings (outside and inside classes)."""
    out: list[str] = []
    in_class = False
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif ch == "[" and not in_class:
            in_class = True
            out.append(ch)
        elif ch == "]" and in_class:
            in_class = False
            out.append(ch)
        elif ch in _OCR_CLASS:
            out.append(_OCR_IN_CLASS[ch] if in_class else _OCR_CLASS[ch])
        else:
            out.append(ch)
    return "".join(out)


def _alt(patterns: list[str]) -> str:
    return "|".join(f"(?:{_sv(p)})" for p in patterns)


_FIRST = re.compile(r"(?:[^\W\d_]|\[(?:[^\]\\]|\\.)+\])(?![*+?{])")


def _top_level_bar(pattern: str) -> bool:
    """Does ``pattern`` hold a ``|`` outside groups and classes (an alternation of its own)?"""
    depth = 0
    in_class = escaped = False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return True
    return False


def _lb_alt(patterns: list[str]) -> str:
    """``_LB`` + ``_alt(patterns)`` for searching, written to open with a class of the possible
    first letters (then the boundary before it, then each alternative's rest after a check of its
    own first letter): the engine skips to a possible first letter instead of testing the
    look-behind at every offset. Twice as fast for a few words of rare first letters; slower for
    many words, whose first letters are most letters (the look-behind first is cheaper there)."""
    firsts: list[str] = []
    rests: list[str] = []
    for pattern in patterns:
        p = _sv(pattern)
        first = _FIRST.match(p)
        if first is None or _top_level_bar(p) or first.group(0).startswith("[^"):
            return rf"{_LB}(?:{_alt(patterns)})"
        head = first.group(0)
        firsts.append(head[1:-1] if head.startswith("[") else head)
        rests.append(f"(?<={head}){p[first.end() :]}")
    if not rests:
        return "(?!)"
    return f"[{''.join(firsts)}](?<![\\w&@|].)(?:{'|'.join(f'(?:{r})' for r in rests)})"


# A clause before its final checks: start, end, point number, kind, organ.
_Clause = tuple[int, int, "int | None", str, "str | None"]


@dataclass
class _Block:
    start: int  # where the heading or lead-in begins
    content: int  # where the clauses begin
    kind: str
    heading: str | None
    organ: str | None
    is_heading: bool
    end: int = 0


@dataclass
class _Unit:
    """A paragraph or line of a block, possibly opened by a point marker."""

    start: int
    end: int
    number: int | None = None
    marker: str | None = None  # "number" | "bullet" | "att" | "page"
    blank_before: bool = False
    body: int = 0  # where the text after the marker begins


@dataclass
class _LeadIn:
    start: int  # organ start
    end: int  # after the lead-in (and its "att"/colon)
    kind: str
    inner_only: bool
    text: str
    organ: str


class DecisionClauseRecognizer(RuleComponent):
    """Finds beslutssatser: the points of decisions and proposals, with kind, number, heading, organ."""

    data_dir = "beslutssatser"
    label_field = "kind"

    # -- compiling the data ------------------------------------------------------------------
    def _compile(self) -> None:
        headings = self.data.get("headings", {})
        lead = self.data.get("lead_ins", {})
        ends = self.data.get("block_ends", {})
        doc = self.data.get("document", {})
        forslag = headings.get("forslag", [])
        beslut = headings.get("beslut", [])
        line = headings.get("forslag_line", []) or ["(?!)"]
        self._heading_re = (
            re.compile(rf"{_LB}(?:(?P<f>{_alt(forslag)})|(?P<fl>{_alt(line)})|(?P<b>{_alt(beslut)}))\b")
            if forslag
            else None
        )
        genitive = _sv(headings.get("genitive_organ", r"(?!)"))
        self._genitive_re = re.compile(genitive)
        organ = lead.get("organ", r"(?!)")
        self._organ_re = re.compile(_sv(organ))
        self._inner_organ_re = re.compile(_sv(lead.get("inner_organ", "(?!)")))
        groups: list[str] = []
        self._lead_kinds: list[tuple[str, str, bool]] = []
        for i, item in enumerate(lead.get("start", [])):
            groups.append(f"(?P<s{i}>{_sv(item['pattern'].replace('{organ}', organ))})")
            self._lead_kinds.append((f"s{i}", item["kind"], False))
        for i, item in enumerate(lead.get("inverted", [])):
            groups.append(f"(?P<v{i}>{_sv(item['pattern'].replace('{organ}', f'(?P<vo{i}>{organ})'))})")
            self._lead_kinds.append((f"v{i}", item["kind"], False))
        for i, item in enumerate(lead.get("inner", [])):
            groups.append(f"(?P<i{i}>{_sv(item['pattern'].replace('{organ}', organ))})")
            self._lead_kinds.append((f"i{i}", item["kind"], True))
        self._lead_re = re.compile(_LB + r"(?:" + "|".join(groups) + ")") if groups else None
        # Headings and lead-ins begin with a few words: one cheap scan for them finds the only
        # offsets where the long alternations are worth trying. Without triggers, scan everywhere.
        triggers = (headings.get("triggers") or []) + (lead.get("triggers") or [])
        # One regex per first letter: its literal prefix lets the engine jump between candidates,
        # which an alternation of several first letters does not. (No trigger's match covers the
        # start of another's, so the separate scans find what one scan of them all would.)
        by_first: dict[str, list[str]] = {}
        for trigger in sorted(set(triggers)):
            by_first.setdefault(trigger[0] if trigger[0].isalnum() else trigger, []).append(trigger)
        self._trigger_res: list[re.Pattern[str]] | None = (
            [re.compile(_alt(group)) for group in by_first.values()]
            if headings.get("triggers") and lead.get("triggers")
            else None
        )
        self._end_heading_re = re.compile(rf"{_LB}(?:{_alt(ends.get('headings', []))})\b")
        self._marker_re = re.compile(rf"(?:{_alt(ends.get('markers', []))})")
        # Heading and literal marker triggers are found by one Aho-Corasick scan of the blocks'
        # span (overlapping matches included, so every offset where one begins); a marker
        # trigger that is a regex is scanned apart, inside each block's search window.
        keys: dict[str, list[int]] = {}
        triggers = ends.get("marker_triggers") or []
        words = [t for t in triggers if not _REGEX_SIGNS.intersection(t)]
        groups = (
            (ends.get("heading_triggers") or [], _HEADING),
            (ends.get("heading_after_word_triggers") or [], _AFTER_WORD),
            (words, _MARKER),
            (ends.get("marker_number_triggers") or [], _AFTER_NUMBER),
        )
        for group, flag in groups:
            for word in group:
                for spelling in _spellings(word):
                    keys.setdefault(spelling, [len(spelling), 0])[1] |= flag
        self._end_auto: ahocorasick.Automaton | None = None
        if keys:
            self._end_auto = ahocorasick.Automaton()
            for key, (length, flags) in keys.items():
                self._end_auto.add_word(key, (length, flags))
            self._end_auto.make_automaton()
        self._end_key_max = max(map(len, keys), default=1)
        self._heading_triggered = bool(ends.get("heading_triggers"))
        self._marker_triggered = bool(triggers or ends.get("marker_number_triggers"))
        rest = [t for t in triggers if t not in words]
        self._marker_rest = re.compile(_alt(rest)) if rest else None
        self._line_start_re = re.compile(rf"(?m)^[ \t]*(?:{_alt(ends.get('line_starts', []))})")
        self._para_re = re.compile(rf"\b(?:{_sv(ends.get('paragraph_marker', '(?!)'))})")
        self._stopper_re = re.compile(rf"{_LB}(?:{_alt(ends.get('stoppers', []))})")
        # Two words of rare first letters: opening with those letters lets the engine skip to them.
        self._kallelse_re = re.compile(_lb_alt(doc.get("kallelse", [])))
        self._header_chars = int(doc.get("header_chars", 300))
        self._role_re = re.compile(rf"^{_sv(doc.get('roles', '(?!)'))}$")
        self._anaphora = {fold(w) for w in doc.get("anaphora", [])}
        self._narrative_re = re.compile(rf"{_LB}(?:{_alt(doc.get('narrative', []))})")
        self._not_clause_re = re.compile(rf"(?:{_alt(doc.get('not_clause_start', []))})")
        self._reference_words = {fold(w) for w in doc.get("reference_words", [])}
        self._subordinators = {fold(w) for w in doc.get("subordinators", [])}
        self._not_verbs = {fold(w) for w in doc.get("not_verbs", [])}

    # -- finding -------------------------------------------------------------------------------
    def find(self, text: str) -> list[dict[str, Any]]:
        """Every clause of every decision block in ``text``, in order, as plain mention dicts."""
        if not isinstance(text, str) or not text.strip() or self._heading_re is None:
            return []
        folded = fold(text)
        starts: list[int] | None = None
        if self._trigger_res is not None:
            starts = []
            for regex in self._trigger_res:
                starts.extend([m.start() for m in regex.finditer(folded)])
            if len(self._trigger_res) > 1:
                starts.sort()
        leads = self._lead_ins(text, folded, starts)
        blocks = self._blocks(text, folded, leads, starts)
        if not blocks:
            return []
        # Flat when 0 < non-blank lines < len / _FLAT_LINE: counted only until that is decided.
        most = (len(text) - 1) // _FLAT_LINE
        lines = 0
        for _ in _FILLED_LINE.finditer(text):
            lines += 1
            if lines > most:
                break
        flat = 0 < lines <= most
        kallelse = bool(self._kallelse_re.search(folded, 0, self._header_chars))
        out: list[dict[str, Any]] = []
        lead_starts = [li.start for li in leads]
        for block in blocks:
            i = bisect_left(lead_starts, block.content)
            inner = []
            while i < len(leads) and leads[i].start < block.end:
                inner.append(leads[i])
                i += 1
            for clause in self._segment(text, folded, block, inner, flat):
                if kallelse:
                    clause["kind"] = "förslag"
                out.append(clause)
        return out

    def _block_end(self, text: str, folded: str, pos: int, limit: int) -> int:
        """The first block end in ``[pos, limit)``, or ``limit``.

        Searched lazily per block, each kind of end only up to the nearest end found so far, so
        a document costs at most a few scans of its block text, not of all of it.
        """
        best = limit
        index = _EndStarts(self, folded, pos, limit) if self._end_auto is not None else None
        found = self._end_heading_at(text, folded, pos, best, index)
        if found is not None:
            best = found
        # A marker may start before the heading and run into it (`SÄRSKILT YTTRANDE`, whose
        # second word is a heading): searched a little past the heading, kept only if it starts
        # before it.
        found = self._marker_at(text, folded, pos, min(limit, best + _MARKER_OVERLAP), index)
        if found is not None and found < best:
            best = found
        for hit in (self._line_start_at, self._paragraph_at):
            found = hit(text, folded, pos, best)
            if found is not None:
                best = found
        return best

    def _end_heading_at(self, text: str, folded: str, pos: int, limit: int, index: _EndStarts | None) -> int | None:
        if index is None or not self._heading_triggered:
            matches = _scan(self._end_heading_re, folded, None, pos, limit)
        else:
            matches = index.scan(self._end_heading_re, index.heads, pos, limit)
        for m in matches:
            capital = _cap(text, m.start()) or text[m.start()] in _OCR_CAPITALS
            if capital and self._heading_follows(text, m.end(), strict=True) is not None:
                return m.start()
        return None

    def _marker_at(self, text: str, folded: str, pos: int, limit: int, index: _EndStarts | None) -> int | None:
        if index is None or not self._marker_triggered:
            matches = _scan(self._marker_re, folded, None, pos, limit)
        elif self._marker_rest is not None:
            # Inside a regex trigger's match too (the literal ones' starts are scanned first).
            index.extend(limit)
            starts = index.markers
            found: set[int] = set()
            for t in self._marker_rest.finditer(folded, pos, limit):
                found.update(range(t.start(), t.end()))
            if found:
                found.update(starts[bisect_left(starts, pos) : bisect_left(starts, limit)])
                starts = sorted(found)
            matches = _scan(self._marker_re, folded, starts, pos, limit)
        else:
            matches = index.scan(self._marker_re, index.markers, pos, limit)
        for m in matches:
            s = m.start()
            ch = text[s]
            if ch.isalpha() and not _cap(text, s):
                continue
            if ch == "§" and not (self._at_line_start(text, s) or _CAPITAL_AHEAD.match(text, m.end(), m.end() + 3)):
                continue
            if ch.isdigit() and not self._at_line_start(text, s) and s > 0 and text[s - 1] not in " \t":
                continue
            return s
        return None

    def _line_start_at(self, text: str, folded: str, pos: int, limit: int) -> int | None:
        m = self._line_start_re.search(folded, pos, limit)
        return m.start() if m else None

    def _paragraph_at(self, text: str, folded: str, pos: int, limit: int) -> int | None:
        for m in self._para_re.finditer(folded, pos, limit):
            word = text[m.start() : m.end()].split()[0]
            nxt = text[m.end() : m.end() + 2].lstrip()
            if word[0].isupper() and (word.isupper() or len(word) == 2) and nxt[:1].isupper():
                return m.start()
        return None

    def _lead_ins(self, text: str, folded: str, starts: list[int] | None) -> list[_LeadIn]:
        if self._lead_re is None:
            return []
        out: list[_LeadIn] = []
        for m in _scan(self._lead_re, folded, starts):
            group = m.lastgroup or ""
            if group.startswith("v"):  # the body follows the verb
                om: tuple[int, int] | None = m.span(f"vo{group[1:]}")
                os_ = m.start()
            else:
                om = _back_match(self._organ_re, folded, m.start())
                os_ = om[0] if om else 0
            if om is None or not _cap(text, os_):
                continue
            oe = om[1]
            before = folded[max(0, os_ - 6) : os_].split()
            if before and before[-1] in self._subordinators:
                continue
            kind, inner_only = next(((k, i) for g, k, i in self._lead_kinds if g == group), ("beslut", False))
            end = m.end()
            lead_text = collapse_ws(text[os_:end]).rstrip(" :.")
            inner_only = inner_only or self._inner_organ_re.fullmatch(folded, om[0], oe) is not None
            organ = collapse_ws(text[om[0] : oe])
            out.append(_LeadIn(os_, end, kind, inner_only, lead_text, organ[:1].upper() + organ[1:]))
        return out

    @staticmethod
    def _at_line_start(text: str, pos: int) -> bool:
        window = max(0, pos - 200)
        line_start = text.rfind("\n", window, pos)
        if line_start < 0 and window > 0:
            return False
        return not text[line_start + 1 : pos].strip()

    @staticmethod
    def _heading_follows(text: str, pos: int, *, strict: bool = False) -> int | None:
        """Where the content after a heading ending at ``pos`` begins, or None if it is prose."""
        n = len(text)
        i = pos
        while i < n and text[i] in " \t":
            i += 1
        colon = i < n and text[i] in ":"
        if colon:
            i += 1
        while i < n and text[i] in " \t\r":
            i += 1
        if i >= n or text[i] == "\n":
            while i < n and text[i] in " \t\r\n":
                i += 1
            return i
        ch = text[i]
        if _cap(text, i) or ch in _BULLETS or ch in "\"'”(":
            return i
        if strict:  # an end heading: not running prose nor the end of a sentence after it
            return None if ch.isalpha() or ch in ".,;" else i
        if ch.isdigit():
            tail = text[i : i + 12]
            if _POINT_AHEAD.match(tail):
                return i
            ref = _REFERENCE_AHEAD.match(tail)
            if ref and not strict:
                return i + ref.end()
            return None
        if colon and not strict:
            return i
        return None

    def _subject_follows(self, text: str, folded: str, hstart: int, e: int) -> int | None:
        """``Utskottets beslut tar del av ...``: the heading names the subject of a decision verb.

        Flattened tables glue the decision to its heading; prose (``enligt Nämndens beslut är``)
        is told apart by the word before the heading and the word after it.
        """
        prev = _LAST_WORD.search(text, max(0, hstart - 30), hstart)
        if prev is not None and prev.group(1)[:1].islower():
            return None
        return self._verb_follows(text, folded, e)

    def _verb_follows(self, text: str, folded: str, e: int) -> int | None:
        """Where the decision verb after a heading ending at ``e`` begins (see _subject_follows)."""
        i = e
        while i < len(text) and text[i] in " \t":
            i += 1
        word = _NEXT_WORD.match(folded, i)
        if word is None or i == e or not word.group(0).endswith("r") or word.group(0) in self._not_verbs:
            return None
        return i

    def _blocks(self, text: str, folded: str, leads: list[_LeadIn], starts: list[int] | None) -> list[_Block]:
        heads: list[_Block] = []
        assert self._heading_re is not None
        for m in _scan(self._heading_re, folded, starts):
            s, e = m.start(), m.end()
            # Neither laid out as a heading nor the subject of a verb: prose, whatever the words
            # before it (checked first, as the look back for the body costs more).
            if self._heading_follows(text, e) is None and self._verb_follows(text, folded, e) is None:
                continue
            gm = _back_match(self._genitive_re, folded, s)
            hstart = gm[0] if gm else s
            is_forslag = m.group("b") is None
            if m.group("fl") is not None and (gm is None or not _LINE_END.match(text, e)):
                continue
            tail_upper = (
                is_forslag and any(c.isupper() for c in text[e - 20 : e] if c.isalpha()) and " till " in folded[s:e]
            )
            if not (_cap(text, hstart) or tail_upper):
                continue
            if not is_forslag and gm is None and not _cap(text, s):
                continue
            before = text[max(0, hstart - 8) : hstart]
            if _POINT_BEFORE.search(before) and not self._at_line_start(text, hstart - len(before.lstrip())):
                continue
            content = self._heading_follows(text, e)
            if content is None and gm is not None:
                content = self._subject_follows(text, folded, gm[0], e)
            if content is None:
                continue
            organ = None
            if gm:
                organ = collapse_ws(text[gm[0] : gm[1]])
                organ = organ[:-1] if organ.endswith("s") else organ
            heading = collapse_ws(text[hstart:e])
            kind = "förslag" if is_forslag else "beslut"
            if heads and len(heads[-1].heading or "") < 120 and not text[heads[-1].content : hstart].strip():
                prev = heads[-1]  # consecutive headings form one ("Beslut Förslag till kommunfullmäktige")
                prev.kind = "förslag" if "förslag" in (prev.kind, kind) else kind
                prev.heading = f"{prev.heading} {heading}"
                prev.organ = prev.organ or organ
                prev.content = content
                continue
            heads.append(_Block(hstart, content, kind, heading, organ, True))
        if not heads and all(li.inner_only for li in leads):
            return []
        # Every block end is searched for in [block content, at most _MAX_BLOCK further).
        starts = [b.start for b in heads]
        for i, b in enumerate(heads):
            nxt = starts[i + 1] if i + 1 < len(starts) else len(text)
            b.end = self._block_end(text, folded, b.content, min(nxt, b.content + _MAX_BLOCK))
        # Lead-ins outside every heading block open blocks of their own.
        blocks = list(heads)
        free = []
        for li in leads:
            if li.inner_only:
                continue
            k = bisect_left(starts, li.start + 1) - 1
            if k >= 0 and heads[k].content <= li.start < heads[k].end:
                continue
            if k >= 0 and heads[k].start <= li.start < heads[k].content:
                continue
            free.append(li)
        for idx, li in enumerate(free):
            k = bisect_left(starts, li.end)
            nxt_head = starts[k] if k < len(starts) else len(text)
            nxt_lead = free[idx + 1].start if idx + 1 < len(free) else len(text)
            end = self._block_end(text, folded, li.end, min(nxt_head, nxt_lead, li.end + _MAX_BLOCK))
            content = li.end
            while content < end and text[content].isspace():
                content += 1
            blocks.append(_Block(li.start, content, li.kind, li.text, li.organ, False, end))
        blocks.sort(key=lambda b: b.start)
        return blocks

    # -- segmenting ----------------------------------------------------------------------------
    def _units(self, text: str, block: _Block, flat: bool) -> Iterator[_Unit]:
        """The block's units, each once complete (segmenting often stops long before the end)."""
        prev: _Unit | None = None
        pos = block.content
        prev_line = 0
        blank = False
        first = True
        while pos < block.end:
            nl = text.find("\n", pos, block.end)
            le = block.end if nl < 0 else nl
            a, b = pos, le
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            pos = le + 1
            if a >= b:
                if not first:
                    blank = True
                continue
            if prev is not None and flat:
                # A line break in flattened text is a page or item break: the block is over.
                yield prev
                yield _Unit(a, b, blank_before=True, marker="page")
                return
            line = text[a:b]
            number, marker, offset = self._line_marker(line)
            if prev is not None and marker is None:
                # A wrapped line continues its point: it starts in lower case, or follows a long
                # line that ended without punctuation.
                wrapped = not blank and text[prev.end - 1] not in _TERMINAL and prev_line >= _WRAPPED_LINE
                if line[0].islower() or wrapped:
                    prev.end = b
                    prev_line = b - a
                    blank = False
                    continue
            prev_line = b - a
            if prev is not None:
                yield prev
            prev = _Unit(a, b, number, marker, blank, a + offset)
            first = False
            blank = False
        if prev is not None:
            yield prev

    @staticmethod
    def _line_marker(line: str) -> tuple[int | None, str | None, int]:
        """The point marker opening a line (a number, a bullet, a letter or ``att``) and its length."""
        m = _LINE_NUMBER.match(line)
        if m and m.end() < len(line):
            return int(m.group(1)), "number", m.end()
        if line[0] in _BULLETS and len(line) > 1 and line[1] in " \t":
            return None, "bullet", 2
        m = _LETTER_ITEM.match(line)
        if m:
            return None, "bullet", m.end()
        if line.startswith(("att ", "att\t")):
            return None, "att", 0
        return None, None, 0

    def _segment(self, text: str, folded: str, block: _Block, inner: list[_LeadIn], flat: bool) -> list[dict[str, Any]]:
        units = self._units(text, block, flat)
        pieces: list[tuple[int, int, int | None]] = []  # start, end, point number
        expected = 1
        kind = block.kind
        prev_blank_ok = False
        prev_intro = False  # the previous unit introduces points (a colon, or a bare lead-in)
        lead_at = {li.start: li for li in inner}
        inner_starts = [li.start for li in inner]
        prev_marker: str | None = None
        for idx, u in enumerate(units):
            if u.marker == "page":
                break
            opens_with_lead = u.start in lead_at
            if idx == 0 and u.marker == "number" and (u.number or 0) > 2:
                break  # a decision's points start at 1: this is an agenda list
            if idx > 0:
                gap_ok = not u.blank_before or prev_blank_ok or prev_intro
                if u.marker == "number":
                    if u.number not in (expected, expected + 1) or not gap_ok:
                        break
                elif u.marker in ("bullet", "att"):
                    if not gap_ok and idx > 1 and prev_marker is None:
                        break
                elif not opens_with_lead:
                    body = text[u.start : u.end]
                    if body[-1] not in _TERMINAL or self._looks_like_signature(body):
                        break
            prev_blank_ok = u.blank_before or idx == 0
            prev_intro = text[u.end - 1] == ":" or (opens_with_lead and lead_at[u.start].end >= u.end)
            prev_marker = u.marker
            start = u.body
            if u.marker == "number":
                expected = (u.number or 0) + 1
            number = u.number if u.marker == "number" else None
            for s, e, n, marker in self._split_inline(text, start, u.end, number, expected, flat):
                if n is not None and marker == "number":
                    expected = n + 1
                pieces.append((s, e, n))
        # Inner lead-ins split pieces and are dropped; a proposal lead-in turns what follows
        # into proposals.
        clauses: list[_Clause] = []
        organ = block.organ
        for s, e, n in pieces:
            seg_start = s
            seg_number = n
            j = bisect_left(inner_starts, s)
            while j < len(inner) and inner[j].start < e:
                li = inner[j]
                j += 1
                before_end = self._rstrip(text, seg_start, li.start)
                # Text before a lead-in is a clause only if it closes; else it is a case title.
                if before_end > seg_start and text[before_end - 1] in _TERMINAL:
                    clauses.append((seg_start, li.start, seg_number, kind, organ))
                    seg_number = None
                if li.kind == "förslag":
                    kind = "förslag"
                elif not block.is_heading:
                    kind = li.kind
                # The body that decides, or for a proposal the body that proposes where the
                # heading names none.
                if not (kind == "förslag" and block.organ):
                    organ = li.organ
                seg_start = max(seg_start, li.end)
                while seg_start < e and text[seg_start] in " \t\n\r":
                    seg_start += 1
            if seg_start < e:
                clauses.append((seg_start, e, seg_number, kind, organ))
        if flat:
            clauses = self._sentences(text, folded, clauses)
            if not block.is_heading and fold(block.heading or "").endswith(" att") and clauses:
                # "X beslutar att <clause>." is one sentence; what follows is the case's prose.
                clauses = clauses[:1]
        out: list[dict[str, Any]] = []
        for i, (s, e, n, k, body_organ) in enumerate(clauses):
            while s < e and text[s].isspace():
                s += 1
            e = self._rstrip(text, s, e)
            if e <= s:
                continue
            stop = self._stopper_re.search(folded, s, e)
            if stop is not None:
                e = self._rstrip(text, s, self._stop_cut(text, s, stop.start()))
            if i == len(clauses) - 1 or stop is not None:
                e = self._trim_signature(text, s, e)
            body = text[s:e]
            if e > s and self._is_clause(body, folded[s:e]):
                nxt_number = clauses[i + 1][2] if i + 1 < len(clauses) else None
                # Text before point 1 without closing punctuation is a preamble, not a clause.
                preamble = n is None and nxt_number == 1 and body[-1] not in _TERMINAL
                if not preamble:
                    out.append(
                        {
                            "text": body,
                            "start": s,
                            "end": e,
                            "kind": k,
                            "number": n,
                            "heading": block.heading,
                            "organ": body_organ,
                        }
                    )
            if stop is not None:
                break
        if (
            not block.is_heading
            and len(out) == 1
            and out[0]["number"] is None
            and out[0]["text"][-1] not in _TERMINAL
            and text[out[0]["end"] : out[0]["end"] + 2].strip(" \t\r").startswith("\n")
        ):
            return []  # a lone lead-in line without a full stop is a title ("X beslutar att ...")
        return out

    def _split_inline(
        self, text: str, s: int, e: int, number: int | None, expected: int, flat: bool
    ) -> list[tuple[int, int, int | None, str | None]]:
        """Split one unit at inline point numbers (the next number) and bullets after a colon."""
        if _INLINE_MARK.search(text, s, e) is None:
            return [(s, e, number, None)] if e > s else []
        seg = text[s:e]
        cands: dict[int, list[tuple[int, int, bool]]] = {}
        dotless: dict[int, list[tuple[int, int, bool]]] = {}
        for m in _INLINE_NUMBER.finditer(seg):
            if not m.group(2) and not self._dotless_ok(seg, m.start(), int(m.group(1))):
                continue
            table = cands if m.group(2) else dotless
            table.setdefault(int(m.group(1)), []).append((m.start(), m.end(), self._after(seg, m.start()) == ":"))
        # Numbers without a dot ("1 Nämnden ... 2 Nämnden") count only where they form a sequence.
        for n, found in dotless.items():
            if n + 1 in dotless or n - 1 in dotless or n - 1 in cands or n + 1 in cands:
                cands.setdefault(n, []).extend(found)
                cands[n].sort()
        pos = 0
        splits: list[tuple[int, int, int | None, str]] = []
        exp = expected
        while True:
            choice = None
            for n in (exp, exp + 1):
                options = [c for c in cands.get(n, []) if c[0] > pos]
                if n == exp + 1 and cands.get(exp) and any(c[0] > pos for c in cands[exp]):
                    break
                if options:
                    plain = [c for c in options if not c[2]]
                    choice = (n, plain[0] if plain else options[0])
                    break
            if choice is None:
                break
            n, (ms, me, _colon) = choice
            splits.append((ms, me, n, "number"))
            pos = me
            exp = n + 1
        if number is not None or splits:
            # Sub-points ("3.1 årligen ...") of the current point or of a point split off above.
            opened = {n: ms for ms, _me, n, _k in reversed(splits)}
            for m in _SUB_NUMBER.finditer(seg):
                main = int(m.group(1))
                if main == number or opened.get(main, len(seg)) < m.start():
                    splits.append((m.start(), m.end(), None, "sub"))
        # An inline dash is a bullet after a closed sentence or once a list's colon was seen;
        # a bullet sign always is.
        colon = seg.find(":")
        for m in _INLINE_BULLET.finditer(seg):
            if m.group(0) != "-" or self._after(seg, m.start()) in ".;:" or 0 <= colon < m.start():
                splits.append((m.start(), m.end(), None, "bullet"))
        splits.sort()
        pieces: list[tuple[int, int, int | None, str | None]] = []
        cur_start, cur_number, cur_marker = 0, number, None
        for ms, me, n, marker in splits:
            if ms < cur_start:
                continue
            if ms > cur_start:
                pieces.append((s + cur_start, s + ms, cur_number, cur_marker))
            cur_start = me
            while cur_start < len(seg) and seg[cur_start] in " \t\r\n":
                cur_start += 1
            cur_number, cur_marker = n, marker
        if cur_start < len(seg):
            pieces.append((s + cur_start, e, cur_number, cur_marker))
        return pieces

    def _dotless_ok(self, seg: str, pos: int, n: int) -> bool:
        """A number without a dot opens a point after a closed sentence (or as point 1)."""
        prev = self._after(seg, pos)
        if prev and prev not in ".:;!?" and n != 1:
            return False
        word = _LAST_WORD.search(seg, max(0, pos - 30), pos)
        return word is None or fold(word.group(1)) not in self._reference_words

    @staticmethod
    def _after(seg: str, pos: int) -> str:
        """The last non-blank character before ``pos`` (looking back a short way)."""
        i = pos - 1
        while i >= 0 and pos - i < 40 and seg[i] in " \t\r\n":
            i -= 1
        return seg[i] if i >= 0 else ""

    def _sentences(self, text: str, folded: str, clauses: list[_Clause]) -> list[_Clause]:
        """In flattened text, unnumbered clauses are split into sentences (paragraphs were lost).

        A sentence opening with an anaphoric word continues the previous clause; one that tells
        what happened (``Nämnden har ...``) starts the case's prose, which ends the block.
        """
        if any(c[2] is not None for c in clauses):
            return clauses
        out: list[_Clause] = []
        for s, e, n, k, organ in clauses:
            cur = s
            for m in _SENTENCE_GAP.finditer(text, s, e):
                nxt = m.end()
                word = _WORD.match(text, nxt, e)
                if word is not None and fold(word.group(0)) in self._anaphora:
                    continue
                out.append((cur, m.start(), n, k, organ))
                if self._narrative_re.search(folded, nxt, min(e, nxt + _NARRATIVE_REACH)):
                    return out
                cur = nxt
            out.append((cur, e, n, k, organ))
        return out

    @staticmethod
    def _rstrip(text: str, s: int, e: int) -> int:
        while e > s and text[e - 1] in " \t\r\n,":
            e -= 1
        return e

    def _stop_cut(self, text: str, s: int, p: int) -> int:
        """Where the sentence holding a stopper at ``p`` begins (its subject included)."""
        seg = text[s:p]
        sentence = s
        for m in _SENTENCE_END.finditer(seg):
            sentence = s + m.end()
        tokens = list(_TOKEN.finditer(text, sentence, p))
        run = len(tokens)
        while run > 0:
            tok = tokens[run - 1].group(0)
            if tok[0].isupper() or tok[0] == "(" or tok in {"och", ","}:
                run -= 1
            else:
                break
        if run == len(tokens) or run <= 2:
            return sentence
        return tokens[run].start()

    def _trim_signature(self, text: str, s: int, e: int) -> int:
        """Drop signature names (and their titles) that flattened text glued to a clause's end."""
        if e <= s or text[e - 1] in _TERMINAL:
            return e
        # The tokens of the clause's tail first; all of them only where that tail is all names.
        for begin in (max(s, e - _SIGNATURE_TAIL), s):
            tokens = list(_TOKEN.finditer(text, begin, e))
            names = 0
            role = False
            k = len(tokens)
            while k > 0:
                tok = tokens[k - 1].group(0)
                if self._role_re.match(fold(tok)) or _ABBREVIATION.fullmatch(tok):
                    role = True
                elif (tok[0].isupper() and tok.isalpha()) or _NAME.fullmatch(tok):
                    names += 1
                else:
                    break
                k -= 1
            # The tail's first token may be cut off: a stop there is not trusted.
            cut = begin > s and not text[begin - 1].isspace()
            if k > int(cut) or begin == s:
                break
        if k == 0 or not (names >= 3 or (names >= 2 and role)):
            return e
        return self._rstrip(text, s, tokens[k].start())

    def _is_clause(self, body: str, folded_body: str) -> bool:
        """Has words, and does not open like a chair's report list."""
        if not any(c.isalpha() for c in body):
            return False
        if self._not_clause_re.match(folded_body):
            return False
        return True

    def _looks_like_signature(self, body: str) -> bool:
        """A short line of capitalised words only: names under a document."""
        words = body.split()
        return 2 <= len(words) <= 8 and all(w[0].isupper() for w in words if w.isalpha())


class _EndStarts:
    """The offsets in ``[lo, hi)`` where an end heading, and where a marker (but for regex
    triggers), can begin: the starts of the trigger words one Aho-Corasick pass finds.

    The pass runs lazily, a stretch at a time as the searches reach it (each twice the last):
    a block usually ends long before its longest possible span does.
    """

    def __init__(self, owner: DecisionClauseRecognizer, folded: str, lo: int, hi: int) -> None:
        assert owner._end_auto is not None
        self.auto = owner._end_auto
        self.longest = owner._end_key_max
        self.folded = folded
        self.lo = lo
        self.hi = hi
        self.heads: list[int] = []
        self.markers: list[int] = []
        self.scanned = lo  # every trigger ending before this is known
        self.complete = lo  # every start before this is known
        self.step = _END_STEP

    def extend(self, upto: int) -> None:
        """Find the triggers that end before ``upto``."""
        upto = min(upto, self.hi)
        done = self.scanned
        if upto <= done:
            return
        folded = self.folded
        heads, markers = self.heads, self.markers
        # Triggers that straddle ``done`` are found again from their start: only new ones count.
        # (The automaton is given a slice: it reads the whole string it is given, whatever the
        # bounds.)
        begin = max(self.lo, done - self.longest + 1)
        fresh = done - begin
        for last, (length, flags) in self.auto.iter(folded[begin:upto]):
            if last < fresh:
                continue
            start = begin + last - length + 1
            if flags & _HEADING:
                heads.append(start)
            if flags & _AFTER_WORD:
                # The heading begins in the word before (each word is walked once at most).
                i = start
                while i > 0 and folded[i - 1].isspace():
                    i -= 1
                if i < start:
                    j = i
                    while j > 0 and not folded[j - 1].isspace():
                        j -= 1
                    heads.extend(range(j, i))
            if flags & _MARKER:
                markers.append(start)
            if flags & _AFTER_NUMBER:
                # The marker begins in the digits before (blanks between): "12 (14)". Each
                # run of blanks and digits is walked for the one sign after it at most.
                i = start
                while i > 0 and folded[i - 1].isspace():
                    i -= 1
                j = i
                while j > 0 and folded[j - 1].isdecimal():
                    j -= 1
                markers.extend(range(j, i))
        heads.sort()
        markers.sort()
        self.scanned = upto
        if upto >= self.hi:
            self.complete = self.hi
            return
        # A trigger not yet found begins at ``first`` or later; the starts it yields before itself
        # lie in the word and blanks before it (not below what was complete already).
        floor = self.complete
        j = upto - self.longest + 1
        while j > floor and folded[j - 1].isspace():
            j -= 1
        while j > floor and not folded[j - 1].isspace():
            j -= 1
        self.complete = max(floor, j)

    def scan(self, regex: re.Pattern[str], starts: list[int], pos: int, end: int) -> Iterator[re.Match[str]]:
        """``_scan(regex, folded, starts, pos, end)``, extending ``starts`` as the search goes."""
        resume = pos
        low = pos
        while True:
            bound = min(self.complete, end)
            k = bisect_left(starts, low)
            while k < len(starts):
                p = starts[k]
                if p >= bound:
                    break
                k += 1
                if p >= resume:
                    m = regex.match(self.folded, p, end)
                    if m is None:
                        resume = p + 1
                    else:
                        yield m
                        resume = m.end()
            if bound >= end:
                return
            low = bound
            self.extend(self.scanned + self.step)
            self.step *= 2
