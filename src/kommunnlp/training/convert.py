"""From annotations to training data: locate gold items, weak labels, OCR copies, splits, DocBins.

Three sources of span annotations, kept apart by the ``source`` field of every example
(format: ``annotations/README.md``):

- ``gold``: the shared corpus annotates whole documents (sets of names), not spans. ``locate_gold``
  finds every occurrence of each gold programme (name and acronym) and each affiliated person in
  the text; items the corpus marks ``optional`` become ``optional`` spans, which training treats as
  unknown (neither entity nor outside), and items that cannot be found are listed in ``unlocated``;
- ``weak``: what the rule components find in unannotated text (``weak_label``);
- ``ours``: hand-written, checked examples in ``annotations/ours.jsonl``.

Converted corpus data are generated from ../shared at run time and never committed.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..text import fold

PROGRAMME = "PROGRAMME"
PERSON = "PERSON"
LABELS = (PROGRAMME, PERSON)
SOURCES = ("gold", "weak", "ours")

# An acronym as written: mostly upper case, may hold digits, a space and one lower-case letter (FuT).
_ACRONYM = re.compile(r"^[A-ZÅÄÖ0-9][A-Za-zÅÄÖåäö0-9]{0,2}[A-ZÅÄÖ0-9]*(?: [A-ZÅÄÖ][a-zåäö]*)?$")
# What OCR makes of å/ä/ö in the seed scans; same length, so offsets survive (see text.ocr_pattern).
_OCR_DAMAGE = {"å": "a&", "ä": "a&6", "ö": "o6", "Å": "A", "Ä": "A", "Ö": "O"}


# -- locating gold items ----------------------------------------------------------------------


def _item_regex(item: str, *, case_sensitive: bool) -> re.Pattern[str]:
    """A regex for ``item``: runs of white space flexible, whole words only.

    Matched against the folded text (same offsets) unless ``case_sensitive``; a trailing genitive
    ``s`` is allowed after the item (``Carlssons (C)``) but not part of the match.
    """
    body = r"\s+".join(re.escape(part if case_sensitive else fold(part)) for part in item.split())
    return re.compile(rf"(?<![^\W_]){body}(?=s?(?![^\W_]))")


def find_all(text: str, item: str, *, case_sensitive: bool = False) -> list[tuple[int, int]]:
    """Every (start, end) of ``item`` in ``text`` (folded unless ``case_sensitive``)."""
    if not item.strip():
        return []
    haystack = text if case_sensitive else fold(text)
    return [m.span() for m in _item_regex(item, case_sensitive=case_sensitive).finditer(haystack)]


def is_acronym(value: str) -> bool:
    """True for a written abbreviation such as ``MVP``, ``RVC Väst`` or ``FuT``."""
    return len(value) <= 12 and bool(_ACRONYM.match(value)) and sum(c.isupper() for c in value) >= 2


def _span(start: int, end: int, label: str, optional: bool) -> dict[str, Any]:
    span: dict[str, Any] = {"start": start, "end": end, "label": label}
    if optional:
        span["optional"] = True
    return span


def locate_gold(doc: dict[str, Any]) -> dict[str, Any]:
    """A corpus document (gold sets) as a span-annotated example with ``source: "gold"``."""
    text: str = doc["text"]
    gold = doc.get("gold", {})
    spans: list[dict[str, Any]] = []
    unlocated: list[str] = []
    for prog in gold.get("programmes", []):
        optional = bool(prog.get("optional"))
        found = False
        for value in (prog.get("name"), prog.get("acronym")):
            if not value:
                continue
            # Acronyms match as written, so "START" does not label every "start".
            hits = find_all(text, value, case_sensitive=is_acronym(value))
            spans.extend(_span(s, e, PROGRAMME, optional) for s, e in hits)
            found = found or bool(hits)
        if not found:
            unlocated.append(f"{PROGRAMME}:{prog.get('name') or prog.get('acronym')}")
    for aff in gold.get("affiliations", []):
        person = aff.get("person") or ""
        hits = find_all(text, person)
        spans.extend(_span(s, e, PERSON, bool(aff.get("optional"))) for s, e in hits)
        if not hits:
            unlocated.append(f"{PERSON}:{person}")
    return {
        "id": doc.get("id"),
        "text": text,
        "spans": resolve_overlaps(spans),
        "source": "gold",
        "municipality": doc.get("municipality"),
        "doc_type": doc.get("doc_type"),
        "ocr": bool(doc.get("ocr")),
        "unlocated": unlocated,
    }


def resolve_overlaps(spans: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Non-overlapping spans, sorted: firm before optional, then longer before shorter."""
    ranked = sorted(spans, key=lambda s: (bool(s.get("optional")), s["start"] - s["end"], s["start"]))
    kept: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    for span in ranked:
        if any(span["start"] < e and s < span["end"] for s, e in taken):
            continue
        kept.append(span)
        taken.append((span["start"], span["end"]))
    return sorted(kept, key=lambda s: s["start"])


