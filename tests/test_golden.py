"""Our own held-out check: invented documents in forms and municipalities the shared corpus does
not have (tests/golden/*.jsonl, gold format of the annotation guidelines), scored with the
package's evaluation rules. It guards against rules that only fit the shared corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import kommunnlp
from kommunnlp.evaluation import evaluate, read_gold

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.jsonl"))
FLOORS = {
    "dnr": 0.95,
    "parties": 0.95,
    "dates": 0.95,
    "affiliations": 0.90,
    "beslutssatser": 0.85,
    "programmes": 0.80,
}


@pytest.fixture(scope="module")
def golden_scores():
    docs, bad = read_gold(GOLDEN)
    assert docs and not bad, bad
    return evaluate(docs, kommunnlp.extract)


@pytest.mark.parametrize("record_type", sorted(FLOORS))
def test_golden_quality_floor(golden_scores, record_type: str) -> None:
    figures = golden_scores.counts[record_type].to_dict()
    assert figures["f1"] >= FLOORS[record_type], figures
    assert golden_scores.crashed == 0
