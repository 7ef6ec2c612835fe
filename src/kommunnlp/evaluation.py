"""Scoring records against gold documents, under the matching rules of ANNOTATION_GUIDELINES.md.

The semantics are those of the project's reference scorer (``shared/tools/score.py``), rebuilt
here as typed steps so that the ``evaluate`` command, the test suite and users' own scripts
share one implementation:

1. *keys*: each gold item and each predicted mention becomes a comparable key (folded text,
   dnr letters and digits, clause text without number/bullet/lead-in, ...);
2. *sets*: gold lists and the record become document-level lists of keys (dnr and dates
   de-duplicated; parties and affiliations as sorted sets; clauses in order);
3. *matching*: one-to-one greedy matching, each prediction in turn taking the best-scoring
   unused gold item; a match with an ``optional`` gold item counts neither way;
4. *counts*: true/false positives and negatives summed over documents, per type.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from rapidfuzz import fuzz

#: The scored types, in report order. ``affiliations`` (person, party) pairs come from the
#: ``parties`` mentions that carry a person.
TYPES: tuple[str, ...] = ("dnr", "beslutssatser", "affiliations", "parties", "dates", "programmes")

#: Fuzzy thresholds (rapidfuzz ``ratio``, 0-100) for OCR-tolerant matches.
CLAUSE_THRESHOLD = 85
PERSON_THRESHOLD = 85
PROGRAMME_THRESHOLD = 88
#: A programme name that is the other plus a trailing qualifier scores this much, if both are at
#: least ``PROGRAMME_PREFIX_MIN_LEN`` characters long.
PROGRAMME_PREFIX_SCORE = 0.8
PROGRAMME_PREFIX_MIN_LEN = 5

Key = Hashable
Same = Callable[[Any, Any], float]


# ---- keys -------------------------------------------------------------------------------------


def match_fold(s: str | None) -> str:
    """Case, diacritics and white space folded away (not offset-preserving, unlike ``text.fold``)."""
    s = unicodedata.normalize("NFKD", s or "")
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", s).strip().casefold()


_DNR_LABEL = re.compile(
    r"^(dnr|diarienummer|arendenummer|arende nr|vart dnr|anr|er beteckning|beteckning)[\s.:]*", re.I
)


def dnr_key(s: str) -> str:
    """A reference by its letters and digits alone, upper-cased, without a leading label."""
    s = _DNR_LABEL.sub("", match_fold(s))
    return re.sub(r"[^0-9a-z]", "", s).upper()


# A lead-in that names the deciding body ("Fullmäktige beslutar att", "Socialnämnden föreslås
# besluta att") is not part of a clause; stripped from gold and prediction alike. The lazy
# ``{0,4}?`` prefix is bounded, so the pattern stays linear.
_LEAD_IN = re.compile(
    r"^(?:\S+\s+){0,4}?(?:beslutar|beslot|beslutade|foreslas besluta|"
    r"foreslar(?:\s+\S+){0,2}?\s+(?:besluta|att))\s+(?:att\s+)?"
)
_CLAUSE_MARKER = re.compile(r"^(\d+[.)]?|[-•–])\s*")
_LEADING_ATT = re.compile(r"^att\s+")


def clause_key(s: str) -> str:
    """A clause without its number or bullet, lead-in and leading ``att``, folded."""
    s = match_fold(s)
    s = _CLAUSE_MARKER.sub("", s)
    s = _LEAD_IN.sub("", s)
    s = _LEADING_ATT.sub("", s)
    return s.rstrip(" .;,")


def programme_key(*names: str | None) -> tuple[str, ...]:
    """The folded non-empty forms a programme may be matched by (name, acronym, ...)."""
    return tuple(match_fold(v) for v in names if v)


# ---- similarity -------------------------------------------------------------------------------


def same_exact(a: Any, b: Any) -> float:
    return 1.0 if a == b else 0.0


def same_fuzzy(threshold: int) -> Same:
    """Similarity of two strings: ``ratio/100`` at or above ``threshold`` (0-100), else 0."""

    def same(a: str, b: str) -> float:
        r = fuzz.ratio(a, b)
        return r / 100 if r >= threshold else 0.0

    return same


def same_programme(p: tuple[str, ...], g: tuple[str, ...]) -> float:
    """Names or acronyms alike (fuzzy, for OCR), or one name the other plus a trailing qualifier."""
    best = 0.0
    for a in p:
        for b in g:
            if not (a and b):
                continue
            r = fuzz.ratio(a, b)
            if r >= PROGRAMME_THRESHOLD:
                best = max(best, r / 100)
            elif min(len(a), len(b)) >= PROGRAMME_PREFIX_MIN_LEN and (a.startswith(b + " ") or b.startswith(a + " ")):
                best = max(best, PROGRAMME_PREFIX_SCORE)
    return best


def same_affiliation(p: tuple[str, str], g: tuple[str, str]) -> float:
    """Same party code, and persons alike after folding (fuzzy, for OCR and typos)."""
    if p[1] != g[1]:
        return 0.0
    r = fuzz.ratio(p[0], g[0])
    return r / 100 if r >= PERSON_THRESHOLD else 0.0


SAME: dict[str, Same] = {
    "dnr": same_exact,
    "beslutssatser": same_fuzzy(CLAUSE_THRESHOLD),
    "affiliations": same_affiliation,
    "parties": same_exact,
    "dates": same_exact,
    "programmes": same_programme,
}


# ---- gold documents ---------------------------------------------------------------------------


class _GoldItem(BaseModel):
    # The gold format is external and carries fields we do not score (kind, text of a date...).
    model_config = ConfigDict(extra="ignore", frozen=True)
    optional: bool = False


class _GoldText(_GoldItem):
    text: str


class _GoldAffiliation(_GoldItem):
    person: str
    party: str


class _GoldParty(_GoldItem):
    party: str


class _GoldDate(_GoldItem):
    value: str


class _GoldProgramme(_GoldItem):
    name: str | None = None
    acronym: str | None = None


class _Gold(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    dnr: list[_GoldText]
    beslutssatser: list[_GoldText]
    affiliations: list[_GoldAffiliation]
    parties: list[_GoldParty | str]
    dates: list[_GoldDate]
    programmes: list[_GoldProgramme]


class _GoldLine(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str
    text: str
    gold: _Gold


@dataclass(frozen=True)
class GoldItem:
    """One gold item as a matching key; ``optional`` items count neither way."""

    key: Key
    optional: bool = False


@dataclass(frozen=True)
class GoldDocument:
    id: str
    text: str
    items: dict[str, list[GoldItem]]
    path: str = "<memory>"
    line: int = 0


@dataclass(frozen=True)
class BadLine:
    """A gold line that could not be used, and why."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