# -- weak labels -------------------------------------------------------------------------------


def weak_label(texts: Iterable[tuple[str, str | None]], nlp: Any = None) -> Iterator[dict[str, Any]]:
    """Examples with ``source: "weak"`` from what the rule components find in ``(text, id)`` pairs.

    Programmes are the programme mentions; a person is the ``person`` of a party mention, found
    in the stretch of text just before its marker.
    """
    from ..pipeline import build_rules_pipeline

    nlp = nlp or build_rules_pipeline()
    for doc, doc_id in nlp.pipe(texts, as_tuples=True):
        record = doc._.record
        spans = [_span(m.start, m.end, PROGRAMME, False) for m in record.programmes]
        for m in record.parties:
            if not m.person:
                continue
            window_start = max(0, m.start - 120)
            hits = find_all(doc.text[window_start : m.start], m.person)
            if hits:
                s, e = hits[-1]
                spans.append(_span(window_start + s, window_start + e, PERSON, False))
        yield {"id": doc_id, "text": doc.text, "spans": resolve_overlaps(spans), "source": "weak"}


# -- hand-written examples ---------------------------------------------------------------------

_MARKUP = re.compile(r"\[([^\[\]|]+)\|([A-Z]+)(\?)?\]")


def from_markup(markup: str, **fields: Any) -> dict[str, Any]:
    """An example from inline markup: ``[Trefas|PROGRAMME] och [Anna Ek|PERSON] (S)``.

    A ``?`` after the label marks an optional span (``[Barnahus|PROGRAMME?]``).
    """
    text_parts: list[str] = []
    spans: list[dict[str, Any]] = []
    pos = 0
    length = 0
    for m in _MARKUP.finditer(markup):
        before = markup[pos : m.start()]
        text_parts.append(before)
        length += len(before)
        spans.append(_span(length, length + len(m.group(1)), m.group(2), bool(m.group(3))))
        text_parts.append(m.group(1))
        length += len(m.group(1))
        pos = m.end()
    text_parts.append(markup[pos:])
    example = {"text": "".join(text_parts), "spans": spans, "source": "ours", **fields}
    problems = validate(example)
    if problems:
        raise ValueError(f"bad markup {markup!r}: {problems}")
    return example


def validate(example: dict[str, Any]) -> list[str]:
    """What is wrong with an example (empty if nothing): offsets, labels, overlaps, source."""
    problems: list[str] = []
    text = example.get("text")
    if not isinstance(text, str):
        return ["text is not a string"]
    if example.get("source") not in SOURCES:
        problems.append(f"source {example.get('source')!r} not one of {SOURCES}")
    last_end = -1
    for span in sorted(example.get("spans", []), key=lambda s: s.get("start", -1)):
        start, end, label = span.get("start"), span.get("end"), span.get("label")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            problems.append(f"bad offsets {start}-{end}")
            continue
        if label not in LABELS:
            problems.append(f"unknown label {label!r} at {start}")
        if text[start:end] != text[start:end].strip():
            problems.append(f"span {text[start:end]!r} has white space at an edge")
        if start < last_end:
            problems.append(f"span {text[start:end]!r} overlaps the one before")
        last_end = max(last_end, end)
    return problems


# -- splits and OCR copies ---------------------------------------------------------------------


