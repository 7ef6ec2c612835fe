"""Exact pre-filters for spaCy's prefix, suffix and infix regexes.

spaCy's tokenizer calls its suffix and infix regexes on every chunk it has not cached, and
caches nothing after a document's first special case (spaCy issue #1250), so on municipal text
these searches take most of its time. Each is one large alternation that ``re`` tries branch
by branch at every position of the chunk.

Most chunks cannot match at all: a suffix match must end in one of the characters the
branches can end with, an infix match must contain one of the characters they can start with.
These sets are read off the parsed patterns, conservatively: a construct this module does not
analyse disables the filter for that pattern, so a filtered search returns exactly what the
plain one returns, only without running the regex where it cannot match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

try:  # Python >= 3.11
    from re import _compiler as sre_compile
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_compile  # type: ignore[no-redef]
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

_ZERO_WIDTH = {sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT}
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
if hasattr(sre_constants, "POSSESSIVE_REPEAT"):
    _REPEATS.add(sre_constants.POSSESSIVE_REPEAT)


class Unanalysable(Exception):
    """A construct whose possible characters are not worked out here: no filter."""


def _class_chars(items: list[tuple[Any, Any]]) -> set[int]:
    chars: set[int] = set()
    for op, av in items:
        if op is sre_constants.LITERAL:
            chars.add(av)
        elif op is sre_constants.RANGE:
            chars.update(range(av[0], av[1] + 1))
        else:  # NEGATE, CATEGORY (\d, \w, ...): not enumerated
            raise Unanalysable(str(op))
    return chars


def _edge_chars(seq: list[tuple[Any, Any]], last: bool) -> tuple[set[int], bool]:
    """The characters a match of ``seq`` can start (or, with ``last``, end) with, and whether
    it can match the empty string."""
    chars: set[int] = set()
    for op, av in reversed(seq) if last else seq:
        if op in _ZERO_WIDTH:
            continue
        if op is sre_constants.LITERAL:
            found, nullable = {av}, False
        elif op is sre_constants.IN:
            found, nullable = _class_chars(av), False
        elif op is sre_constants.SUBPATTERN:
            add_flags, sub = av[1], av[-1]
            if add_flags & sre_constants.SRE_FLAG_IGNORECASE:
                raise Unanalysable("(?i)")
            found, nullable = _edge_chars(sub.data, last)
        elif op is sre_constants.BRANCH:
            found, nullable = set(), False
            for branch in av[1]:
                f, n = _edge_chars(branch.data, last)
                found |= f
                nullable = nullable or n
        elif op in _REPEATS:
            minimum, _, item = av
            found, nullable = _edge_chars(item.data, last)
            nullable = nullable or minimum == 0
        else:  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, ...
            raise Unanalysable(str(op))
        chars |= found
        if not nullable:
            return chars, False
    return chars, True


def _parse(pattern: str) -> Any:
    """The parsed pattern; Unanalysable where it does not parse or sets case folding or
    multi-line anchors, which the character sets below do not account for."""
    try:
        parsed = sre_parse.parse(pattern)
    except re.error as err:
        raise Unanalysable(str(err)) from err
    if parsed.state.flags & (sre_constants.SRE_FLAG_IGNORECASE | sre_constants.SRE_FLAG_MULTILINE):
        raise Unanalysable("flags")
    return parsed


def _top_branches(parsed: Any) -> list[Any]:
    """The top-level alternatives of a parsed pattern (itself, if it has none)."""
    data = parsed.data
    if len(data) == 1 and data[0][0] is sre_constants.BRANCH:
        return list(data[0][1][1])
    return [parsed]


def _anchored(parsed: Any, *, last: bool) -> bool:
    """Whether every top-level branch ends with ``$`` (``last``) or starts with ``^``: the shape
    spaCy's ``compile_suffix_regex`` and ``compile_prefix_regex`` give."""
    at = (sre_constants.AT, sre_constants.AT_END if last else sre_constants.AT_BEGINNING)
    return all(b.data and b.data[-1 if last else 0] == at for b in _top_branches(parsed))


def _edge_chars_of(parsed: Any, last: bool) -> set[int]:
    chars, nullable = _edge_chars(parsed.data, last)
    if nullable:
        raise Unanalysable("matches the empty string")
    return chars


def edge_chars(pattern: str, *, last: bool) -> set[int] | None:
    """First (or last) characters any match of ``pattern`` can have; None if not worked out,
    or if the pattern can match the empty string."""
    try:
        return _edge_chars_of(_parse(pattern), last)
    except (Unanalysable, RecursionError):
        return None


def _char_class(chars: set[int]) -> re.Pattern[str]:
    """A compiled ``[...]`` matching exactly ``chars``."""
    ranges: list[tuple[int, int]] = []
    for cp in sorted(chars):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    body = "".join(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)
    return re.compile(f"[{body}]")


