"""Held-out scores of a pipeline next to rule-only, by the project's scorer (../shared/tools/score.py).

The scorer calls ``kommunnlp.extract``, whose default pipeline is the rules. ``run_scorer`` runs
the scorer in this process with the default pipeline replaced by the model, so both tables come
from the same unmodified scorer on the same held-out documents.

    python -m kommunnlp.training.evaluate MODEL_OR_rules SCORER GOLD.jsonl... [--json OUT]
"""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .convert import read_jsonl, split_of, write_jsonl

TYPES = ("dnr", "beslutssatser", "affiliations", "parties", "dates", "programmes")


def run_scorer(model: str, scorer: str, args: list[str]) -> None:
    """Run ``scorer`` (a script) with ``model`` as kommunnlp's default pipeline."""
    import kommunnlp
    from kommunnlp import api

    if model != "rules":
        api._DEFAULT_NLP = kommunnlp.load(model)
    sys.argv = [scorer, *args]
    runpy.run_path(scorer, run_name="__main__")


def filter_split(corpus_files: list[Path], splits: dict[str, list[str]], split: str, out: Path) -> int:
    """Write the corpus documents of ``split`` to ``out``; returns how many."""
    docs = [d for p in corpus_files for d in read_jsonl(p) if split_of(d.get("municipality"), splits) == split]
    return write_jsonl(out, docs)


def score(model: str, scorer: Path, gold: Path, timeout: int = 1800) -> dict[str, Any]:
    """The scorer's JSON result for ``model`` (a path or ``"rules"``) on ``gold``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "scores.json"
        cmd = [sys.executable, "-m", "kommunnlp.training.evaluate", model, str(scorer), str(gold), "--json", str(out)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0 or not out.is_file():
            raise RuntimeError(f"scorer failed for {model}: {proc.stderr[-2000:]}")
        return json.loads(out.read_text(encoding="utf-8"))


def words_per_second(model: str, texts: list[str], repeat: int = 3) -> float:
    """Words per second of ``nlp.pipe`` over ``texts`` (best of ``repeat`` passes, after a warm-up)."""
    import kommunnlp

    nlp = kommunnlp.load(None if model == "rules" else model)
    words = sum(len(t.split()) for t in texts)
    list(nlp.pipe(texts[:2]))
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for doc in nlp.pipe(texts, batch_size=32):
            _ = doc._.record
        best = min(best, time.perf_counter() - t0)
    return words / best if best > 0 else 0.0


def span_scores(model: str, docbin: Path) -> dict[str, Any]:
    """The model's own entity scores (P/R/F per label) on the gold spans of ``docbin``."""
    from spacy.tokens import DocBin
    from spacy.training import Example

    import kommunnlp

    nlp = kommunnlp.load(model)
    refs = list(DocBin().from_disk(docbin).get_docs(nlp.vocab))
    scores = nlp.evaluate([Example(nlp.make_doc(ref.text), ref) for ref in refs])
    keep = ("ents_p", "ents_r", "ents_f", "ents_per_type")
    return {k: scores[k] for k in keep if k in scores}


def table(result: dict[str, Any]) -> str:
    """A markdown table of one scorer result."""
    lines = ["| type | P | R | F1 | tp | fp | fn |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for t in TYPES:
        c = result["types"].get(t)
        if c:
            lines.append(f"| {t} | {c['p']:.3f} | {c['r']:.3f} | {c['f1']:.3f} | {c['tp']} | {c['fp']} | {c['fn']} |")
    return "\n".join(lines)


def verdict(rules: dict[str, Any], trained: dict[str, Any], margin: float = 0.05) -> dict[str, Any]:
    """Issue 3, acceptance 2: programmes F1 >= rules + margin, and no other type lower."""
    f1 = {t: (rules["types"][t]["f1"], trained["types"][t]["f1"]) for t in TYPES if t in rules["types"]}
    programmes_gain = round(f1["programmes"][1] - f1["programmes"][0], 3)
    lower = [t for t, (r, m) in f1.items() if t != "programmes" and m < r]
    return {
        "programmes_gain": programmes_gain,
        "lower_types": lower,
        "trained_wins": programmes_gain >= margin and not lower,
    }


if __name__ == "__main__":
    run_scorer(sys.argv[1], sys.argv[2], sys.argv[3:])
