"""The parties component: party markers and party names, with the person each belongs to.

Three steps, as eyecite separates them:

1. *find* candidate markers in one pass of cheap compiled regexes: bracketed markers
   (``(S)``, ``(mp)``, ``(båda V)``, ``(-)``, ``(FNL)``), bare codes after a name
   (``Name, SD``), and party names in running text (``Vänsterpartiet``, ``frén liberalerna``),
   the latter on the folded view of the text so OCR damage and case do not matter;
2. *normalise* each marker to party codes through the packaged party table;
3. *resolve* the person a marker belongs to by walking back over the capitalised words right
   before it (titles, roles and headings stop the walk), share a marker over a coordinated list
   of names (``A, B och C (oberoende)``), strip a genitive ``s`` (``Carlssons (C) motion``), and
   drop markers that are only plausible next to a person (unknown local codes, OCR'd codes).

All data (party table, word lists) lives in ``kommunnlp/data/parties/``.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Any

from ..text import collapse_ws, fold
from .base import RuleComponent

# Bracketed content: bounded length and no nesting, so every "(" costs at most a few dozen steps.
_BRACKET = re.compile(r"\(([^()\n]{1,40})\)")
# Tokens for the walk over names: runs of word characters, or one punctuation mark.
_TOKEN = re.compile(r"[^\s,;:()\[\]{}\"“”/•·]+|[,;:()\[\]{}/•·]")
# The same tokens with the gap after each: every character is a gap or a token character, so
# consecutive matches cover the text from the first token on, and the offsets follow from the
# lengths. The walk reads these (token, gap) pairs as findall gives them and works out offsets
# only for the names it finds, back from the end of the stretch (most names end there).
_GAP_TOKEN = re.compile(r"([^\s,;:()\[\]{}\"“”/•·]++|[,;:()\[\]{}/•·])([\s\"“”]*+)")  # nothing to give back
# The last character before the trailing gap (as _GAP_TOKEN takes it) of a short stretch.
_LAST_BEFORE_GAP = re.compile(r"([^\s\"“”])[\s\"“”]*\Z")
_CONTENT_SPLIT = re.compile(r"[\s,/]+")
_ROMAN = re.compile(r"[IVXLCDM]+")
_UNKNOWN_CODE = re.compile(r"[A-ZÅÄÖ][A-ZÅÄÖa-zåäö]{1,4}")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_PAIRS = _GAP_TOKEN.findall
#: How far back from a marker a name (or a list of names) may start.
_WINDOW = 240
#: How far from a party name or a bare code its one person may stand.
_NAME_WINDOW = 100
#: Most names end a few words before their marker: the walk first tokenises only this far back.
_SMALL_WINDOW = 40
_NEXT_WORD = re.compile(r"\s*([^\s,.;:()]+)")
_SPACE_WORD = re.compile(r"[ \t]+\w")
_NAME_END = re.compile(r"[ \t]*(?:[,.;:)\n]|\Z)")
_PREV_WORD = re.compile(r"(\w+)[ \t]*,?[ \t]*\Z")
# What follows a bare code after a comma: "Name, SD, ..." / "Name, SD." / "Name, SD och".
_AFTER_COMMA_CODE = re.compile(r"[ \t]*(?:[,;:\n]|\.(?:\s|\Z)|\Z|\s+(?:och|samt)\s)")
_MAX_NAME_TOKENS = 6
_CACHE_SIZE = 50_000
_MISSING = object()


class _AnyChar:
    """A set that holds every character."""

    def __contains__(self, item: object) -> bool:
        return True


_ANY_CHAR = _AnyChar()


@dataclass(slots=True)
class _Marker:
    """One candidate party marker, before its person is resolved."""

    start: int
    end: int
    codes: tuple[str, ...]
    plural: bool = False
    needs_person: bool = False  # only a party next to a person's name (unknown/OCR'd code)
    listable: bool = False  # also a party inside a list of markers: (M), (TUP) och (V)
    bare: bool = False  # a code without brackets: Name, SD
    persons: list[tuple[str, int, int]] = field(default_factory=list)  # (name, start, end)
    genitive: bool = False


class PartyRecognizer(RuleComponent):
    data_dir = "parties"
    label_field = "party"

    # -- compiling the data ----------------------------------------------------------------
    def _compile(self) -> None:
        table = self.data.get("parties", {}).get("parties", [])
        words = self.data.get("words", {})
        self._party_name: dict[str, str | None] = {}
        self._codes: dict[str, str] = {}  # folded marker -> code
        self._local: set[str] = set()
        self._ocr_codes: dict[str, str] = {}
        self._national: set[str] = set()
        name_alts: list[tuple[str, str]] = []
        for entry in table:
            code = entry["code"]
            self._party_name[code] = entry.get("name")
            if entry.get("local"):
                self._local.add(code)
            elif code != "oberoende":
                self._national.add(code)
            for marker in entry.get("codes", []):
                self._codes[fold(marker)] = code
            for marker in entry.get("ocr_codes", []):
                self._ocr_codes[fold(marker)] = code
            for name in entry.get("names", []):
                name_alts.append((_ocr_wide(name), code))
        # Longest first, so "Folkpartiet liberalerna" wins over "Folkpartiet".
        name_alts.sort(key=lambda alt: -len(alt[0]))
        self._name_group: dict[str, str] = {}
        groups = []
        for i, (pattern, code) in enumerate(name_alts):
            self._name_group[f"p{i}"] = code
            groups.append(f"(?P<p{i}>{pattern})")
        # A look-ahead for the letters a name can start with fails fast at most positions,
        # before the long alternation (whose named branches the engine tries one by one).
        firsts = _first_chars([n for entry in table for n in entry.get("names", [])])
        head = "(?=[" + re.escape("".join(sorted(firsts))) + "])" if firsts else ""
        self._names_re = re.compile(head + r"(?<!\w)(?:" + "|".join(groups) + r")s?(?!\w)") if groups else None
        # The same matches without the named groups: the engine skips a branch on its first
        # character only where the branch starts with it, not with a group. The group (the party)
        # of each match then comes from _names_re at the match's start.
        self._names_find = (
            re.compile(head + r"(?<!\w)(?:" + "|".join(p for p, _ in name_alts) + r")s?(?!\w)") if groups else None
        )
        self._names_full = re.compile(r"(?:" + "|".join(p for p, _ in name_alts) + r")s?") if name_alts else None

        def word_re(items: list[str], suffix: str = "") -> re.Pattern[str] | None:
            # Short words stay exact: OCR-widened "då" would also take the particle "De".
            alts = sorted({_ocr_wide(w) if len(w) > 3 else re.escape(fold(w)) for w in items}, key=len, reverse=True)
            return re.compile(r"(?:" + "|".join(alts) + r")" + suffix) if alts else None

        self._stop = word_re(
            words.get("not_names", []) + words.get("unions", []) + words.get("organisations", []), r"[.:]?"
        )
        self._stop_suffix = word_re(words.get("not_name_suffixes", []), r"s?\Z")
        self._noun_suffix = word_re(words.get("noun_suffixes", []), r"\Z")
        self._from = word_re(words.get("from", []))
        self._particles = {fold(w) for w in words.get("particles", [])}
        self._first_names = {fold(w) for w in self.data.get("first_names", {}).get("first_names", [])}
        self._genitive_nouns = _WordSet(words.get("genitive_nouns", []))
        self._plural = _WordSet(words.get("plural", []))
        self._joiners = {fold(w) for w in words.get("joiners", [])}
        self._marker_words = _WordSet(words.get("marker_words", []))
        self._not_codes = {w.upper() for w in words.get("not_codes", [])}
        skips = sorted(
            (re.escape(fold(s)).replace(r"\ ", r"\s*") for s in words.get("skip_after_name", [])), key=len, reverse=True
        )
        self._skip_after = re.compile(r"\s*(?:" + "|".join(skips) + r")(?!\w)") if skips else None
        self._skip_full = re.compile(r"(?:" + "|".join(skips) + r")") if skips else None
        # The characters a skipped phrase can start with (as written, before folding): a cheap
        # test before the slice, fold and regex. fold changes no character from U+2500 on.
        firsts = {fold(s)[:1] for s in words.get("skip_after_name", [])}
        self._skip_first = _unfold(firsts)
        if any(not f or f.isspace() for f in firsts):
            self._skip_first = _ANY_CHAR
        # Likewise the characters a "från"/"för" word can start with, as written.
        from_firsts = _first_chars(words.get("from", []))
        self._from_first: set[str] | _AnyChar = _unfold(from_firsts) if from_firsts is not None else _ANY_CHAR
        bare = sorted((c for c in self._national if c.isalpha()), key=len, reverse=True)
        # No look-behind in front, so the regex engine can skip ahead to the capitals.
        self._bare_re = re.compile(r"(?:" + "|".join(bare) + r")(?![^\s,.;:])") if bare else None
        # One pattern per first letter: the engine's fast search for a literal first character
        # beats its test of every character against a set. Where no code has another's first
        # letter after its own first, no match holds the start of another, so together they
        # find the matches of _bare_re.
        letters = dict.fromkeys(code[0] for code in bare)
        self._bare_split = (
            [re.compile(r"(?:" + "|".join(c for c in bare if c[0] == letter) + r")(?![^\s,.;:])") for letter in letters]
            if not any(ch in letters for code in bare for ch in code[1:])
            else None
        )
        roles = sorted((_ocr_wide(r) for r in words.get("roles", [])), key=len, reverse=True)
        role_alt = "|".join(roles) or "(?!)"
        self._role_re = re.compile(r"(?:" + role_alt + r")")
        self._after_bare = re.compile(r"[ \t]*(?:[,;\n]|\Z)|[ \t]+(?:" + role_alt + r")(?!\w)")
        code_alt = "|".join(bare) or "(?!)"
        # "S, V och MP reserverade sig": a list of codes alone; "S-gruppen": a code in a compound.
        self._code_list_re = re.compile(
            rf"(?<![\w-])(?:{code_alt})(?:[ \t]?,[ \t]?(?:{code_alt})){{0,8}}[ \t]{{1,3}}(?:och|samt)[ \t]{{1,3}}(?:{code_alt})(?![\w-])"
        )
        compounds = "|".join(_ocr_wide(w) for w in sorted(words.get("code_compounds", []), key=len, reverse=True))
        self._code_compound_re = (
            re.compile(rf"(?<![\w-])(?:{code_alt})-(?:{compounds})(?!\w)", re.IGNORECASE)
            if compounds and bare
            else None
        )
        # Both code patterns are scanned only in windows around a literal they cannot match
        # without ("och"/"samt", "-"): a plain substring search, not a regex try at every position.
        code_len = max((len(c) for c in bare), default=0)
        self._list_before = 9 * code_len + 8 * 3 + 3 + 2  # up to 9 codes, separators, spaces
        self._list_after = len("samt") + 3 + code_len + 2
        self._compound_before = code_len + 1
        compound_len = max((len(w) for w in words.get("code_compounds", [])), default=0)
        spaced = any(" " in w for w in words.get("code_compounds", []))
        self._compound_after = None if spaced else 1 + compound_len + 2
        # A trigger opens a window only where the part of the pattern from it on matches there.
        # One check per trigger, each starting with its literal: the engine's fast literal search
        # finds the places, not a Python loop over every "och" and "-".
        self._list_checks = tuple(
            re.compile(rf"{trigger}[ \t]{{1,3}}(?:{code_alt})(?![\w-])") for trigger in ("och", "samt")
        )
        # A look-ahead for the letters a compound word starts with: most "-" (dates, dashes) fail
        # it at once, before the case-blind alternation (whose branches are tried one by one).
        starts = _first_chars(words.get("code_compounds", []))
        look = "(?=[" + re.escape("".join(sorted(starts))) + "])" if starts else ""
        self._compound_check = re.compile(rf"-{look}(?:{compounds})(?!\w)", re.IGNORECASE) if compounds else None
        self._letter_nouns = _WordSet(words.get("letter_nouns", []))
        self._code_in_list = re.compile(rf"(?:{code_alt})(?![\w-])")
        self._anchors = _anchors([n for entry in table for n in entry.get("names", [])])
        self._probes = _probes(self._anchors)
        # The same probes as bytes, for a search in the UTF-8 bytes lower-cased (see _probe_hits).
        self._byte_probes = (
            [(probe.encode(), [(off, a.encode()) for off, a in anchors]) for probe, anchors in self._probes]
            if all(a.isascii() for a in self._anchors)
            else None
        )
        self._name_span = max((len(n) for entry in table for n in entry.get("names", [])), default=0) + 2
        self._content_cache: dict[tuple[str, bool], Any] = {}
        self._kind_cache: dict[str, Any] = {}
        self._genitive_cache: dict[str, bool] = {}

    # -- find --------------------------------------------------------------------------------
    def find(self, text: str) -> list[dict[str, Any]]:
        if not text:
            return []
        # Everything built here is acyclic; pausing the cyclic collector keeps its full passes
        # over a large heap from making the time grow faster than the text on long lists.
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._find(text)
        finally:
            if paused:
                gc.enable()

    def _find(self, text: str) -> list[dict[str, Any]]:
        markers = self._bracket_markers(text)
        self._resolve_persons(text, markers)
        markers = self._accept(text, markers)
        self._genitives(text, markers)
        mentions = self._marker_mentions(text, markers)
        mentions += self._bare_mentions(text, [])  # a bracketed code is never bare: "(" precedes it
        mentions += self._code_mentions(text)
        mentions += self._name_mentions(text)
        mentions.sort(key=lambda m: (m["start"], m["end"], m["person"] or ""))
        return _first_spellings(mentions)

    # -- markers in brackets -------------------------------------------------------------------
    def _bracket_markers(self, text: str) -> list[_Marker]:
        markers = []
        cache = self._content_cache
        for m in _BRACKET.finditer(text):
            start = m.start()
            key = (m.group(1), start > 0 and text[start - 1].isalpha())  # (content, glued to a word)
            parsed = cache.get(key, _MISSING)
            if parsed is _MISSING:
                content = key[0].strip()
                if "|" in content or ("1" in content and content.replace("1", "").isalpha()):
                    content = content.replace("|", "I").replace("1", "I")  # OCR: "(F|)" is "(FI)"
                parsed = self._parse_content(content, key[1])
                self._remember(cache, key, parsed)
            if parsed is not None:
                codes, plural, needs, listable = parsed
                markers.append(_Marker(start, m.end(), codes, plural, needs, listable))
        return markers

    @staticmethod
    def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
        if len(cache) > _CACHE_SIZE:
            cache.clear()  # bounded: an adversarial text cannot grow it without limit
        cache[key] = value

    def _parse_content(self, content: str, glued: bool) -> tuple[tuple[str, ...], bool, bool, bool] | None:
        """(codes, plural, needs a person, may stand in a list of markers) of a bracket's
        content, or None where it is no party marker."""
        key = _f(content)
        if key in self._codes and self._codes[key] == "oberoende":
            return ("oberoende",), False, False, False
        if glued and content.islower():
            return None  # "förälder(s)": a plural ending, not a marker
        codes: list[str] = []
        plural = needs = listable = False
        tokens = [t for t in _CONTENT_SPLIT.split(content) if t]
        for tok in tokens:
            low = _f(tok)
            code = self._codes.get(low)
            if code is not None:
                codes.append(code)
                if code in self._local:
                    needs = listable = True
                elif len(tok) == 1 and tok in "cl":
                    needs = True  # "(c)" and "(l)" are as often list letters
            elif low in self._plural:
                plural = True
            elif low in self._marker_words:
                continue
            elif low in self._ocr_codes and len(tokens) == 1:
                codes.append(self._ocr_codes[low])
                needs = True
            elif len(tokens) == 1 and self._unknown_code(tok):
                codes.append(tok.upper())
                needs = listable = True
            else:
                return None
        if not codes:
            return None
        return tuple(codes), plural, needs, listable

    def _unknown_code(self, tok: str) -> bool:
        """A plausible abbreviation of a local party: 2-5 letters, at least two capitals."""
        if not _UNKNOWN_CODE.fullmatch(tok) or sum(ch.isupper() for ch in tok) < 2:
            return False
        up = tok.upper()
        return up not in self._not_codes and not _ROMAN.fullmatch(up)

    # -- resolving persons -------------------------------------------------------------------
    def _resolve_persons(self, text: str, markers: list[_Marker]) -> None:
        prev_end = 0
        prev: _Marker | None = None
        persons_before = self._persons_before
        for marker in markers:
            start = marker.start
            if prev is not None and prev.persons and start - prev_end <= 8 and text[prev_end:start].strip(" \t/") == "":
                # "Name (SD) (oberoende)": a second party right after the first (a switch).
                marker.persons = list(prev.persons)
            else:
                # Most names sit close to their marker: look there first, further back only
                # where the walk reached the edge of that window (a long list of names).
                lo = start - _WINDOW if start - _WINDOW > prev_end else prev_end
                near = start - _NAME_WINDOW if start - _NAME_WINDOW > lo else lo
                small = start - _SMALL_WINDOW if start - _SMALL_WINDOW > near else near
                persons, stop, low = persons_before(start, _PAIRS(text, small, start), marker.plural)
                if low < 1 and small > near:
                    persons, stop, low = persons_before(start, _PAIRS(text, near, start), marker.plural)
                if stop <= 0 and near > lo:
                    persons, stop, low = persons_before(start, _PAIRS(text, lo, start), marker.plural)
                marker.persons = persons
            prev_end, prev = marker.end, marker

    def _persons_before(
        self, hi: int, toks: list[tuple[str, str]], plural: bool
    ) -> tuple[list[tuple[str, int, int]], int, int]:
        """The persons right before a marker, from the (token, gap) pairs up to it (at ``hi``);
        the index of the token where the walk stopped, and the lowest index the walk looked at
        (or tested against 0): where that is 1 or more, a longer window in front gives the same
        persons, as the first token (maybe a cut word) and the window's edge played no part."""
        i = len(toks) - 1
        if i >= 0 and toks[i][0] == ",":
            i -= 1  # "Peter Söderström, (S)"
        # _skip_back looks two tokens back, three where a role may stand before the marker.
        if i >= 0:
            head = toks[i][0][0]
            low = i - 3 if head.islower() else i - 2
            skip_first = self._skip_first
            if (
                head.islower()
                or head in skip_first
                or (i >= 1 and ((prev := toks[i - 1][0][0]) in skip_first or prev in self._from_first))
                or (i >= 2 and toks[i - 2][0][0] in skip_first)
            ):
                i = self._skip_back(toks, i)  # only where one of its three checks can apply
        else:
            low = i - 2
        found, walked = self._walk_name(hi, toks, i)
        if walked < low:
            low = walked
        if found is None:
            return [], i, low
        name, start, end, j = found
        persons = [(name, start, end)]
        j -= 1  # index of the token before the name
        # A coordinated list: "A, B och C (P)" or "A och B (båda P)".
        if j >= 0 and (_f(toks[j][0]) in self._joiners or (plural and toks[j][0] == ",")):
            while j >= 0 and (_f(toks[j][0]) in self._joiners or toks[j][0] == ","):
                other, walked = self._walk_name(hi, toks, j - 1)
                low = min(low, walked)
                if other is None:
                    break
                persons.append(other[:3])
                j = other[3] - 1
            persons.reverse()
        return persons, j, low if low < j else j

    def _skip_back(self, toks: list[tuple[str, str]], i: int) -> int:
        """Skip what may stand between a name and its marker: "m.fl.", "från liberalerna"."""
        if i >= 0 and self._skip_full is not None:
            for k in (i, i - 1, i - 2):
                if (
                    k >= 0
                    and toks[k][0][0] in self._skip_first
                    and self._skip_full.fullmatch(_f(_joined_text(toks, k, i)))
                ):
                    return k - 1
        if i >= 2 and toks[i][0][:1].islower():
            # "Anna Ek, ordförande (S)": a role between the name and its marker.
            for k in (i, i - 1, i - 2):
                if k >= 1 and toks[k - 1][0] == "," and self._role_re.fullmatch(_f(_joined_text(toks, k, i))):
                    return k - 2
        if i >= 1 and self._names_full is not None and self._from is not None:
            before = toks[i - 1][0]
            if (
                before[0] in self._from_first
                and self._from.fullmatch(_f(before))
                and self._names_full.fullmatch(_f(toks[i][0]))
            ):
                return i - 2  # "Lotta Edholm från liberalerna (L)"
        return i

    def _word_kind(self, tok: str) -> str | None:
        """'name', 'initial', 'particle', or None for a token that cannot be part of a name."""
        kind = self._kind_cache.get(tok, _MISSING)
        if kind is _MISSING:
            kind = self._classify(tok)
            self._remember(self._kind_cache, tok, kind)
        return kind  # type: ignore[return-value]

    def _classify(self, tok: str) -> str | None:
        if len(tok) > 2 and tok[0] in "|1" and tok[1].islower():
            tok = "I" + tok[1:]  # OCR: "|ngrid", "1ngrid"
        first = tok[0]
        if first.isupper():
            if len(tok) <= 2 and (len(tok) == 1 or tok[1] == "."):
                return "initial" if first.isalpha() else None
            # Letters, hyphens, apostrophes; OCR leaves &, 6, @, 0 for å/ä/ö inside a word.
            if not all(ch.isalpha() or ch in "-'’&6@0" for ch in tok):
                return None
            letters = [ch for ch in tok if ch.isalpha()]
            if len(letters) < 2 or "".join(letters).isupper() or len(letters) < len(tok) - 2:
                return None  # headings in capitals, abbreviations, codes
            if self._is_stop(_f(tok)):
                return None
            return "name"
        if tok in self._particles:
            return "particle"
        return None

    def _is_first_name(self, tok: str) -> bool:
        return any(part in self._first_names for part in _f(tok).split("-") if part)

    def _is_stop(self, key: str) -> bool:
        if self._stop is not None and self._stop.fullmatch(key):
            return True
        if self._stop_suffix is not None and self._stop_suffix.search(key):
            return True
        return bool(self._names_full is not None and self._names_full.fullmatch(key))

    def _name_back(self, hi: int, toks: list[tuple[str, str]], i: int) -> tuple[str, int, int, int] | None:
        """The name ending at token ``i`` of the (token, gap) pairs whose last gap ends at ``hi``:
        (name, start, end, index of its first token)."""
        return self._walk_name(hi, toks, i)[0]

    def _walk_name(self, hi: int, toks: list[tuple[str, str]], i: int) -> tuple[tuple[str, int, int, int] | None, int]:
        """``_name_back``, and the lowest token index the walk looked at or tested against 0."""
        kinds: list[str] = []  # from token i backwards; the name is the run toks[j + 1 : i + 1]
        cache = self._kind_cache
        floor = i - _MAX_NAME_TOKENS + 1 if i >= _MAX_NAME_TOKENS else 0  # at most that many tokens
        j = i
        while j >= floor:
            tok, after = toks[j]
            kind = cache.get(tok, _MISSING)
            if kind is _MISSING:
                kind = self._word_kind(tok)
            if kind is None:
                # A name broken over a line: "Carls-\nson"; the piece joins the word before it.
                if not (
                    j > 0
                    and tok.isalpha()
                    and tok.islower()
                    and toks[j - 1][0].endswith("-")
                    and "\n" in toks[j - 1][1]
                ):
                    break
                kind = "piece"
            # A blank line holds two line breaks: count them in the gap after this token first.
            if kinds and len(after) > 1 and after.count("\n") > 1 and _BLANK_LINE.search(after):
                break  # a name does not run over a blank line
            kinds.append(kind)
            j -= 1
        # The token the walk stopped at; the check for a broken word looks only at the end of
        # the one before it, which a window cut inside that token leaves as it is.
        low = j
        if len(kinds) == 2 and kinds[0] == kinds[1] == "name":  # the common "First Last"
            tok, after = toks[j + 1]
            last, gap = toks[i]
            end = hi - len(gap)
            if i + 1 < len(toks):
                end -= sum(map(len, chain.from_iterable(toks[i + 1 :])))
            name = tok + after + last
            return (_clean_name(name), end - len(name), end, j + 1), low
        if not kinds or kinds[0] not in ("name", "piece"):
            return None, low
        kinds.reverse()
        first = j + 1
        if kinds[0] != "name":
            cut = 1
            while cut < len(kinds) and kinds[cut] != "name":
                cut += 1
            kinds = kinds[cut:]
            first += cut
        # A long run of capitalised words: the member's name starts at a first name
        # ("Chefssekreterare Christina Söderlund Helena Strid (BP)" gives "Helena Strid"),
        # and a common noun in front is no part of it ("Reservanter Anna Andersson").
        if len(kinds) >= 3:
            words = [toks[k][0] for k in range(first, first + len(kinds))]
            firsts = [k for k in range(len(words) - 1) if kinds[k] == "name" and self._is_first_name(words[k])]
            cut = 0
            if firsts and (firsts[0] != 0 or len(kinds) >= 4):
                cut = firsts[-1]
                while cut > 0 and kinds[cut - 1] == "name" and self._is_first_name(words[cut - 1]):
                    cut -= 1  # double first names: "Anna Maria Nilsson"
            elif not firsts:
                while (
                    len(kinds) - cut >= 3 and self._noun_suffix is not None and self._noun_suffix.search(_f(words[cut]))
                ):
                    cut += 1
                if len(kinds) - cut >= 4:
                    cut = len(kinds) - (3 if kinds[-2] != "name" else 2)
            while cut < len(kinds) and kinds[cut] != "name":
                cut += 1
            kinds = kinds[cut:]
            first += cut
        if kinds.count("name") < 2:
            return None, low
        # Offsets back from the end: the gap after the name, and whatever follows it.
        last = first + len(kinds) - 1
        end = hi - len(toks[last][1])
        if last + 1 < len(toks):
            end -= sum(map(len, chain.from_iterable(toks[last + 1 :])))
        name = _joined_text(toks, first, last) if last > first else toks[first][0]
        return (_clean_name(name), end - len(name), end, first), low

    # -- acceptance ----------------------------------------------------------------------------
    def _accept(self, text: str, markers: list[_Marker]) -> list[_Marker]:
        """Drop markers that are only a party next to a person or in a list of markers."""
        in_list = [False] * len(markers)
        for k in range(len(markers) - 1):
            if markers[k + 1].start - markers[k].end > 12:
                continue
            gap = _f(text[markers[k].end : markers[k + 1].start]).strip(" \t\n,")
            if gap in ("", "och", "samt", "&"):
                pair = (markers[k], markers[k + 1])
                if any(not m.needs_person or m.codes[0] in self._local for m in pair):
                    in_list[k] = in_list[k + 1] = True
        kept = []
        for k, marker in enumerate(markers):
            if marker.needs_person:
                if marker.persons:
                    if any(self._acronym_of(code, name) for code in marker.codes for name, _, _ in marker.persons):
                        continue  # "Europeiska Socialfonden (ESF)": an acronym, not a party
                elif not (marker.listable and in_list[k]):
                    continue
            kept.append(marker)
        return kept

    @staticmethod
    def _acronym_of(code: str, long_form: str) -> bool:
        """Schwartz–Hearst style: the code's letters in order, the first one a word's initial."""
        if code in ("oberoende",) or len(code) < 2:
            return False
        low = _f(long_form)
        letters = _f(code)
        words = low.split()
        for w_index, word in enumerate(words):
            if not word.startswith(letters[0]):
                continue
            rest = " ".join(words[w_index:])[1:]
            pos = 0
            for ch in letters[1:]:
                pos = rest.find(ch, pos)
                if pos < 0:
                    break
                pos += 1
            else:
                return True
        return False

    def _genitives(self, text: str, markers: list[_Marker]) -> None:
        """Mark 'Carlssons (C) motion': the marker is followed by a noun the name governs."""
        for marker in markers:
            if not marker.persons:
                continue
            pos = marker.end
            head = text[pos : pos + 20].lstrip()[:1]  # the first character of the next word
            if self._skip_after is not None and head in self._skip_first:
                # Only where the first word after the marker can start a skipped phrase.
                skip = self._skip_after.match(_f(text[pos : pos + 20]))
                if skip:
                    pos += skip.end()
                    head = ""
            if head and head not in self._genitive_nouns.raw_firsts:
                marker.genitive = False  # the next word cannot be one of the nouns
                continue
            nxt = _NEXT_WORD.match(text, pos, pos + 40)
            if nxt is None:
                marker.genitive = False
                continue
            word = nxt.group(1)
            genitive = self._genitive_cache.get(word)
            if genitive is None:
                genitive = _f(word) in self._genitive_nouns
                self._remember(self._genitive_cache, word, genitive)
            marker.genitive = genitive
        # "Pia Aronssons (V) och Erika Bengtssons (V) motion": the genitive runs back over a list,
        # when every name in it ends in s.
        for k in range(len(markers) - 1, 0, -1):
            cur, prev = markers[k], markers[k - 1]
            if not cur.genitive or not cur.persons or not prev.persons or prev.genitive:
                continue
            chain = [prev]
            j = k - 1
            while j > 0 and self._joined(text, markers[j - 1], markers[j]):
                chain.append(markers[j - 1])
                j -= 1
            if not self._joined(text, prev, cur):
                continue
            if all(p[0].endswith("s") for m in chain for p in m.persons):
                for m in chain:
                    m.genitive = True

    @staticmethod
    def _joined(text: str, left: _Marker, right: _Marker) -> bool:
        if not (left.persons and right.persons):
            return False
        if right.persons[0][1] - left.end > 12:
            return False
        gap = _f(text[left.end : right.persons[0][1]]).strip()
        return gap in (",", "och", "samt", "&", ", och")

    # -- building mentions ---------------------------------------------------------------------
    def _mention(self, text: str, start: int, end: int, code: str, person: str | None) -> dict[str, Any]:
        return {
            "text": text[start:end],
            "start": start,
            "end": end,
            "party": code,
            "party_name": self._party_name.get(code),
            "person": person,
        }

    def _marker_mentions(self, text: str, markers: list[_Marker]) -> list[dict[str, Any]]:
        out = []
        party_name = self._party_name
        for marker in markers:
            persons: list[str | None] = [p[0] for p in marker.persons] or [None]
            if marker.genitive:
                persons = [p[:-1] if p is not None and _genitive_s(p) else p for p in persons]
            start, end = marker.start, marker.end
            written = text[start:end]
            codes = marker.codes if len(marker.codes) == 1 else dict.fromkeys(marker.codes)
            for code in codes:
                name = party_name.get(code)
                for person in persons:
                    out.append(
                        {
                            "text": written,
                            "start": start,
                            "end": end,
                            "party": code,
                            "party_name": name,
                            "person": person,
                        }
                    )
        return out

    def _bare_mentions(self, text: str, taken: list[tuple[int, int]]) -> list[dict[str, Any]]:
        """'Name, SD' and 'Åsa Ottosson M' (at a line's end): a code without brackets."""
        if self._bare_re is None:
            return []
        out = []
        if self._bare_split is not None:
            found = [m for pattern in self._bare_split for m in pattern.finditer(text)]
            found.sort(key=_match_start)
        else:
            found = list(self._bare_re.finditer(text))
        for m in found:
            start, end = m.start(), m.end()
            if start > 0 and text[start - 1] not in " \t\r\n,":
                continue
            after = text[end : end + 12]
            comma = text[max(0, start - 4) : start].rstrip(" \t").endswith(",")
            if not (_AFTER_COMMA_CODE if comma else self._after_bare).match(_f(after)):
                continue
            lo = max(0, start - _NAME_WINDOW)
            small = max(lo, start - _SMALL_WINDOW)
            toks = _PAIRS(text, small, start)
            found, low = self._walk_name(start, toks, len(toks) - 1 - comma)
            if low < 1 and small > lo:  # the walk reached the edge of the short window
                toks = _PAIRS(text, lo, start)
                found = self._name_back(start, toks, len(toks) - 1 - comma)
            if found is None:
                continue
            code = self._codes[_f(m.group())]
            out.append(self._mention(text, start, end, code, found[0]))
        return out

    def _code_mentions(self, text: str) -> list[dict[str, Any]]:
        """Codes without a person: "S, V och MP reserverade sig", "S-gruppen"."""
        out = []
        for m in _windowed(self._code_list_re, text, self._list_checks, self._list_before, self._list_after):
            before = _PREV_WORD.search(text, max(0, m.start() - 30), m.start())
            if before and (before.group(1).isupper() or _f(before.group(1)) in self._letter_nouns):
                continue  # "A, B, C och V", "bilaga S och M": labels
            for c in self._code_in_list.finditer(text, m.start(), m.end()):
                if c.start() == m.start() or not text[c.start() - 1].isalpha():
                    out.append(self._mention(text, c.start(), c.end(), self._codes[_f(c.group())], None))
        if self._code_compound_re is not None:
            if self._compound_after is None or self._compound_check is None:
                compounds = self._code_compound_re.finditer(text)
            else:
                compounds = _windowed(
                    self._code_compound_re,
                    text,
                    (self._compound_check,),
                    self._compound_before,
                    self._compound_after,
                )
            for m in compounds:
                code = text[m.start() : text.index("-", m.start())]
                if code.isupper():
                    out.append(self._mention(text, m.start(), m.start() + len(code), self._codes[_f(code)], None))
        return out

    def _party_names(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, code) of party names: a plain substring search for anchors (a piece of
        each name that OCR leaves intact), then the full OCR-tolerant regex around each hit."""
        if self._names_re is None:
            return []
        windows: list[tuple[int, int]] = []
        for pos, size in self._probe_hits(text):
            windows.append((max(0, pos - self._name_span), min(len(text), pos + size + self._name_span)))
        found: dict[int, tuple[int, int, str]] = {}
        windows.sort()
        merged: list[list[int]] = []
        for lo, hi in windows:
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        for lo, hi in merged:
            # One character of context on each side for the word-boundary checks.
            a, b = max(0, lo - 1), min(len(text), hi + 1)
            window = _f(text[a:b])
            for m in self._names_find.finditer(window):  # type: ignore[union-attr]
                if a + m.start() < lo and lo > 0:
                    continue
                named = self._names_re.match(window, m.start())
                group = named.lastgroup if named is not None else None
                found.setdefault(a + m.start(), (a + m.start(), a + m.end(), self._name_group[group or ""]))
        return [found[k] for k in sorted(found)]

    def _probe_hits(self, text: str) -> list[tuple[int, int]]:
        """(start, length) of the anchors in the lower-cased text."""
        hits: list[tuple[int, int]] = []
        data = None
        # The anchors are ASCII, and bytes.lower lower-cases ASCII as str.lower does; only U+0130
        # and U+212A lower-case to ASCII, or to two characters. Lower-casing the bytes costs a
        # fraction of str.lower, and the byte offsets of the (few) hits map back to characters.
        if self._byte_probes is not None and "\u0130" not in text and "\u212a" not in text:
            try:
                data = text.encode("utf-8").lower()
            except UnicodeError:  # lone surrogates
                data = None
        if data is not None:
            hits = _anchor_hits(data, self._byte_probes)  # type: ignore[arg-type]
            if hits and len(data) != len(text):
                hits.sort()
                chars = done = 0
                for k, (pos, size) in enumerate(hits):
                    chars += len(data[done:pos].decode("utf-8"))  # hits start at ASCII bytes
                    done = pos
                    hits[k] = (chars, size)
            return hits
        low = text.lower()
        if len(low) != len(text):  # a few characters lower-case to two; fold keeps offsets
            low = _f(text)
        return _anchor_hits(low, self._probes)

    def _name_mentions(self, text: str) -> list[dict[str, Any]]:
        """Party names in running text, and the names a party name introduces."""
        if self._names_re is None:
            return []
        out = []
        for start, end, code in self._party_names(text):
            out.append(self._mention(text, start, end, code, None))
            for person in self._persons_after(text, end):
                out.append(self._mention(text, start, end, code, person))
            before = self._person_before_name(text, start, end)
            if before is not None:
                out.append(self._mention(text, start, end, code, before))
        return out

    def _persons_after(self, text: str, pos: int) -> list[str]:
        """'Liberalerna Yanina Westergren och Peter Nordebo': names on the same line."""
        if not _SPACE_WORD.match(text, pos, pos + 3):
            return []
        toks: list[tuple[int, int, str]] = []
        region_end = min(len(text), pos + _WINDOW // 2)
        for t in _TOKEN.finditer(text, pos, region_end):
            word = t.group()
            if len(word) > 2 and word.endswith("."):  # "... och Pia Sarstedt. Nästa mening"
                toks += [(t.start(), t.end() - 1, word[:-1]), (t.end() - 1, t.end(), ".")]
            else:
                toks.append((t.start(), t.end(), word))
        # The same tokens as (token, gap) pairs, for the walk; each gap ends where the next
        # token starts.
        starts = [t[0] for t in toks[1:]] + [region_end]
        pairs = [(word, text[end:nxt]) for (_, end, word), nxt in zip(toks, starts, strict=True)]
        persons = []
        i = 0
        while i < len(toks):
            j = i
            while j < len(toks) and j - i < 3 and self._word_kind(toks[j][2]) is not None:
                if j > i and "\n" in text[toks[j - 1][1] : toks[j][0]]:
                    break
                j += 1
            found = self._name_back(starts[j - 1], pairs[:j], j - 1) if j > i else None
            if found is None or found[3] != i:
                break
            persons.append(found[0])
            if j < len(toks) and (toks[j][2] == "," or _f(toks[j][2]) in self._joiners):
                i = j + 1
                if i < len(toks) and _f(toks[i][2]) in self._joiners:
                    i += 1
                continue
            break
        return persons

    def _person_before_name(self, text: str, start: int, end: int) -> str | None:
        """'Anna Andersson, Socialdemokraterna,': a name, a comma, then the party's name."""
        if not _NAME_END.match(text[end : end + 8]):
            return None
        # The last token must be a comma: the text before, less the gap characters, ends in one.
        last = _LAST_BEFORE_GAP.search(text, max(0, start - 8), start)
        if last is not None and last.group(1) != ",":
            return None
        lo = max(0, start - _NAME_WINDOW)
        toks = _PAIRS(text, lo, start)
        if len(toks) < 3 or toks[-1][0] != ",":
            return None
        found = self._name_back(start, toks, len(toks) - 2)
        return found[0] if found else None