def _validation_reason(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "line"
    more = f" (+{err.error_count() - 1} more)" if err.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


def gold_items(gold: Mapping[str, Any]) -> dict[str, list[GoldItem]]:
    """Document-level gold keys per type, from the ``gold`` object of a gold line.

    Raises ``ValueError`` where a list or field is missing or of the wrong type.
    """
    try:
        g = _Gold.model_validate(gold)
    except ValidationError as err:
        raise ValueError(_validation_reason(err)) from err
    return _items(g)


def _items(g: _Gold) -> dict[str, list[GoldItem]]:
    dnr: dict[str, bool] = {}
    for x in g.dnr:
        dnr.setdefault(dnr_key(x.text), x.optional)
    dates: dict[str, bool] = {}
    for d in g.dates:
        dates.setdefault(d.value, d.optional)
    return {
        "dnr": [GoldItem(k, o) for k, o in dnr.items()],
        "beslutssatser": [GoldItem(clause_key(x.text), x.optional) for x in g.beslutssatser],
        "affiliations": [GoldItem((match_fold(x.person), x.party.casefold()), x.optional) for x in g.affiliations],
        "parties": [
            GoldItem(x.casefold()) if isinstance(x, str) else GoldItem(x.party.casefold(), x.optional)
            for x in g.parties
        ],
        "dates": [GoldItem(k, o) for k, o in dates.items()],
        "programmes": [GoldItem(programme_key(x.name, x.acronym), x.optional) for x in g.programmes],
    }


def parse_gold_line(line: str, path: str = "<memory>", lineno: int = 0) -> GoldDocument:
    """One JSON line of a gold file; ``ValueError`` with a readable reason if it is unusable."""
    try:
        obj = json.loads(line.strip())
    except json.JSONDecodeError as err:
        raise ValueError(f"invalid JSON: {err.msg} at column {err.colno}") from err
    try:
        parsed = _GoldLine.model_validate(obj)
    except ValidationError as err:
        raise ValueError(_validation_reason(err)) from err
    return GoldDocument(id=parsed.id, text=parsed.text, items=_items(parsed.gold), path=path, line=lineno)


def read_gold(paths: Iterable[str | Path]) -> tuple[list[GoldDocument], list[BadLine]]:
    """All usable documents of the gold files, and the lines that were skipped (with reasons)."""
    docs: list[GoldDocument] = []
    bad: list[BadLine] = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as fh:
                for lineno, line in enumerate(fh, start=1):
                    if not line.strip():
                        continue
                    try:
                        docs.append(parse_gold_line(line, str(path), lineno))
                    except ValueError as err:
                        bad.append(BadLine(str(path), lineno, str(err)))
        except (OSError, UnicodeDecodeError) as err:
            bad.append(BadLine(str(path), 0, f"unreadable: {err}"))
    return docs, bad


# ---- predictions ------------------------------------------------------------------------------


def predicted_keys(record: BaseModel | Mapping[str, Any]) -> dict[str, list[Key]]:
    """Document-level prediction keys per type, from a ``DocumentRecord`` (or its JSON dump)."""
    rec: Mapping[str, Any] = record.model_dump(mode="json") if isinstance(record, BaseModel) else record
    out: dict[str, list[Key]] = {}
    if "dnr" in rec:
        out["dnr"] = sorted({dnr_key(x.get("normalized") or x["text"]) for x in rec["dnr"]})
    if "beslutssatser" in rec:
        out["beslutssatser"] = [clause_key(x["text"]) for x in rec["beslutssatser"]]
    if "parties" in rec:
        out["parties"] = sorted({x["party"].casefold() for x in rec["parties"] if x.get("party")})
        out["affiliations"] = sorted(
            {
                (match_fold(x["person"]), x["party"].casefold())
                for x in rec["parties"]
                if x.get("person") and x.get("party")
            }
        )
    if "dates" in rec:
        out["dates"] = sorted({x["value"] for x in rec["dates"] if x.get("value")})
    if "programmes" in rec:
        # One programme per name: the first mention of a name brings its acronym and surface text.
        seen: dict[str, tuple[str, ...]] = {}
        for x in rec["programmes"]:
            key = programme_key(x.get("name"), x.get("acronym"), x.get("text"))
            if key:
                seen.setdefault(key[0], key)
        out["programmes"] = list(seen.values())
    return out


# ---- matching and counts ----------------------------------------------------------------------


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "p": round(self.precision, 3),
            "r": round(self.recall, 3),
            "f1": round(self.f1, 3),
        }