def load_splits(path: Path) -> dict[str, list[str]]:
    """The fixed municipality lists ``heldout`` and ``dev`` (``annotations/splits.json``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"heldout": list(data["heldout"]), "dev": list(data["dev"])}


def split_of(municipality: str | None, splits: dict[str, list[str]]) -> str:
    """``heldout``, ``dev`` or ``train`` for a document of ``municipality``."""
    if municipality in splits["heldout"]:
        return "heldout"
    if municipality in splits["dev"]:
        return "dev"
    return "train"


def ocr_copy(example: dict[str, Any], *, rate: float = 0.7) -> dict[str, Any]:
    """The example with å/ä/ö damaged as OCR damages them; same length, so spans are unchanged."""
    seed = int(hashlib.sha1(example["text"].encode("utf-8")).hexdigest()[:8], 16)
    rng = random.Random(seed)
    chars = [rng.choice(_OCR_DAMAGE[c]) if c in _OCR_DAMAGE and rng.random() < rate else c for c in example["text"]]
    copy = {**example, "text": "".join(chars), "augmented": "ocr"}
    if example.get("id"):
        copy["id"] = f"{example['id']}#ocr"
    return copy


# -- files -------------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def to_docbin(examples: Iterable[dict[str, Any]], lang: str = "sv") -> tuple[Any, int]:
    """A ``DocBin`` of the examples as entity annotation (optional spans as missing).

    Returns the DocBin and the number of spans that could not be aligned to tokens.
    """
    import spacy
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    nlp = spacy.blank(lang)
    db = DocBin()
    misaligned = 0
    for ex in examples:
        doc = nlp.make_doc(ex["text"])
        ents, missing = [], []
        for span in ex["spans"]:
            s = doc.char_span(span["start"], span["end"], label=span["label"], alignment_mode="contract")
            if s is None or not s.text.strip():
                misaligned += 1
                continue
            (missing if span.get("optional") else ents).append(s)
        ents = filter_spans(ents)
        missing = [m for m in filter_spans(missing) if not any(m.start < e.end and e.start < m.end for e in ents)]
        doc.set_ents(ents, missing=missing, default="outside")
        db.add(doc)
    return db, misaligned


def convert_corpus(
    corpus_files: list[Path],
    splits: dict[str, list[str]],
    out_dir: Path,
    *,
    ours: Path | None = None,
    weak: list[Path] | None = None,
    ocr_copies: bool = True,
) -> dict[str, Any]:
    """Write ``gold.jsonl``, ``weak.jsonl`` and ``train.spacy``/``dev.spacy``/``heldout.spacy``.

    Training gets the gold examples of the train municipalities (and their OCR copies), our own
    examples and the weak ones; dev and held-out get gold only. Returns a summary for meta.json.
    """
    gold = [locate_gold(doc) for path in corpus_files for doc in read_jsonl(path)]
    for ex in gold:
        ex["split"] = split_of(ex["municipality"], splits)
    own = read_jsonl(ours) if ours and ours.is_file() else []
    for ex in own:
        problems = validate(ex)
        if problems:
            raise ValueError(f"{ours}: example {ex.get('id')}: {problems}")
    weak_examples: list[dict[str, Any]] = []
    if weak:
        texts = [(p.read_text(encoding="utf-8"), p.name) for p in weak]
        weak_examples = list(weak_label(texts))
    parts: dict[str, list[dict[str, Any]]] = {"train": [], "dev": [], "heldout": []}
    for ex in gold:
        parts[ex["split"]].append(ex)
    train = parts["train"] + own + weak_examples
    if ocr_copies:
        train = train + [ocr_copy(ex) for ex in train if not ex.get("ocr")]
    out_dir.mkdir(parents=True, exist_ok=True)
    write_jsonl(out_dir / "gold.jsonl", gold)
    write_jsonl(out_dir / "weak.jsonl", weak_examples)
    misaligned = 0
    for name, rows in (("train", train), ("dev", parts["dev"]), ("heldout", parts["heldout"])):
        db, bad = to_docbin(rows)
        db.to_disk(out_dir / f"{name}.spacy")
        misaligned += bad
    count = {
        name: {
            "examples": len(rows),
            "spans": {label: sum(s["label"] == label for r in rows for s in r["spans"]) for label in LABELS},
        }
        for name, rows in (("train", train), ("dev", parts["dev"]), ("heldout", parts["heldout"]))
    }
    summary = {
        "corpus": [p.name for p in corpus_files],
        "splits": splits,
        "sources": {"gold": len(gold), "ours": len(own), "weak": len(weak_examples)},
        "ocr_copies": ocr_copies,
        "counts": count,
        "unlocated": sorted({u for ex in gold for u in ex["unlocated"]}),
        "misaligned_spans": misaligned,
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    return summary