_LINE_BREAK_HYPHEN = re.compile(r"-[ \t]*\n\s*(?=(\w))")


# What OCR leaves inside a name for å/ä/ö, read back as a letter (the name folds alike).
_OCR_NAME = str.maketrans({"6": "ö", "0": "o", "&": "ä", "@": "a"})
_OCR_LEADING_I = re.compile(r"(?<!\w)[|1](?=[a-zåäöéü])")


def _f(s: str) -> str:
    """``fold``, where ASCII needs lower-casing only. Words recur and are cached; windows and
    gaps of the text hardly ever do, and caching them would only hold on to memory."""
    if len(s) <= _WORD_MAX:
        return _f_word(s)
    return s.lower() if s.isascii() else fold(s)


_WORD_MAX = 24


@lru_cache(maxsize=16_384)
def _f_word(s: str) -> str:
    return s.lower() if s.isascii() else fold(s)


def _joined_text(toks: list[tuple[str, str]], k: int, i: int) -> str:
    """The text from token ``k`` to token ``i`` (both included) of (token, gap) pairs."""
    return "".join(chain.from_iterable(toks[k:i])) + toks[i][0]


def _match_start(m: re.Match[str]) -> int:
    return m.start()


def _windowed(
    pattern: re.Pattern[str],
    text: str,
    checks: tuple[re.Pattern[str], ...],
    before: int,
    after: int,
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match contains a match of one of
    ``checks``, and reaches at most ``before`` characters in front of its start and ``after``
    from it: the same matches, searched only in the merged windows around the check matches.
    Every match lies inside one window, so order and overlaps are as in a full scan."""
    spans = []
    for check in checks:
        found = check.search(text)
        while found is not None:
            pos = found.start()
            spans.append((max(0, pos - before), min(len(text), pos + after)))
            found = check.search(text, pos + 1)  # from the next character: overlapping checks too
    if not spans:
        return
    spans.sort()
    lo, hi = spans[0]
    for a, b in spans[1:]:
        if a > hi:
            yield from pattern.finditer(text, lo, hi)
            lo = a
        hi = max(hi, b)
    yield from pattern.finditer(text, lo, hi)


@lru_cache(maxsize=1)
def _fold_sources() -> dict[str, set[str]]:
    """Each folded character and the characters that fold to it (fold changes none from U+2500)."""
    sources: dict[str, set[str]] = {}
    for cp in range(0x2500):
        sources.setdefault(fold(chr(cp)), set()).add(chr(cp))
    return sources


def _unfold(chars: set[str]) -> set[str]:
    """The characters, as written, whose fold is one of ``chars``."""
    sources = _fold_sources()
    return set(chars).union(*(sources.get(ch, ()) for ch in chars))


def _first_chars(names: list[str]) -> set[str] | None:
    """The folded characters an ``_ocr_wide`` pattern of one of ``names`` can start with, or None
    where a name starts with a space (its pattern then starts with ``\\s+``)."""
    chars: set[str] = set()
    for name in names:
        ch = name.lower()[:1]
        if not ch or ch.isspace():
            return None
        chars.update(_OCR_WIDE[ch][1:-1] if ch in _OCR_WIDE else fold(ch))
    return chars


def _anchors(names: list[str]) -> list[str]:
    """For each name the longest piece that OCR leaves alone (no å/ä/ö, no space), lower-cased;
    a piece that contains another is dropped, the shorter one finds it too."""
    pieces = set()
    for name in names:
        parts = re.split(r"[åäöÅÄÖ\s]+", name.lower())
        best = max(parts, key=len)
        if best:
            pieces.add(fold(best))
    return sorted(p for p in pieces if not any(q != p and q in p for q in pieces))


def _probes(anchors: list[str], min_len: int = 5) -> list[tuple[str, list[tuple[int, str]]]]:
    """Fewer substring searches for the anchors: a piece several anchors share is searched once
    ("demokrat" for "socialdemokrat" and "kristdemokrat"), each anchor then checked at its offset
    from the hit. Returns (probe, [(offset of the probe in the anchor, anchor)])."""
    left = sorted(set(anchors))
    probes = []
    while left:
        best, covered = "", [left[0]]
        pieces = {a[i:j] for a in left for i in range(len(a)) for j in range(i + min_len, len(a) + 1)}
        for piece in sorted(pieces):
            having = [a for a in left if piece in a]
            if len(having) > len(covered) or (len(having) == len(covered) > 1 and len(piece) > len(best)):
                best, covered = piece, having
        probe = best or covered[0]
        probes.append((probe, [(a.find(probe), a) for a in covered]))
        left = [a for a in left if a not in covered]
    return probes


@lru_cache(maxsize=16_384)
def _clean_name(raw: str) -> str:
    """A name as written, with a word broken over a line joined again, obvious OCR misreadings
    (``S6ren``, ``|ngrid``) read back and spaces collapsed."""
    raw = _LINE_BREAK_HYPHEN.sub(lambda m: "" if m.group(1).islower() else "-", raw)
    raw = _OCR_LEADING_I.sub("I", raw).translate(_OCR_NAME)
    return collapse_ws(raw)


_OCR_WIDE = {"å": "[a&@6dieo0]", "ä": "[a&@6dieo0]", "ö": "[o6d0e&ia@]", "i": "[i1|l]"}


def _ocr_wide(word: str) -> str:
    """A regex for folded text that takes ``word`` with the OCR damage the scans show:
    å/ä/ö read as a, o, é, d, i, &, 6, and I as | or 1."""
    parts = []
    for ch in word.lower():
        if ch in _OCR_WIDE:
            parts.append(_OCR_WIDE[ch])
        elif ch == " ":
            parts.append(r"\s+")
        else:
            parts.append(re.escape(fold(ch)))
    return "".join(parts)


class _WordSet:
    """Membership of a folded word in a word list, tolerant of OCR damage."""

    def __init__(self, words: list[str]) -> None:
        alts = sorted({_ocr_wide(w) for w in words}, key=len, reverse=True)
        self._re = re.compile("(?:" + "|".join(alts) + ")") if alts else None
        # The characters a match can start with: most words fail on the first, before the regex.
        firsts = _first_chars(words)
        self._firsts: set[str] | _AnyChar = firsts if firsts is not None else _ANY_CHAR
        # The same as written, before folding.
        self.raw_firsts: set[str] | _AnyChar = _unfold(firsts) if firsts is not None else _ANY_CHAR

    def __contains__(self, word: object) -> bool:
        return (
            isinstance(word, str)
            and word[:1] in self._firsts
            and self._re is not None
            and self._re.fullmatch(word) is not None
        )


def _genitive_s(name: str) -> bool:
    """A name that takes a genitive s: ends in s, but not in a sibilant that takes none."""
    return name.endswith("s") and not name.endswith(("ss", "xs", "zs")) and len(name.rsplit(" ", 1)[-1]) > 3


# OCR reads å/ä/ö as a, o, é, d, &, 6 and I as | or 1: spellings of one name that differ only
# there are one person, written as at its first place.
_OCR_KEY = str.maketrans({**dict.fromkeys("aeo&@60", "a"), **dict.fromkeys("il1|", "i")})


@lru_cache(maxsize=16_384)
def _ocr_key(person: str) -> str:
    """A person's name folded, with the OCR look-alikes made one."""
    return _f(person).translate(_OCR_KEY)


def _first_spellings(mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    first: dict[tuple[str, str], str] = {}
    out = []
    seen = set()
    for mention in mentions:
        person = mention["person"]
        if person is not None:
            key = (mention["party"], _ocr_key(person))
            person = first.setdefault(key, person)
            mention["person"] = person  # each mention dict is new, made by this find
        ident = (mention["start"], mention["end"], mention["party"], person)
        if ident not in seen:  # one mention per (marker, person)
            seen.add(ident)
            out.append(mention)
    return out


def _anchor_hits(haystack: Any, probes: Any) -> list[tuple[int, int]]:
    """(start, length) of every anchor in ``haystack`` (a ``str`` or ``bytes``): each probe is
    searched once, and the anchors holding it are checked at its hits."""
    hits: list[tuple[int, int]] = []
    for probe, anchors in probes:
        hit = haystack.find(probe)
        while hit >= 0:
            for offset, anchor in anchors:
                pos = hit - offset
                if pos >= 0 and haystack.startswith(anchor, pos):
                    hits.append((pos, len(anchor)))
            hit = haystack.find(probe, hit + 1)
    return hits
