"""The dnr component: case registration numbers (diarienummer, ärendenummer).

Finding, normalising and parsing are separate steps (eyecite style):

1. ``DnrRecognizer.find`` runs each compiled pattern over the short windows of the text where a
   cheap trigger shows it can match (same matches as a full scan): references after a label
   (``Dnr``, ``Ärendenummer``, ...), series-prefixed references anywhere (``KS 2019/1899``,
   ``2016/KS 0065 001``), bare ``2014/1148`` numbers, and short ``12/30`` numbers only inside a
   list of cases that a label opened;
2. ``normalize_dnr`` gives one canonical spelling (separators only; letters and digits keep
   their order, which is what the scorer compares);
3. ``parse_dnr`` splits a reference into series, serial number and year.

The label words, the prefixes that are not registry series (SFS, SOU, ...) and the year bounds
are data files in ``kommunnlp/data/dnr/``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from datetime import date
from typing import Any, NamedTuple

from ..text import fold, ocr_head_length, ocr_pattern
from .base import RuleComponent

# -- regex fragments (original text; upper-case series are what make an unlabeled number a dnr)
_UP = "A-ZÅÄÖÉ"
_LETTER = "A-Za-zÅÄÖåäöÉé"
_YEAR4 = r"(?:19|20)[0-9][0-9]"
# Inside a series OCR may read Ä/Ö as & and I as | (`S&N/2012:3` for SÄN/2012:3).
_SERIES_UP = rf"[{_UP}][{_UP}&|]{{1,5}}(?:-[{_UP}]{{1,4}})?"  # KS, SOCN, KSKF, KS-HR
_SERIES_ANY = rf"[{_LETTER}][{_LETTER}&|]{{0,5}}(?:-[{_LETTER}]{{1,4}})?"  # after a label also Son, Kst, G
_TAIL = r"(?:[.-][0-9]{1,4}){0,3}"  # sub-numbers and dotted codes: -101, .11.03, -2.9
_END = r"(?![\w/:]|[.-][0-9])"  # the number ends here (not inside a longer token)
# A filing code written apart after the number (`KS03/243 739`, `SBN 2012/101 21`): two or
# three digits after one space, or up to three after a wider gap; never followed by more digits,
# so page and paragraph columns (`12/30 69 2 ...`) stay out.
_FILING = r"(?P<filing>(?: [0-9]{2,3}|[ \t]{2,4}[0-9]{1,3})(?=[ \t]*\n|[ \t]+[^0-9\s]|[ \t]*$))?"

_SERIES_FIRST = re.compile(
    rf"(?<![\w-])(?P<series>{_SERIES_UP})(?:[ ./-]|/ )?"
    rf"(?P<main>{_YEAR4}(?P<sep>[/:.-])[0-9]{{1,6}}{_TAIL}){_END}{_FILING}"
)
_SERIES_SHORT_YEAR = re.compile(  # KS03/243: two-digit year glued to the series
    rf"(?<![\w-])(?P<series>{_SERIES_UP})(?P<main>[0-9][0-9](?P<sep>/)[0-9]{{2,6}}{_TAIL}){_END}{_FILING}"
)
_SERIES_NUMBER_YEAR = re.compile(  # KS 123/2019: serial number before the year
    rf"(?<![\w-])(?P<series>{_SERIES_UP})(?:[ .-]|/ ?)?(?P<main>[0-9]{{1,6}}(?P<sep>/){_YEAR4}){_END}"
)
_YEAR_FIRST = re.compile(  # 2016/KS 0065 001, 2023/KS 0362, 2016KSM1221.042
    rf"(?<![\w/.-])(?P<main>{_YEAR4}(?P<sep>/ ?|)(?P<series>{_SERIES_UP}) ?[0-9]{{1,6}}{_TAIL}){_END}{_FILING}"
)
_BARE = re.compile(rf"(?<![\w/.:,-])(?P<main>{_YEAR4}/[0-9]{{1,5}})(?![\w/:]|[.,-][0-9])")
_SHORT = re.compile(r"(?<![\w/.:,-])(?P<main>[0-9]{2,3}/[0-9]{2,5})(?![\w/:]|[.,-][0-9])")
# What may follow a label: the same forms, with any series spelling, or digits only.
_LABELLED = re.compile(
    rf"(?P<main>{_YEAR4}/ ?(?P<series_c>{_SERIES_ANY}) ?[0-9]{{1,6}}{_TAIL}"
    rf"|{_YEAR4}(?P<series_d>{_SERIES_UP})[0-9]{{1,6}}{_TAIL}"
    rf"|(?:(?P<series_g>{_SERIES_ANY})(?:[ ./-]|/ )?)?[0-9]{{1,6}}(?:[/:.-][0-9]{{1,6}}){{1,5}}){_END}{_FILING}"
)
_LIST_SEP = re.compile(r"[ \t]*(?:,|;|&|\bsamt\b|\boch\b)[ \t]*")
_DIGIT = re.compile(r"[0-9]")
_CHUNKS = re.compile(r"[0-9]+")
_WORD_BEFORE = re.compile(r"([a-z]+)[^a-z0-9\n]{0,3}\Z")
_ISO_DATE = re.compile(r"((?:19|20)[0-9][0-9])-([0-9][0-9])-([0-9][0-9])")
_YEAR_COLON = re.compile(r"(?<![0-9])((?:19|20)[0-9][0-9]):(?=[0-9])")
_SERIES_SEP = re.compile(rf"^(?P<series>{_SERIES_ANY})(?:[ ./-]|/ )?(?=[0-9])")
_INNER_SERIES = re.compile(rf"(?<=[0-9])[/ ]? ?({_SERIES_ANY})(?= ?[0-9])")
_TITLE_SERIES = re.compile(r"(?<![\w-])([A-ZÅÄÖ][bcdfghjklmnpqrstvwxz]{1,3})[ /]?\Z")
# Every number pattern above contains a digit before a slash (`2014/1148`, `12/30`), a series
# letter before a digit (`KS 2019:1899`, `KS03`) or a digit before a series letter (`2016KSM`),
# and none crosses a line break. Those triggers are found in a copy of the text with each character
# replaced by its class (``_classes``), by a regex that starts with a literal digit class, which
# the regex engine skips to fast (not a set of all digits and capitals, tried at each); the
# patterns then scan only the short windows around the triggers each needs (``_windows``).
_CLASS_OF = {"0": "[0-9]", "A": f"[{_UP}&|]", "/": "/", "s": "[ .-]"}
_CLASS_TABLE = bytes(
    next((ord(c) for c, members in _CLASS_OF.items() if re.fullmatch(members, chr(b))), ord("x")) for b in range(256)
)
# Letters and digits (`x`) against the separators of a label's reach, on the folded text; `?` (also
# any character outside Latin-1) counts as a separator, so a count of `x` is never too high.
_SOLID_TABLE = bytes(
    ord("s") if b == ord("?") or re.fullmatch(r"[\s.:;,]", fold(chr(b))) else ord("x") for b in range(256)
)
# A digit before a slash or a series letter, or after a series letter and at most `/ `.
_TRIGGER = re.compile(rb"0(?:(/)|(A)|(?<=A.)|(?<=A[s/].)|(?<=A/s.))")
_PAD = b"xxxx"  # around ``classes``, so the look around a trigger needs no bounds checks
_REACH_BEFORE = 40  # > the longest stretch from the start of a reference to its first trigger
_REACH_AFTER = 80  # > the longest reference (filing code and look-ahead included) from a trigger on
_BLANKS = re.compile(r"[ \t]*")


def _label_pattern(label: str) -> str:
    """Regex for a label on folded text: å/ä/ö with their OCR readings (``text.ocr_pattern``),
    and also i/l read as 1, l or | (`D1arienummer`)."""
    return ocr_pattern(label, il=True)


def _classes(raw: bytes) -> bytes:
    """One byte per character of the text (``raw`` is it in Latin-1, `?` for any other
    character), after ``_PAD``: `0` a digit, `A` a series letter, `/`, `s` a space, dot or
    hyphen, `x` the rest."""
    return _PAD + raw.translate(_CLASS_TABLE) + _PAD


class _Triggers(NamedTuple):
    """Sorted offsets of the triggers of each number pattern: only those with the digits and
    slashes the pattern needs around them (in ``classes``), so each scans few windows."""

    series_first: list[int]  # KS 2019:1899: the last series letter, a year after it
    series_short_year: list[int]  # KS03/243: the last series letter, two digits and `/` after it
    series_number_year: list[int]  # KS 123/2019: the last series letter, `/` and a year after it
    year_first: list[int]  # 2016/KS, 2016/ KS, 2016KSM: the year's last digit
    bare: list[int]  # 2014/1148: the year's last digit
    short: list[int]  # 12/30: the digit before the slash


def _triggers(classes: bytes) -> _Triggers:
    """The triggers in ``classes``, by the pattern that needs them."""
    found = _Triggers([], [], [], [], [], [])
    pad = len(_PAD)
    for m in _TRIGGER.finditer(classes):
        p = m.start()
        t = p - pad
        after = m.lastindex  # 1: a slash after the digit, 2: a series letter
        if after == 1 and classes[p - 1] == 48:  # `0`: a digit before (so no series letter)
            if classes.startswith(b"00", p + 2):
                found.short.append(t)
            if classes.startswith(b"000", p - 3):
                if classes[p + 2] == 48:
                    found.bare.append(t)
                elif classes[p + 2] == 65 or classes.startswith(b"sA", p + 2):  # `A`, ` A`
                    found.year_first.append(t)
            continue
        if after == 2:
            if classes.startswith(b"000", p - 3):
                found.year_first.append(t)
            if classes[p - 1] == 48:
                continue
        if classes[p - 1] == 65:
            q = t - 1
            if classes.startswith(b"00/", p):
                found.series_short_year.append(q)
        elif classes.startswith(b"A/s", p - 3):
            q = t - 3
        elif classes.startswith(b"As", p - 2) or classes.startswith(b"A/", p - 2):
            q = t - 2
        else:
            continue
        if classes.startswith(b"0000", p):
            found.series_first.append(q)
        if b"0/0000" in classes[p : p + 12]:
            found.series_number_year.append(q)
    return found


def _windows(text: str, triggers: list[int]) -> list[tuple[int, int]]:
    """Disjoint ``(pos, endpos)`` stretches of ``text`` that hold every match, each matched as in
    the whole text, of the number patterns that contain one of the ``triggers``: a window reaches
    from ``_REACH_BEFORE`` before a trigger (not past the line start) to ``_REACH_AFTER`` after it
    (not past the line end), and never ends inside a run of blanks, which the filing look-ahead
    would read to its end."""
    out: list[tuple[int, int]] = []
    n = len(text)
    for t in triggers:
        start = max(t - _REACH_BEFORE, 0)
        start = text.rfind("\n", start, t) + 1 or start
        end = text.find("\n", t, t + _REACH_AFTER)
        end = min(n, t + _REACH_AFTER) if end < 0 else end + 1
        if end < n and text[end - 1] in " \t":
            end = min(n, _BLANKS.match(text, end).end() + 1)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _scan(pattern: re.Pattern[str], text: str, windows: list[tuple[int, int]]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, looking only inside ``windows``."""
    for start, end in windows:
        yield from pattern.finditer(text, start, end)


