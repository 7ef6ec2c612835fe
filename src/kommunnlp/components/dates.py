"""The dates component: calendar days and months, with the year of yearless dates inferred.

Two steps, kept apart:

1. ``DateRecognizer.find`` scans the folded text (lower case, no diacritics, offsets unchanged)
   with compiled patterns (textual days and month names only where a cheap trigger shows they
   can match, with the same matches as a full scan), most specific first, each claiming its
   stretch of text: ISO dates (``2018-11-13``), ``18/1 2016``, textual days with optional weekday, ``den`` and day ranges
   (``torsdagen den 9 juni 2016``, ``20 - 22 maj 2015``), then month names (``december 2023``,
   ``i juni``);
2. ``resolve_years`` gives each yearless date a year: from the other end of its range
   (``januari - april 2018``), from its weekday (the year near the context year in which the
   day falls on that weekday), or from the context: the nearest full date before it, else the
   nearest year written before it, else the first full date after it. Where there is no such
   clue, the date is left out.

Month names, weekdays, range words and year bounds are data files in ``kommunnlp/data/dates/``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any

import ahocorasick

from ..text import fold, ocr_head_length, ocr_pattern
from .base import RuleComponent

_CENTURIES = ("19", "20")
_YEAR = r"(?:19|20)[0-9][0-9]"
# The look-behinds stand after the first characters (a fixed width reaches back over them), so
# each pattern starts with plain characters: a pattern led by a literal (`20`) is searched for
# as fast as str.find, one led by a set (`[0-9]`, `(?:19|20)`) tries every character. Patterns
# led by a year are therefore one per century; their matches (a run of exactly four digits
# each) cannot overlap, so together they are the matches of the pattern for both.
_BARE_YEARS = tuple(re.compile(c + r"(?<![0-9/.:-]..)[0-9][0-9](?![0-9])") for c in _CENTURIES)
# After a century: the rest of an ISO date, not inside a number (`287-2010-1.5.2`) but the second
# end of `2019-06-20--2019-07-12`; or, empty, the check that a day and month stand before the
# year (`8/1 `, `18.11.`), where a day-month-year date then starts 4-6 characters back. The
# checks that fail most often come first.
_ISO_REST = (
    r"(?=[0-9][0-9]-)(?<![0-9/.:]..)(?:(?<!-..)|(?<=[0-9]{2}-[0-9]{2}-..)|(?<=[0-9]{2}-[0-9]{2}--..))"
    r"[0-9][0-9]-(?P<m>[01]?[0-9])-(?P<d>[0-3]?[0-9])(?![0-9]|[/.][0-9]|-[0-9]{1,3}(?![0-9]))"
)
_DMY_YEAR_REST = r"(?<=[0-9][ /.-]..)(?:(?<=[/.][0-9][ /.-]..)|(?<=[/.][0-9][0-9][ /.-]..))"
_BLANK = frozenset(" \t")
_DIGITS = frozenset("0123456789")
# A plain character or a class of them (`[1il|]`), as ``ocr_pattern`` writes them.
_UNIT = re.compile(r"([a-z0-9])|\[([^\]\\^-]+)\]")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_AE = frozenset("ae")
_MONTH_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_UPPER_WORD = re.compile(r"[ \t]+[A-ZÅÄÖ][a-zåäöé]")


def _reach(count: int) -> re.Pattern[str]:
    """``count`` non-blank characters (blanks and commas in between); possessive, as nothing
    after it can make it give some back."""
    return re.compile(rf"(?:[\s,]*+[^\s,]){{0,{count}}}+")


@dataclass(slots=True)
class DateCandidate:
    """A date found in the text; ``year`` is None until ``resolve_years`` fills it in."""

    start: int
    end: int
    month: int
    day: int | None
    year: int | None
    weekday: int | None = None
    year_inferred: bool = False


def _heads_of(pattern: str, size: int = 3) -> set[str]:
    """The strings the first ``size`` characters of ``pattern`` (from ``ocr_pattern``) can match,
    as far as they are plain characters or classes of them (`ju[1il|]`: `jul`, `ju1`, ...)."""
    heads = {""}
    pos = 0
    for _ in range(size):
        unit = _UNIT.match(pattern, pos)
        if not unit:
            break
        heads = {h + c for h in heads for c in unit[1] or unit[2]}
        pos = unit.end()
    return heads


def _after_first(pattern: str, check: str) -> str:
    """``check`` put after the first character of ``pattern``, for a look-behind that reaches
    back over it."""
    first = ocr_head_length(pattern)
    return pattern[:first] + check + pattern[first:]


def _in_order(
    patterns: tuple[re.Pattern[str], ...], folded: str, pos: int = 0, endpos: int = -1
) -> list[re.Match[str]]:
    """The matches of patterns that cannot overlap one another, in text order."""
    if endpos < 0:
        endpos = len(folded)
    if len(patterns) == 1:
        return list(patterns[0].finditer(folded, pos, endpos))
    out = [m for p in patterns for m in p.finditer(folded, pos, endpos)]
    out.sort(key=_start)
    return out


def _start(m: re.Match[str]) -> int:
    return m.start()


_start_of = attrgetter("start")


_BACK_CHUNK = 128
_SEPARATORS = re.compile(r"[\s,]*")


def _windows(
    triggers: list[int], folded: str, back: re.Pattern[str], ahead: re.Pattern[str]
) -> list[tuple[int, int, int]]:
    """Disjoint ``(pos, endpos)`` stretches of ``folded`` that hold every textual day, each
    matched as in the whole text. Each reaches as many non-blank characters before and after a
    trigger (a day number just before a month) as a day expression can read around it (``back``,
    ``ahead``), however many blanks it contains, and ends just after a non-blank character, so
    no blank run a pattern reads to its end is cut short. The third of each is its last trigger."""
    out: list[tuple[int, int, int]] = []
    backwards = ""
    n = len(folded)
    for t in triggers:
        if out and t < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], ahead.match(folded, t).end()), t)
            continue
        # Backwards over a reversed stretch before the trigger; the whole text reversed only
        # where the reach could go on before that stretch (nothing but blanks left in it).
        lo = max(0, t - _BACK_CHUNK)
        chunk = folded[lo:t][::-1]
        reach = back.match(chunk).end()
        if lo and _SEPARATORS.fullmatch(chunk, reach):
            backwards = backwards or folded[::-1]
            reach = back.match(backwards, n - t).end()
        start = t - reach
        end = ahead.match(folded, t).end()
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], end, t)
        else:
            out.append((start, end, t))
    return out


def _valid(year: int, month: int, day: int | None) -> bool:
    """Whether ``date(year, month, day)`` exists (a month: whether it is one)."""
    if day is None:
        return 1 <= month <= 12
    if not (1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month] and 1 <= year <= 9999):
        return False
    return month != 2 or day < 29 or (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0))


class DateRecognizer(RuleComponent):
    """Finds calendar dates (day or month precision) with ISO values."""

    data_dir = "dates"
    label_field = "precision"

    def _compile(self) -> None:
        months = self.data.get("months", {})
        weekdays = self.data.get("weekdays", {}).get("names", {})
        settings = self.data.get("settings", {})
        self._min_year = int(settings.get("min_year", 1900))
        self._max_year = int(settings.get("max_year", 2099))
        self._search = int(settings.get("weekday_year_search", 7))
        self._names: dict[str, int] = {fold(k): int(v) for k, v in months.get("names", {}).items()}
        self._abbr: dict[str, int] = {fold(k): int(v) for k, v in months.get("abbreviations", {}).items()}
        self._name_like = {fold(w) for w in months.get("name_like", [])}
        self._weekdays = [(re.compile(ocr_pattern(k, il=True)), int(v)) for k, v in weekdays.items()]
        self._month_keys = [(k, re.compile(ocr_pattern(k, il=True))) for k in (*self._names, *self._abbr)]

        def alt(words: list[str], check: str = "") -> str:
            patterns = [ocr_pattern(w, il=True) for w in sorted(words, key=len, reverse=True)]
            return "|".join(_after_first(p, check) if check else p for p in patterns) or "(?!x)x"

        name_alt = alt(list(self._names))
        abbr_alt = alt(list(self._abbr))
        wd_alt = alt(list(weekdays))
        conn = "|".join(
            re.escape(fold(c)).replace(r"\ ", r"\s*") for c in settings.get("range_connectors", ["-", "och"])
        )
        # Textual day: [weekday[en]] [den] D [- D] month [year]; `den 30november` has no space. A
        # line break inside (PDF text) only where `den`, a weekday or a year shows it is a date.
        self._day = re.compile(
            rf"(?<![\w.,:/-])(?:(?P<wd>(?:{wd_alt})(?:en|ens)?)[ \t,]+)?(?P<den>den\s+)?"
            rf"(?P<d1>[0-3]?[0-9])(?::[ae])?"
            rf"(?:[ \t]*(?:{conn})[ \t]*(?:den\s+)?(?P<d2>[0-3]?[0-9])(?::[ae])?)?"
            rf"(?P<gap>[ \t]*\n?[ \t]*)(?:(?P<mon>{name_alt})|(?P<abbr>{abbr_alt})\.?)(?![a-z])"
            rf"(?:,?(?:[ \t]+|[ \t]*\n[ \t]*)(?P<year>{_YEAR})(?![0-9]|-[0-9]{{2}}-))?"
        )
        self._month = re.compile(
            rf"(?P<mon>{alt(list(self._names), '(?<![a-z0-9].)')})(?![a-z])"
            rf"(?:,?(?:[ \t]+|[ \t]*\n[ \t]*)(?P<year>{_YEAR})(?![0-9]|-[0-9]{{2}}-))?"
        )
        # Every month name and abbreviation starts with one of a few short strings (`jan`, and
        # `jul`, `ju1`, `jui`, `ju|` of juli with its OCR-prone l): where none occurs, no month
        # pattern or day trigger matches (``_heads``). None: some word has no such start.
        words = [*self._names, *self._abbr]
        heads = {h for w in words for h in _heads_of(ocr_pattern(w, il=True))}
        self._heads = (
            None if "" in heads else sorted(h for h in heads if not any(o != h and h.startswith(o) for o in heads))
        )
        # One pass for all heads, not a str.find pass for each.
        self._head_auto: ahocorasick.Automaton | None = None
        if self._heads:
            self._head_auto = ahocorasick.Automaton()
            for head in self._heads:
                self._head_auto.add_word(head, len(head) - 1)
            self._head_auto.make_automaton()
        self._word = re.compile(rf"(?:{name_alt}|{abbr_alt})")
        # 18/1 2016, 18/1-2016, 13/11/2018, 13.11.2018
        self._dmy = re.compile(
            rf"(?P<d>[0-9](?<![0-9/.:-].)(?:(?<=[0-3])[0-9])?)(?:/(?P<m>[01]?[0-9])[ /-]|\.(?P<m2>[01]?[0-9])\.)"
            rf"(?P<y>{_YEAR})(?![0-9]|[/.-][0-9])"
        )
        # One pass per century for the ISO dates and the years of `18/1 2016` (``_year_dates``).
        self._years = tuple(re.compile(rf"{c}(?:{_ISO_REST}|{_DMY_YEAR_REST})") for c in _CENTURIES)
        # Every textual day has a day number just before its month (``_windows``).
        self._day_trigger = re.compile(rf"[0-9](?::[ae])?[ \t]*\n?[ \t]*(?:{name_alt}|{abbr_alt})")
        self._gap = re.compile(rf"\s*(?:{conn})\s*(?:den\s+)?")
        # The non-blank characters a textual day reads around its trigger digit (``_windows``):
        # before it a weekday with `ens`, `den`, a day with `:a`, a connector, `den` and the
        # first digit of the second day; from it the digit, `:a`, a month (`sept.`), a year and
        # the look-ahead after it (`-12-`).
        connectors = [fold(c) for c in settings.get("range_connectors", ["-", "och"])]
        before = max(map(len, map(fold, weekdays)), default=0) + 3 + 3 + 4
        before += max((len("".join(c.split())) for c in connectors), default=0) + 3 + 1
        after = 1 + 2 + max(max(map(len, self._names), default=0), max(map(len, self._abbr), default=-1) + 1) + 4 + 4
        self._reach_back, self._reach_ahead = _reach(before), _reach(after)

    # -- finding ---------------------------------------------------------------------------
    def find(self, text: str) -> list[dict[str, Any]]:
        if not text:
            return []
        folded = fold(text)
        found: list[DateCandidate] = []
        claimed: list[list[tuple[int, int]]] = [[]]
        isos, dmys = self._year_dates(folded)
        layer = claimed[0]
        for m in isos:  # the first of the patterns, in text order and never overlapping: all free
            year, month, day = int(m[0][:4]), int(m["m"]), int(m["d"])
            if self._min_year <= year <= self._max_year and _valid(year, month, day):
                found.append(DateCandidate(m.start(), m.end(), month, day, year))
                layer.append(m.span())
        claimed.append([])
        for m in dmys:
            self._add(found, claimed, m.start(), m.end(), int(m["m"] or m["m2"]), int(m["d"]), int(m["y"]))
        claimed.append([])
        triggers, months = self._at_heads(folded, self._head_hits(folded))
        for start, end, last in _windows(triggers, folded, self._reach_back, self._reach_ahead):
            for m in self._day.finditer(folded, start, end):
                self._add_day(text, folded, found, claimed, m)
                if m.end() > last:  # every match holds a trigger: none after the last one
                    break
        claimed.append([])
        for m in months:
            word, year_text = m.group("mon", "year")
            mon = self._names.get(self._canonical(word))
            start = m.start()
            if mon is None or self._is_name(text, folded, start, m.end("mon"), has_year=bool(year_text)):
                continue
            self._add(found, claimed, start, m.end(), mon, None, int(year_text) if year_text else None)
        found.sort(key=_start_of)
        bare_years = self._bare_years(folded, found)
        resolved = resolve_years(found, folded, self._gap, bare_years, self._search)
        return [self._mention(text, f) for f in resolved if _valid(f.year or 0, f.month, f.day)]

    def _year_dates(self, folded: str) -> tuple[list[re.Match[str]], list[re.Match[str]]]:
        """The matches of ``(?:19|20)`` + ``_ISO_REST`` and of ``self._dmy`` in ``folded``. One
        pass finds both: an ISO date holds no other year, and where it starts no day-month-year
        date has its year (a `-` and a digit follow it)."""
        isos = []
        starts = set()
        for m in _in_order(self._years, folded):
            if m["m"] is None:
                i = m.start()
                starts.update((i - 6, i - 5, i - 4))
            else:
                isos.append(m)
        dmys = []
        last = 0
        for i in sorted(starts):
            if i >= last:
                m = self._dmy.match(folded, i)
                if m:
                    last = m.end()
                    dmys.append(m)
        return isos, dmys

    def _head_hits(self, folded: str) -> list[int] | None:
        """The sorted places where a month name or abbreviation can start (None: everywhere)."""
        if self._heads is None:
            return None
        if self._head_auto is None:
            return []
        hits = [end - back for end, back in self._head_auto.iter(folded)]
        hits.sort()  # a place holds one head only: no head starts another
        return hits

    def _at_heads(self, folded: str, heads: list[int] | None) -> tuple[list[int], list[re.Match[str]]]:
        """The starts of ``self._day_trigger`` (a day number before a month) and the matches of
        ``self._month.finditer`` in ``folded``, in one pass over the places a month can start: a
        trigger found from its month back, over blanks with at most one line break and a
        `:a`/`:e`."""
        if heads is None:
            return [m.start() for m in self._day_trigger.finditer(folded)], list(self._month.finditer(folded))
        triggers = []
        months = []
        last = 0
        word = self._word.match
        month = self._month.match
        for h in heads:
            c = folded[h - 1] if h else ""
            if c in _LETTERS:  # inside a word: no month, a trigger only after `:a`/`:e`
                if c in _AE and h > 2 and folded[h - 2] == ":" and folded[h - 3] in _DIGITS and word(folded, h):
                    triggers.append(h - 3)
                continue
            if c in _DIGITS:  # `30november`: no month alone
                if word(folded, h):
                    triggers.append(h - 1)
                continue
            if c in _BLANK or c == "\n":
                j = h
                while j and folded[j - 1] in _BLANK:
                    j -= 1
                if j and folded[j - 1] == "\n":
                    j -= 1
                    while j and folded[j - 1] in _BLANK:
                        j -= 1
                if j > 1 and folded[j - 1] in _AE and folded[j - 2] == ":":
                    j -= 2
                if j and folded[j - 1] in _DIGITS and word(folded, h):
                    triggers.append(j - 1)
            # Each name's pattern first checks that no letter or digit stands before it.
            if h >= last:
                m = month(folded, h)
                if m:
                    last = m.end()
                    months.append(m)
        return triggers, months

    def _add_day(
        self, text: str, folded: str, found: list[DateCandidate], claimed: list[list[tuple[int, int]]], m: re.Match[str]
    ) -> None:
        wd, den, d1, d2, gap, mon, abbr, year_text = m.group("wd", "den", "d1", "d2", "gap", "mon", "abbr", "year")
        if mon:
            month = self._names.get(self._canonical(mon))
        else:
            month = self._abbr.get(self._canonical(abbr))
            # `2 Jan Andersson`: an abbreviation without a year must be written in lower case.
            if not year_text and not text[m.start("abbr")].islower():
                return
        if month is None:
            return
        if "\n" in gap and not (den or wd or year_text):
            return
        if not year_text:
            group = "mon" if mon else "abbr"
            if self._is_name(text, folded, m.start(group), m.end(group), has_year=False):
                return
        year = int(year_text) if year_text else None
        weekday = self._weekday(wd) if wd else None
        start, end = m.span()
        if d2 is not None and self._free(claimed, start, end):
            # A range of days: the first end spans the whole expression, the second from its day.
            self._add(found, claimed, start, end, month, int(d1), year, weekday, claim=False)
            self._add(found, claimed, m.start("d2"), end, month, int(d2), year, claim=False)
            self._claim(claimed, start, end)
            return
        # An impossible day (`31 april 2020`) is no date; its month is not one either.
        if self._add(found, claimed, start, end, month, int(d1), year, weekday) is False:
            self._claim(claimed, start, end)

    def _canonical(self, word: str) -> str:
        """The month key of a (possibly OCR-damaged) match such as `apri|`."""
        if word in self._names or word in self._abbr:
            return word
        for key, pattern in self._month_keys:
            if pattern.fullmatch(word):
                return key
        return word

    def _weekday(self, word: str) -> int | None:
        for pattern, index in self._weekdays:
            if pattern.match(word):
                return index
        return None

    def _is_name(self, text: str, folded: str, start: int, end: int, *, has_year: bool) -> bool:
        """`Maj Karlsson`, `Maj-Britt`: a month name that is a first name."""
        if has_year or folded[start:end] not in self._name_like or not text[start].isupper():
            return False
        return text[end : end + 1] == "-" or bool(_UPPER_WORD.match(text, end))

    # -- bookkeeping -----------------------------------------------------------------------
    def _add(
        self,
        found: list[DateCandidate],
        claimed: list[list[tuple[int, int]]],
        start: int,
        end: int,
        month: int,
        day: int | None,
        year: int | None,
        weekday: int | None = None,
        *,
        claim: bool = True,
    ) -> bool | None:
        """None: the stretch is taken; False: free, but no date; True: added."""
        if not self._free(claimed, start, end):
            return None
        if year is not None and not (self._min_year <= year <= self._max_year and _valid(year, month, day)):
            return False
        if year is None and not _valid(2000, month, day):  # leap-year safe check of day/month
            return False
        found.append(DateCandidate(start, end, month, day, year, weekday))
        if claim:
            self._claim(claimed, start, end)
        return True

    @staticmethod
    def _free(claimed: list[list[tuple[int, int]]], start: int, end: int) -> bool:
        span = (start, end)
        for layer in claimed:
            if not layer:  # most are: a layer per pattern
                continue
            i = bisect_right(layer, span)
            if i and layer[i - 1][1] > start:
                return False
            if i < len(layer) and layer[i][0] < end:
                return False
        return True

    @staticmethod
    def _claim(claimed: list[list[tuple[int, int]]], start: int, end: int) -> None:
        # Each pattern's matches come in text order, so a claim appends to the current layer;
        # inserting into one shared list instead would make interleaved matches quadratic.
        layer = claimed[-1]
        if layer and layer[-1] > (start, end):
            insort(layer, (start, end))
        else:
            layer.append((start, end))

    def _bare_years(self, folded: str, found: list[DateCandidate]) -> list[tuple[int, int]]:
        """The years written in ``folded`` that ``resolve_years`` can use: only a date without a
        year of its own before the first date with one (``found`` is sorted) looks at them, and
        then only at those before that date, unless no date has a year."""
        first = next((f.start for f in found if f.year is not None), None)
        if not any(f.year is None and (first is None or f.start <= first) for f in found):
            return []
        if first is None:
            matches = _in_order(_BARE_YEARS, folded)
        else:  # four characters more: the look-ahead after a year that starts before `first`
            matches = [m for m in _in_order(_BARE_YEARS, folded, 0, first + 4) if m.start() < first]
        out = []
        for m in matches:
            year = int(m.group())
            if self._min_year <= year <= self._max_year:
                out.append((m.start(), year))
        return out

    @staticmethod
    def _mention(text: str, f: DateCandidate) -> dict[str, Any]:
        start, end, day = f.start, f.end, f.day
        if day:
            return {
                "text": text[start:end],
                "start": start,
                "end": end,
                "value": f"{f.year:04d}-{f.month:02d}-{day:02d}",
                "precision": "day",
                "year_inferred": f.year_inferred,
            }
        return {
            "text": text[start:end],
            "start": start,
            "end": end,
            "value": f"{f.year:04d}-{f.month:02d}",
            "precision": "month",
            "year_inferred": f.year_inferred,
        }


def resolve_years(
    found: list[DateCandidate],
    folded: str,
    gap: re.Pattern[str],
    bare_years: list[tuple[int, int]],
    search: int = 7,
) -> list[DateCandidate]:
    """Give each yearless date (sorted by start) a year, or leave it out (see module doc)."""
    if all(f.year is not None for f in found):  # many documents write every year out
        return list(found)
    # 1. A range shares its year: `januari - april 2018`, `20 maj - 3 juni 2015`.
    for i in range(len(found) - 2, -1, -1):
        cur, nxt = found[i], found[i + 1]
        if cur.year is None and nxt.year is not None and cur.end <= nxt.start:
            m = gap.match(folded, cur.end)
            if m and m.end() >= nxt.start and not folded[cur.end : nxt.start].strip(" \t-").count("\n"):
                cur.year = nxt.year
    anchors = [(f.start, f.year) for f in found if f.year is not None]
    # 2. A weekday fixes the year near the context year; such dates then anchor the rest.
    context = _Context(anchors, bare_years)
    weekday_dated = []
    for f in found:
        if f.year is None and f.weekday is not None and f.day is not None:
            base = context.year(f.start, later_years=True)
            if base is not None:
                f.year, f.year_inferred = _weekday_year(base, f.month, f.day, f.weekday, search), True
                weekday_dated.append((f.start, f.year))
    if weekday_dated:
        context = _Context(sorted([*anchors, *weekday_dated]), bare_years)
    # 3. The rest take the context year.
    out = []
    for f in found:
        if f.year is None:
            year = context.year(f.start)
            if year is None:
                continue
            f.year, f.year_inferred = year, True
        out.append(f)
    return out


class _Context:
    """The context year at a position: the nearest full date before it, else the nearest year
    written before it, else the first full date after it (else, for a weekday, the first year
    written after it)."""

    def __init__(self, anchors: list[tuple[int, int]], bare_years: list[tuple[int, int]]) -> None:
        self._anchor_pos = [p for p, _ in anchors]
        self._anchor_year = [y for _, y in anchors]
        self._bare_pos = [p for p, _ in bare_years]
        self._bare_year = [y for _, y in bare_years]

    def year(self, pos: int, *, later_years: bool = False) -> int | None:
        """``later_years``: also a year written only after ``pos`` (enough for a weekday, which
        then checks it; too weak alone: `den 31 oktober ... underskottet för 2015`)."""
        i = bisect_left(self._anchor_pos, pos)
        if i:
            return self._anchor_year[i - 1]
        j = bisect_left(self._bare_pos, pos)
        if j:
            return self._bare_year[j - 1]
        if i < len(self._anchor_year):
            return self._anchor_year[i]
        return self._bare_year[j] if later_years and j < len(self._bare_year) else None


def _weekday_year(base: int, month: int, day: int, weekday: int, search: int) -> int:
    """The year nearest ``base`` (earlier first on a tie) in which ``day``/``month`` is a ``weekday``."""
    for delta in range(search + 1):
        for year in (base - delta, base + delta) if delta else (base,):
            if _valid(year, month, day) and date(year, month, day).weekday() == weekday:
                return year
    return base
