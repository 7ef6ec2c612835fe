"""Shared fixtures: the pipeline (built once) and the gold corpus (skipped where absent)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import kommunnlp

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KOMMUNNLP_SHARED", ROOT.parent / "shared"))
CORPUS = Path(os.environ.get("KOMMUNNLP_CORPUS", SHARED / "corpus"))


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.jsonl")) if CORPUS.is_dir() else []


def load_corpus() -> list[dict]:
    docs = []
    for path in corpus_files():
        with path.open(encoding="utf-8") as fh:
            docs.extend(json.loads(line) for line in fh if line.strip())
    return docs


@pytest.fixture(scope="session")
def nlp():
    return kommunnlp.load()


@pytest.fixture(scope="session")
def corpus() -> list[dict]:
    docs = load_corpus()
    if not docs:
        pytest.skip(f"no gold corpus at {CORPUS} (set KOMMUNNLP_CORPUS, or put ../shared beside the repo)")
    return docs