@dataclass(frozen=True)
class MatchResult:
    counts: Counts
    spurious: list[Key]  # predictions that matched no gold item
    missed: list[Key]  # non-optional gold items that no prediction matched


def match(pred: Sequence[Key], gold: Sequence[GoldItem], same: Same) -> MatchResult:
    """One-to-one greedy matching: each prediction, in order, takes its best unused gold item."""
    used = [False] * len(gold)
    counts = Counts()
    spurious: list[Key] = []
    for p in pred:
        best, best_i = 0.0, -1
        for i, g in enumerate(gold):
            if used[i]:
                continue
            s = same(p, g.key)
            if s > best:
                best, best_i = s, i
        if best_i >= 0:
            used[best_i] = True
            if not gold[best_i].optional:
                counts.tp += 1
        else:
            counts.fp += 1
            spurious.append(p)
    missed = [g.key for i, g in enumerate(gold) if not used[i] and not g.optional]
    counts.fn = len(missed)
    return MatchResult(counts, spurious, missed)


@dataclass(frozen=True)
class DocumentScore:
    id: str
    results: dict[str, MatchResult]
    error: str | None = None  # the pipeline crashed on this document: scored as nothing found


def score_document(record: BaseModel | Mapping[str, Any] | None, gold: GoldDocument) -> DocumentScore:
    """Match one record against one gold document (``None``: nothing predicted)."""
    pred = predicted_keys(record) if record is not None else {}
    return DocumentScore(gold.id, {t: match(pred.get(t, []), gold.items[t], SAME[t]) for t in TYPES})


@dataclass
class Evaluation:
    """Summed figures over a run, with the per-document results and skipped gold lines."""

    system: str = "kommunnlp"
    counts: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in TYPES})
    documents: list[DocumentScore] = field(default_factory=list)
    bad_lines: list[BadLine] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def crashed(self) -> int:
        return sum(1 for d in self.documents if d.error)

    def add(self, doc: DocumentScore) -> None:
        self.documents.append(doc)
        for t, res in doc.results.items():
            self.counts[t].add(res.counts)

    def to_dict(self, details: bool = False) -> dict[str, Any]:
        """The figures as JSON-ready data (the reference scorer's ``--json`` keys, and more)."""
        out: dict[str, Any] = {
            "system": self.system,
            "documents": len(self.documents),
            "crashed": self.crashed,
            "seconds": round(self.seconds, 2),
            "types": {t: c.to_dict() for t, c in self.counts.items()},
            "bad_lines": [{"path": b.path, "line": b.line, "reason": b.reason} for b in self.bad_lines],
        }
        if details:
            out["details"] = [
                {
                    "id": d.id,
                    **({"error": d.error} if d.error else {}),
                    "types": {
                        t: {"missed": r.missed, "spurious": r.spurious}
                        for t, r in d.results.items()
                        if r.missed or r.spurious
                    },
                }
                for d in self.documents
                if d.error or any(r.missed or r.spurious for r in d.results.values())
            ]
        return out


def evaluate(
    docs: Iterable[GoldDocument],
    predict: Callable[[str], BaseModel | Mapping[str, Any]],
    *,
    system: str = "kommunnlp",
    on_document: Callable[[DocumentScore], None] | None = None,
) -> Evaluation:
    """Score ``predict(text)`` on each gold document; a crash scores as nothing found."""
    result = Evaluation(system=system)
    t0 = time.perf_counter()
    for doc in docs:
        try:
            score = score_document(predict(doc.text), doc)
        except Exception as err:  # one bad document must not end the run; it is reported
            score = DocumentScore(doc.id, score_document(None, doc).results, f"{type(err).__name__}: {err}")
        result.add(score)
        if on_document is not None:
            on_document(score)
    result.seconds = time.perf_counter() - t0
    return result