def _anchored(
    pattern: re.Pattern[str], text: str, triggers: list[int], offsets: tuple[int, ...]
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for ``_BARE`` and ``_SHORT``, whose matches start at one of
    ``offsets`` before a trigger (the digit before the slash) and cannot overlap (they hold only
    digits and a slash, and may not follow either), so each is tried there alone."""
    for t in triggers:
        for back in offsets:
            m = pattern.match(text, t - back) if t >= back else None
            if m:
                yield m
                break


_CLASSES = re.compile(r"\[[^\]]*\]|\\s\+")  # the OCR classes and blanks of a label pattern


_TOKEN = re.compile(r"\[[^\]]*\]|\\s\+|\\.|.", re.S)  # one character of a label pattern, or `\s+`
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def _label_reaches(alternatives: list[str], words: list[str]) -> dict[str, tuple[int, int] | None]:
    """For each label word: at most how many letters and digits a label holds before it (where it
    can be the label's first word) and from it on, plus one for the look-ahead (the optional `nr`
    after a label counted); None where a label may hold no word for sure."""
    back = dict.fromkeys(words, 0)
    ahead = dict.fromkeys(words, 0)
    nr = _units("nr")
    for pattern in alternatives:
        units = _units(pattern)
        for variant in (units, [*units, *nr], [*units, None, *nr]):
            solid = [0]  # letters and digits before each position
            for u in variant:
                solid.append(solid[-1] + (u is not None))
            first_sure = False
            for i in range(len(variant)):
                for word in words:
                    cells = variant[i : i + len(word)]
                    if len(cells) < len(word) or not all(u and ch in u for u, ch in zip(cells, word, strict=True)):
                        continue
                    ahead[word] = max(ahead[word], solid[-1] - solid[i] + 1)
                    if not first_sure:
                        back[word] = max(back[word], solid[i])
                        first_sure = all(u == ch for u, ch in zip(cells, word, strict=True))
            if not first_sure:
                return dict.fromkeys(words)
    return {w: (back[w], ahead[w]) for w in words}


def _units(pattern: str) -> list[str | None]:
    """The letters and digits each character of a label pattern matches; None for a blank run."""
    return [
        None if tok == r"\s+" else "".join(c for c in _ALNUM if re.fullmatch(tok, c)) or "\0"
        for tok in _TOKEN.findall(pattern)
    ]


class _Candidate(NamedTuple):
    start: int
    end: int
    series: str | None
    priority: int  # lower wins when candidates overlap


def normalize_dnr(ref: str) -> str:
    """Canonical spelling: series upper-cased and set apart by one space, ``YEAR:N`` as
    ``YEAR/N``, white space collapsed. Letters and digits keep their order."""
    out = " ".join(ref.split())  # (str.split's white space is the regex's ``\s``)
    m = _SERIES_SEP.match(out)
    if m:
        out = m.group("series") + " " + out[m.end() :]
    if ":" in out:
        out = _YEAR_COLON.sub(r"\1/", out)
    return out.upper()


def parse_dnr(ref: str, *, min_year: int = 1950, max_year: int = 2049, pivot: int = 50) -> dict[str, Any]:
    """Series, serial number and four-digit year of a reference such as ``KS 2019:1899``."""
    number, year = _number_year(ref, min_year, max_year, pivot)
    return {"series": _series_of(ref), "number": number, "year": year}


def _series_of(ref: str) -> str | None:
    m = _SERIES_SEP.match(ref)
    if m:
        return m.group("series").upper()
    inner = _INNER_SERIES.search(ref)  # 2016/KS 0065 or 2016KSM1221
    return inner.group(1).upper() if inner else None


def _number_year(ref: str, min_year: int, max_year: int, pivot: int) -> tuple[str, int | None]:
    chunks = _CHUNKS.findall(ref)
    for i, chunk in enumerate(chunks):
        if len(chunk) == 4 and min_year <= int(chunk) <= max_year:
            if i > 0:
                return chunks[i - 1], int(chunk)
            return (chunks[1] if len(chunks) > 1 else chunk), int(chunk)
    year: int | None = None
    number = chunks[0] if chunks else ""
    if len(chunks) >= 2:
        a, b = chunks[0], chunks[1]
        if len(a) == 2 and (len(b) != 2 or int(a) <= 30):
            year, number = int(a), b
        elif len(b) == 2:
            year, number = int(b), a
        if year is not None:
            year += 2000 if year < pivot else 1900
    return number, year


class DnrRecognizer(RuleComponent):
    """Finds case registration numbers; each occurrence is one mention."""

    data_dir = "dnr"
    label_field = "series"

    def _compile(self) -> None:
        labels = self.data.get("labels", {}).get("labels", [])
        excl = self.data.get("exclusions", {})
        settings = self.data.get("settings", {})
        self._min_year = int(settings.get("min_year", 1950))
        self._max_year = int(settings.get("max_year", 2049))
        self._pivot = int(settings.get("two_digit_pivot", 50))
        self._window = int(settings.get("list_window", 300))
        self._bad_series = {s.upper() for s in excl.get("series", [])}
        self._bad_suffixes = tuple(s.upper() for s in excl.get("series_suffixes", []))
        self._bad_before = {fold(w) for w in excl.get("preceding_words", [])}
        # Look back no further than the longest of those words and three separators (a longer
        # stretch would only clip a longer word, which is not one of them either).
        self._before_reach = min(30, max(map(len, self._bad_before), default=0) + 4)
        self._consonant_words = {w.lower() for w in excl.get("consonant_words", [])}
        alternatives = sorted({_label_pattern(label) for label in labels}, key=lambda p: (-len(p), p))
        if alternatives:
            # The pattern starts with the set of the labels' first characters, so the regex engine
            # skips to the next of those instead of trying every label at every position; each
            # label then checks (looking back) that its own first character matched.
            firsts = [p[: ocr_head_length(p)] for p in alternatives]
            chars = sorted({c for f in firsts for c in (f[1:-1] if f.startswith("[") else re.sub(r"\\(.)", r"\1", f))})
            labels_alt = "|".join(f"(?<={f}){p[len(f) :]}" for f, p in zip(firsts, alternatives, strict=True))
            self._label = re.compile(
                rf"[{''.join(re.escape(c) for c in chars)}](?<![a-z0-9].)(?:{labels_alt})"
                rf"(?:[ .]*nr)?(?![a-z0-9])[\s.:;,]{{0,8}}"
            )
        else:
            self._label = re.compile(r"(?!x)x")
        # Every label holds a plain stretch of letters (`nr`, `beteckn`): the label pattern only
        # needs to look around where one of those occurs (``_label_windows``). Of the labels'
        # longest stretches, the fewest that every label holds one of, as the labels share them
        # (`ärende nr` holds `nr`, so the frequent `rende` of `ärendet` is not looked for).
        runs = [re.findall(r"[a-z0-9]+", _CLASSES.sub(" ", p)) for p in alternatives]
        # (A label without such a stretch leaves the whole text to scan.)
        self._label_anywhere = any(not r for r in runs)
        longest = {max(r[::-1], key=len) for r in runs if r}
        uncovered = [r for r in runs if r]
        words: list[str] = []
        while uncovered:
            word = max(
                sorted(longest),
                key=lambda w: (sum(any(w in run for run in r) for r in uncovered), len(w)),
            )
            words.append(word)
            uncovered = [r for r in uncovered if not any(word in run for run in r)]
        self._label_words = sorted(words)
        # How many letters and digits a label can hold before and from each word it holds (one
        # more after, for the look-ahead), so the windows around a word stay short.
        self._label_reach = _label_reaches(alternatives, self._label_words)
        self._label_anywhere = self._label_anywhere or any(r is None for r in self._label_reach.values())
        self._reach_patterns = {
            k: re.compile(rf"(?:[\s.:;,]*[^\s.:;,]){{0,{k}}}")
            for reaches in self._label_reach.values()
            if reaches
            for k in reaches
        }

    # -- finding ---------------------------------------------------------------------------
    def find(self, text: str) -> list[dict[str, Any]]:
        if not text or not _DIGIT.search(text):
            return []
        raw = text.encode("latin-1", "replace")  # one byte a character, `?` outside Latin-1
        folded = fold(text)  # shared with the other components (cached by identity)
        cands: list[_Candidate] = []
        label_ends: list[int] = []
        for lm in _scan(self._label, folded, self._label_windows(folded, raw)):
            label_ends.append(lm.end())
            cands.extend(self._labelled(text, lm.end()))
        labelled = list(cands)
        starts = [c.start for c in labelled]

        def seen(m: re.Match[str]) -> bool:  # already found after its label
            i = bisect_right(starts, m.start())
            return bool(i) and labelled[i - 1].end >= m.end()

        triggers = _triggers(_classes(raw))
        for pattern, windows in (
            (_SERIES_FIRST, _windows(text, triggers.series_first)),
            (_SERIES_SHORT_YEAR, _windows(text, triggers.series_short_year)),
            (_SERIES_NUMBER_YEAR, _windows(text, triggers.series_number_year)),
            (_YEAR_FIRST, _windows(text, triggers.year_first)),
        ):
            for m in _scan(pattern, text, windows):
                series = m.group("series")
                if not seen(m) and self._series_ok(series) and self._shape_ok(m.group("main"), m.group("sep")):
                    cands.append(_Candidate(m.start(), self._end(m), series, 1))
        for m in _anchored(_BARE, text, triggers.bare, (3,)):
            if not seen(m) and self._bare_ok(m.group("main")) and not self._excluded_before(folded, m.start()):
                # `Ks 2019/123`: a title-case series without a vowel belongs to the number.
                t = _TITLE_SERIES.search(text, max(0, m.start() - 6), m.start())
                if t and t.group(1).lower() not in self._consonant_words:
                    cands.append(_Candidate(t.start(), m.end(), t.group(1), 2))
                else:
                    cands.append(_Candidate(m.start(), m.end(), None, 2))
        accepted = self._resolve(cands)
        accepted = self._resolve(accepted + self._listed(text, folded, triggers.short, label_ends, accepted))
        return [self._mention(text, c) for c in accepted]

    def _label_windows(self, folded: str, raw: bytes) -> list[tuple[int, int]]:
        """Disjoint ``(pos, endpos)`` stretches of ``folded`` that hold every label match, each
        matched as in the whole text: from ``_label_reach`` letters and digits (separators and
        blanks in between) before a label word to at least as many after it, ending just after
        one, so no run of separators that a label reads to its end is cut short. (Counting the
        letters and digits of a stretch twice that long in a byte string is cheaper than reading
        them one by one; only a stretch with long runs of separators needs that.)"""
        if self._label_anywhere:
            return [(0, len(folded))]
        hits: list[tuple[int, int, int]] = []
        for word, (back, ahead) in self._label_reach.items():
            i = folded.find(word)
            while i >= 0:
                hits.append((i, back, ahead))
                i = folded.find(word, i + 1)
        if not hits:
            return []
        hits.sort()
        n = len(folded)
        solid = raw.translate(_SOLID_TABLE)  # `x` a letter or digit (outside Latin-1 unknown)
        backwards = ""
        out: list[tuple[int, int]] = []
        for t, back, ahead in hits:
            end = t + ahead + ahead // 2 + 4
            if end >= n:
                end = n
            elif solid[end - 1] != 120 or solid.count(b"x", t, end) < ahead:  # 120: `x`
                end = self._reach_patterns[ahead].match(folded, t).end()
            if out and t < out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
                continue
            start = t - back - back // 2 - 4
            if start <= 0:
                start = 0
            elif solid.count(b"x", start, t) < back:
                backwards = backwards or folded[::-1]
                start = n - self._reach_patterns[back].match(backwards, n - t).end()
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], end)
            else:
                out.append((start, end))
        return out

    def _labelled(self, text: str, pos: int) -> list[_Candidate]:
        """The reference(s) right after a label: ``Dnr Son 2015/203, Kst 2015/85``."""
        out: list[_Candidate] = []
        while True:
            m = _LABELLED.match(text, pos)
            if m is None:
                return out
            series = m.group("series_c") or m.group("series_d") or m.group("series_g")
            main = m.group("main")
            if (series and not self._series_ok(series)) or not self._labelled_ok(main, series):
                return out
            out.append(_Candidate(m.start(), self._end(m), series, 0))
            sep = _LIST_SEP.match(text, m.end())
            if sep is None or sep.end() == m.end():
                return out
            pos = sep.end()

    def _listed(
        self,
        text: str,
        folded: str,
        short_triggers: list[int],
        label_ends: list[int],
        accepted: list[_Candidate],
    ) -> list[_Candidate]:
        """Short numbers (``12/30``) in a list of cases: each within reach of a label or of the
        case number before it."""
        anchors = sorted([*label_ends, *(c.end for c in accepted)])
        out: list[_Candidate] = []
        last = -1
        for m in _anchored(_SHORT, text, short_triggers, (1, 2)):
            i = bisect_right(anchors, m.start())
            if i:
                last = max(last, anchors[i - 1])
            if last < 0 or m.start() - last > self._window:
                continue
            if self._is_day_month(m.group("main")) or self._excluded_before(folded, m.start()):
                continue
            out.append(_Candidate(m.start(), m.end(), None, 3))
            last = m.end()
        return out

    @staticmethod
    def _end(m: re.Match[str]) -> int:
        # `SOCN/2020:5 16`: after a colon form a separate number is a page, not a filing code.
        if "filing" in m.re.groupindex and m.group("filing") and ":" not in m.group("main"):
            return m.end("filing")
        return m.end("main")

    @staticmethod
    def _resolve(cands: list[_Candidate]) -> list[_Candidate]:
        """Non-overlapping candidates in text order; of two that overlap, the one with the
        better priority wins, then the longer one. One sweep, so adversarial text stays linear."""
        chosen: list[_Candidate] = []
        for c in sorted(cands, key=lambda c: (c.start, c.priority, c.start - c.end)):
            if chosen and chosen[-1].end > c.start:
                last = chosen[-1]
                if (c.priority, c.start - c.end) < (last.priority, last.start - last.end):
                    chosen[-1] = c
                continue
            chosen.append(c)
        return chosen

    # -- checks ----------------------------------------------------------------------------
    def _series_ok(self, series: str | None) -> bool:
        if not series:
            return True
        up = series.upper()
        # SOSFS, HSLF-FS: a statute book; a bare `FS` is an ordinary committee series.
        return up not in self._bad_series and not (len(up) > 2 and up.endswith(self._bad_suffixes))

    def _shape_ok(self, main: str, sep: str | None) -> bool:
        """Not a date (``2018-11-13``) and not a year range (``2016-2018``, ``2019/20``)."""
        if _ISO_DATE.match(main) and self._valid_date(main):
            return False
        chunks = _CHUNKS.findall(main)
        if len(chunks) >= 2 and len(chunks[0]) == 4 and sep and sep.strip() in {"-", "/"}:
            year, nxt = int(chunks[0]), chunks[1]
            if len(nxt) == 4 and year - 1 <= int(nxt) <= year + 10:
                return False
        return True

    def _bare_ok(self, main: str) -> bool:
        year_s, num = main.split("/")
        year = int(year_s)
        if not self._min_year <= year <= self._max_year:
            return False
        if len(num) == 4 and 1900 <= int(num) <= 2099:  # 2018/2019, 2015/1934
            return False
        return not (len(num) == 2 and int(num) == (year + 1) % 100)  # 2014/15: a season

    def _labelled_ok(self, main: str, series: str | None) -> bool:
        if not self._shape_ok(main, "-"):
            return False
        body = main[len(series) :] if series and main.startswith(series) else main
        chunks = _CHUNKS.findall(body)
        # Only colons (`2:2`, `Örja 2:2`): a property designation unless it starts with a year.
        if ":" in body and not re.search(r"[/.-][0-9]", body):
            return len(chunks[0]) == 4 and self._min_year <= int(chunks[0]) <= self._max_year
        return True

    def _excluded_before(self, folded: str, start: int) -> bool:
        m = _WORD_BEFORE.search(folded, max(0, start - self._before_reach), start)
        return bool(m) and m.group(1) in self._bad_before

    @staticmethod
    def _is_day_month(main: str) -> bool:
        a, b = (int(x) for x in main.split("/"))
        return 1 <= a <= 31 and 1 <= b <= 12

    @staticmethod
    def _valid_date(iso: str) -> bool:
        m = _ISO_DATE.match(iso)
        if not m:
            return False
        try:
            date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return False
        return True

    # -- output ----------------------------------------------------------------------------
    def _mention(self, text: str, c: _Candidate) -> dict[str, Any]:
        ref = text[c.start : c.end]
        number, year = _number_year(ref, self._min_year, self._max_year, self._pivot)
        return {
            "text": ref,
            "start": c.start,
            "end": c.end,
            "normalized": normalize_dnr(ref),
            "series": c.series.upper() if c.series else _series_of(ref),
            "number": number,
            "year": year,
        }
