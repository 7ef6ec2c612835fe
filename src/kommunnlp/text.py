"""A folded view of the text for matching, with offsets identical to the original.

``fold`` maps every character to exactly one character (lower case, diacritics removed), so a
match at ``[i:j]`` in the folded text is the span ``[i:j]`` of the original. The original text is
never changed. ``ocr_pattern`` turns a word into a regex that also accepts the OCR damage the
seed scans show (å/ä/ö read as a, o, é, d, i, &, 6; I as | or 1).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0x80, 0x2500):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        low = base.lower()
        if len(low) == 1 and low != ch:
            table[cp] = low
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp).lower()
    # Typographic variants that carry no meaning for matching.
    for ch in "\u2013\u2014\u2012\u2212\u00ad":
        table[ord(ch)] = "-"
    for ch in "\u00a0\u2007\u202f\u2009":
        table[ord(ch)] = " "
    for ch in "\u2018\u2019\u201b\u00b4":
        table[ord(ch)] = "'"
    for ch in "\u201c\u201d\u201e\u00ab\u00bb":
        table[ord(ch)] = '"'
    return table


_FOLD = _build_fold_table()
# Latin-1 folds within Latin-1 (else bytes() below refuses), so one byte translation folds nearly all of a
# Swedish text; only runs outside it (dashes, curly quotes, bullets) go through the table.
_LATIN1 = bytes(ord(_FOLD.get(b, chr(b))) for b in range(256))
_NON_LATIN1 = re.compile(r"[^\x00-\xff]+")


def _translate(text: str) -> str:
    """``text.translate(_FOLD)``, several times faster."""
    out = text.encode("latin-1", "replace").translate(_LATIN1).decode("latin-1")
    if "?" not in out:  # nothing was outside Latin-1
        return out
    parts: list[str] = []
    done = 0
    for run in _NON_LATIN1.finditer(text):
        start, end = run.span()
        parts.append(out[done:start])
        parts.append(run.group().translate(_FOLD))
        done = end
    parts.append(out[done:])
    return "".join(parts)


# The components of one pipeline fold the same document text one after another; keeping the
# last result (checked by identity, so O(1)) makes that one translate per document, not five.
_LAST_FOLD: tuple[str, str] = ("", "")
_CACHE_MIN = 512


def fold(text: str) -> str:
    """Lower case without diacritics, one output character per input character."""
    global _LAST_FOLD
    if len(text) < _CACHE_MIN:
        return _translate(text)
    last = _LAST_FOLD
    if last[0] is text:
        return last[1]
    folded = _translate(text)
    _LAST_FOLD = (text, folded)
    return folded


# What OCR makes of a letter, as regex classes over *folded* text.
_OCR_CLASSES = {
    "a": "[a&@6dieo]",  # å/ä read as a, &, 6, d, i, é (folded to e), o
    "o": "[o6d0eé]",  # ö read as o, 6, d, é
    "e": "[e]",
    "i": "[i1l|]",
    "l": "[l1i|]",
}
_OCR_SOURCE = {"å": "a", "ä": "a", "ö": "o", "é": "e"}


@lru_cache(maxsize=4096)
def ocr_pattern(word: str, *, strict_ascii: bool = True, il: bool = False) -> str:
    """A regex (for folded text) that matches ``word`` and its OCR-damaged spellings.

    Only the letters that carried a diacritic in ``word`` (å, ä, ö) are widened, so ordinary
    words stay exact; with ``strict_ascii=False`` every a/o is widened too, and with ``il=True``
    every i/l also matches its OCR readings 1, l, i and | (``D1arienummer``, ``apri|``).
    """
    parts: list[str] = []
    for ch in word.lower():
        if ch in _OCR_SOURCE:
            parts.append(_OCR_CLASSES[_OCR_SOURCE[ch]])
        elif il and ch in "il":
            parts.append("[1il|]")
        elif not strict_ascii and ch in "ao":
            parts.append(_OCR_CLASSES[ch])
        elif ch == " ":
            parts.append(r"\s+")
        else:
            parts.append(re.escape(fold(ch)))
    return "".join(parts)


def ocr_head_length(pattern: str) -> int:
    """Length of the first character of a pattern ``ocr_pattern`` wrote: an OCR class, an escaped
    character or a plain one (for splitting off the head, e.g. to build a cheap trigger)."""
    if pattern.startswith("["):
        return pattern.index("]", 2) + 1
    return 2 if pattern.startswith("\\") else 1


_WS = re.compile(r"\s+")


def collapse_ws(text: str) -> str:
    """Runs of white space to one space, trimmed."""
    return _WS.sub(" ", text).strip()