class SuffixSearch:
    """``pattern.search`` for a suffix regex (every branch ends in ``$``). A chunk ending in a
    character no branch can end with is skipped; any other goes to a regex of just the branches
    that can end with that character. Every match ends at the end of the chunk, so the leftmost
    match of those branches is the leftmost match of all: the span is the same. ``pattern`` stays
    the original pattern string, which is what spaCy serialises."""

    def __init__(self, regex: re.Pattern[str], by_last: dict[str, re.Pattern[str]]) -> None:
        self.regex = regex
        self.pattern = regex.pattern
        self.by_last = by_last

    def search(self, string: str) -> re.Match[str] | None:
        if not string:
            return None
        last = string[-1]
        if last == "\n":  # ``$`` also matches before a final newline
            return self.regex.search(string)
        branches = self.by_last.get(last)
        return branches.search(string) if branches is not None else None

    def __reduce__(self) -> tuple[Any, ...]:
        return (_suffix_filter, (self.regex,))


def _split_by_last_char(parsed: Any) -> dict[str, re.Pattern[str]]:
    """For each character a match can end with, a regex of the top-level branches that can."""
    branches = _top_branches(parsed)
    by_char: dict[int, list[int]] = {}
    for i, branch in enumerate(branches):
        for cp in _edge_chars_of(branch, True):
            by_char.setdefault(cp, []).append(i)
    compiled: dict[tuple[int, ...], re.Pattern[str]] = {}
    for indices in map(tuple, by_char.values()):
        if indices not in compiled:
            chosen = [branches[i] for i in indices]
            sub = (
                chosen[0]
                if len(chosen) == 1
                else sre_parse.SubPattern(parsed.state, [(sre_constants.BRANCH, (None, chosen))])
            )
            compiled[indices] = sre_compile.compile(sub, parsed.state.flags)
    return {chr(cp): compiled[tuple(indices)] for cp, indices in by_char.items()}


class PrefixSearch:
    """``pattern.search`` for a prefix regex (every branch starts with ``^``), skipping chunks
    whose first character no branch can start with."""

    def __init__(self, regex: re.Pattern[str], first_chars: set[int]) -> None:
        self.regex = regex
        self.pattern = regex.pattern
        self.first = frozenset(map(chr, first_chars))

    def search(self, string: str) -> re.Match[str] | None:
        if string and string[0] in self.first:
            return self.regex.search(string)
        return None

    def __reduce__(self) -> tuple[Any, ...]:
        return (_prefix_filter, (self.regex,))


class InfixFinditer:
    """``pattern.finditer`` for an infix regex, skipping chunks that contain none of the
    characters a match can start with."""

    def __init__(self, regex: re.Pattern[str], first_chars: set[int]) -> None:
        self.regex = regex
        self.pattern = regex.pattern
        self._any = _char_class(first_chars)
        # Most chunks are plain words: where no letter or digit can start a match, str.isalnum
        # settles them without a regex.
        self._alnum_never = not any(chr(cp).isalnum() for cp in first_chars)

    def finditer(self, string: str) -> Iterator[re.Match[str]]:
        if (self._alnum_never and string.isalnum()) or self._any.search(string) is None:
            return iter(())
        return self.regex.finditer(string)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_infix_filter, (self.regex,))


def _regex_of(func: Callable[..., Any] | None) -> re.Pattern[str] | None:
    owner = getattr(func, "__self__", None)
    return owner if isinstance(owner, re.Pattern) else None


# A pipeline reloaded (archives renew theirs to bound the vocabulary) gets the same patterns:
# the filters are built once per pattern, which keeps reloading cheap and shares their memory.
# Each is None where the pattern is not analysed (its plain search is kept).
@lru_cache(maxsize=16)
def _suffix_filter(regex: re.Pattern[str]) -> SuffixSearch | None:
    try:
        parsed = _parse(regex.pattern)
        return SuffixSearch(regex, _split_by_last_char(parsed)) if _anchored(parsed, last=True) else None
    except (Unanalysable, RecursionError, re.error):
        return None


@lru_cache(maxsize=16)
def _prefix_filter(regex: re.Pattern[str]) -> PrefixSearch | None:
    try:
        parsed = _parse(regex.pattern)
        return PrefixSearch(regex, _edge_chars_of(parsed, False)) if _anchored(parsed, last=False) else None
    except (Unanalysable, RecursionError, re.error):
        return None


@lru_cache(maxsize=16)
def _infix_filter(regex: re.Pattern[str]) -> InfixFinditer | None:
    try:
        return InfixFinditer(regex, _edge_chars_of(_parse(regex.pattern), False))
    except (Unanalysable, RecursionError, re.error):
        return None


def filtered_suffix_search(func: Callable[[str], Any] | None) -> Callable[[str], Any] | None:
    """A faster ``suffix_search`` with the same results, or ``func`` where no filter is known."""
    regex = _regex_of(func)
    found = _suffix_filter(regex) if regex is not None else None
    return func if found is None else found.search


def filtered_prefix_search(func: Callable[[str], Any] | None) -> Callable[[str], Any] | None:
    """A faster ``prefix_search`` with the same results, or ``func`` where no filter is known."""
    regex = _regex_of(func)
    found = _prefix_filter(regex) if regex is not None else None
    return func if found is None else found.search


def filtered_infix_finditer(func: Callable[[str], Any] | None) -> Callable[[str], Any] | None:
    """A faster ``infix_finditer`` with the same results, or ``func`` where no filter is known."""
    regex = _regex_of(func)
    found = _infix_filter(regex) if regex is not None else None
    return func if found is None else found.finditer
