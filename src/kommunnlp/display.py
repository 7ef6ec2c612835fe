"""One self-contained HTML page per document: every mention marked in the text with displaCy.

displaCy's ``span`` style draws overlapping spans (a party marker inside a decision clause), one
colour per record type. Each mention gets a short id (``DNR 1``, ``DATUM 2``) shown in its label
with its normalised value; the table under the text lists every mention by that id with all its
values, and the record follows as JSON.

Marks come from the record's exact character offsets, expanded to whole tokens for drawing
(``doc.spans`` carry the same expansion but no values). Rendering is per chunk of text cut where
no mention is open, because displaCy compares every token with every span of what it renders.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from spacy import displacy
from spacy.tokens import Doc

from .records import RECORD_TYPES, DocumentRecord, Mention

#: Type -> (label prefix, colour). Colours from displaCy's palette, distinct at a glance.
TYPE_STYLE: dict[str, tuple[str, str]] = {
    "dnr": ("DNR", "#7aecec"),
    "beslutssatser": ("SATS", "#feca74"),
    "parties": ("PARTI", "#aa9cfc"),
    "dates": ("DATUM", "#bfe1d9"),
    "programmes": ("PROGRAM", "#ff9561"),
}
#: Labels longer than this are cut with an ellipsis (the table has the full values).
LABEL_MAX = 48
#: Tokens per displaCy call, at least (chunks end at a line break outside every mention).
CHUNK_TOKENS = 2000

# Line breaks and page breaks survive displaCy as characters Python counts as white space (so
# they are never drawn as marked tokens) and become HTML afterwards.
_LINE_BREAK = "\u2028"
_PAGE_BREAK = "\f"
_NO_SPACE = "\u2029"  # PARAGRAPH SEPARATOR: marks a space displaCy added that the text lacks

# displaCy's span templates with class names added, so the page can be styled and checked.
_TEMPLATES = {
    "span": (
        '<span class="kn-tok" style="font-weight: bold; display: inline-block; position: relative; '
        'height: {total_height}px;">{text}{span_slices}{span_starts}</span>'
    ),
    "slice": (
        '<span class="kn-slice" data-slot="{top_offset}" style="background: {bg}; top: {top_offset}px; '
        'height: 4px; left: -1px; width: calc(100% + 2px); position: absolute;"></span>'
    ),
    "start": (
        '<span class="kn-start" data-slot="{top_offset}" style="background: {bg}; top: {top_offset}px; '
        "height: 4px; border-top-left-radius: 3px; border-bottom-left-radius: 3px; left: -1px; "
        'width: calc(100% + 2px); position: absolute;"><span class="kn-label" style="background: {bg}; '
        "z-index: 10; color: #000; top: -0.5em; padding: 2px 3px; position: absolute; font-size: 0.7em; "
        'font-weight: bold; line-height: 1; border-radius: 3px; white-space: nowrap">{label}{kb_link}</span></span>'
    ),
}

_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 70em; padding: 0 1em; color: #222; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; } h2 { font-size: 1.15em; margin-top: 2em; }
.meta { color: #555; margin-top: 0; }
.legend span { display: inline-block; padding: 2px 8px; margin: 0 6px 6px 0; border-radius: 3px; font-size: 0.9em; }
.kn-text { border: 1px solid #ddd; border-radius: 4px; padding: 1em 1.2em; line-height: 1.8; }
.kn-text div.spans { display: inline; line-height: 1.8 !important; }
.kn-text .kn-tok { font-weight: 600 !important; }
hr.kn-page { border: 0; border-top: 2px dashed #bbb; margin: 1em 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 8px; text-align: left; vertical-align: top; }
td.id { white-space: nowrap; font-weight: bold; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: 0.85em; }
"""


@dataclass(frozen=True)
class Mark:
    """One mention as drawn: its id, type, label, the record mention and the token range."""

    ident: str
    type: str
    label: str
    mention: Mention
    start_token: int | None  # None where no token covers the offsets (an empty mention)
    end_token: int | None


def _value(type_: str, m: Any) -> str:
    """The normalised value a person checks first, per type."""
    if type_ == "dnr":
        return m.normalized
    if type_ == "dates":
        return m.value
    if type_ == "parties":
        return f"{m.party} · {m.person}" if m.person else m.party
    if type_ == "programmes":
        return f"{m.name} ({m.acronym})" if m.acronym else m.name
    if type_ == "beslutssatser":
        kind = m.kind.value if hasattr(m.kind, "value") else str(m.kind)
        return f"{kind} {m.number}" if m.number is not None else kind
    return m.text


def _details(type_: str, m: Any) -> dict[str, Any]:
    """Every normalised field of a mention, for the table (offsets and text apart)."""
    data = m.model_dump(mode="json", exclude={"text", "start", "end"})
    return {k: v for k, v in data.items() if v is not None and v != "" and v is not False}


def _shorten(s: str) -> str:
    return s if len(s) <= LABEL_MAX else s[: LABEL_MAX - 1].rstrip() + "…"


def collect_marks(doc: Doc, record: DocumentRecord) -> list[Mark]:
    """One mark per record mention, in type order, numbered within its type from 1."""
    marks = []
    for type_ in RECORD_TYPES:
        prefix, _colour = TYPE_STYLE[type_]
        for i, m in enumerate(getattr(record, type_), start=1):
            ident = f"{prefix} {i}"
            span = doc.char_span(m.start, m.end, alignment_mode="expand") if m.end > m.start else None
            # displaCy puts labels into its markup as they are: escape them here.
            label = html.escape(_shorten(f"{ident} · {_value(type_, m)}"))
            marks.append(Mark(ident, type_, label, m, span.start if span else None, span.end if span else None))
    return marks


