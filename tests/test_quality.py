"""Quality floors on the shared gold corpus, scored by the project's own scorer script."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import SHARED, corpus_files

FLOORS = {
    "dnr": 0.97,
    "parties": 0.97,
    "dates": 0.95,
    "affiliations": 0.93,
    "beslutssatser": 0.90,
    "programmes": 0.80,
}


@pytest.fixture(scope="module")
def scores(tmp_path_factory) -> dict:
    scorer = SHARED / "tools" / "score.py"
    files = corpus_files()
    if not scorer.is_file() or not files:
        pytest.skip(f"../shared is absent (no {scorer} or corpus): quality floors cannot be measured")
    out = tmp_path_factory.mktemp("score") / "scores.json"
    proc = subprocess.run(
        [sys.executable, str(scorer), "--json", str(out), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert result["crashed"] == 0, proc.stderr
    return result


@pytest.mark.parametrize("record_type", sorted(FLOORS))
def test_quality_floor(scores: dict, record_type: str) -> None:
    f1 = scores["types"][record_type]["f1"]
    assert f1 >= FLOORS[record_type], f"{record_type} F1 {f1:.3f} below floor {FLOORS[record_type]}"