def _breaks(text: str) -> str:
    """Line and page breaks as characters that survive displaCy's escaping (see render_text)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace(_NO_SPACE, "\n")
    return text.replace("\n", _LINE_BREAK)


def _pieces(doc: Doc, lo: int, hi: int, covered: list[bool]) -> tuple[list[str], dict[int, int]]:
    """displaCy "tokens" for doc[lo:hi] that reproduce its text, and doc token -> piece index.

    displaCy appends one space to every token it does not draw. So marked tokens stay single
    (their spacing as separate empty pieces, which render as one space), and each run of
    unmarked text becomes one piece that gives back its own trailing space.
    """
    pieces: list[str] = []
    index: dict[int, int] = {}
    run: list[str] = []

    def flush() -> None:
        if run:
            text = "".join(run)
            # A run that touches the next mark ("motion (" + "KS 2019/1") must not get
            # displaCy's space: a marker asks render_text to take it out again.
            pieces.append(_breaks(text[:-1]) if text.endswith(" ") else _breaks(text) + _NO_SPACE)
            run.clear()

    for token in doc[lo:hi]:
        if covered[token.i]:
            flush()
            index[token.i] = len(pieces)
            pieces.append(_breaks(token.text) if token.is_space else token.text)
            if token.whitespace_:
                pieces.append("")
        else:
            run.append(token.text_with_ws)
    flush()
    return pieces, index


def _covered(doc: Doc, marks: list[Mark]) -> tuple[list[bool], list[int]]:
    """Per token: inside any mark, and the end of the furthest mark open there."""
    covered = [False] * len(doc)
    open_until = [0] * len(doc)
    for mark in marks:
        if mark.start_token is not None and mark.end_token is not None:
            for i in range(mark.start_token, mark.end_token):
                covered[i] = True
                open_until[i] = max(open_until[i], mark.end_token)
    return covered, open_until


def _chunks(doc: Doc, open_until: list[int]) -> Iterator[tuple[int, int]]:
    """Token ranges of at least CHUNK_TOKENS that end after a line break outside every mark."""
    start = 0
    for i, token in enumerate(doc):
        if i + 1 - start >= CHUNK_TOKENS and token.is_space and "\n" in token.text and open_until[i] <= i:
            yield start, i + 1
            start = i + 1
    if start < len(doc):
        yield start, len(doc)


def render_text(doc: Doc, marks: list[Mark]) -> str:
    """The text with every mark drawn by displaCy (``style="span"``), line and page breaks kept."""
    colours = {m.label: TYPE_STYLE[m.type][1] for m in marks}
    options = {"colors": colours, "template": _TEMPLATES}
    covered, open_until = _covered(doc, marks)
    parts = []
    for lo, hi in _chunks(doc, open_until):
        pieces, index = _pieces(doc, lo, hi, covered)
        spans = [
            {"start_token": index[m.start_token], "end_token": index[m.end_token - 1] + 1, "label": m.label}
            for m in marks
            if m.start_token is not None and m.end_token is not None and lo <= m.start_token < hi
        ]
        parsed = {"text": doc[lo:hi].text, "tokens": pieces, "spans": spans, "title": None}
        parts.append(displacy.render(parsed, style="span", manual=True, options=options))
    markup = "".join(parts).replace(_NO_SPACE + " ", "")
    return markup.replace(_PAGE_BREAK, '<hr class="kn-page">').replace(_LINE_BREAK, "<br>")


def _table(marks: list[Mark]) -> str:
    rows = []
    for m in marks:
        colour = TYPE_STYLE[m.type][1]
        values = "; ".join(f"{k}: {v}" for k, v in _details(m.type, m.mention).items())
        rows.append(
            f'<tr><td class="id" style="background: {colour}">{html.escape(m.ident)}</td>'
            f"<td>{html.escape(m.mention.text)}</td><td>{html.escape(values)}</td>"
            f"<td>{m.mention.start}–{m.mention.end}</td></tr>"
        )
    head = "<tr><th>id</th><th>text</th><th>normalised</th><th>offsets</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>" if rows else "<p>Nothing found.</p>"


def render_page(doc: Doc, record: DocumentRecord | None = None, *, title: str = "kommunnlp", meta: str = "") -> str:
    """A complete HTML page for ``doc`` (its own ``doc._.record`` unless ``record`` is given)."""
    record = record if record is not None else doc._.record
    marks = collect_marks(doc, record)
    legend = "".join(
        f'<span style="background: {colour}">{prefix} = {type_} ({len(getattr(record, type_))})</span>'
        for type_, (prefix, colour) in TYPE_STYLE.items()
    )
    body_json = json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2)
    return (
        '<!DOCTYPE html>\n<html lang="sv">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        + (f'<p class="meta">{html.escape(meta)}</p>\n' if meta else "")
        + f'<div class="legend">{legend}</div>\n'
        f'<div class="kn-text">{render_text(doc, marks)}</div>\n'
        f"<h2>Mentions</h2>\n{_table(marks)}\n"
        f'<h2>Record</h2>\n<pre class="kn-record">{html.escape(body_json)}</pre>\n'
        "</body>\n</html>\n"
    )
