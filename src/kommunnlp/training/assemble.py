"""One loadable pipeline from a trained ``tok2vec``/``ner`` model, the rule components and the merge.

The rule components are added without a copy of their data: a loaded model reads the data
packaged with the installed kommunnlp, so improving the rules improves the trained pipeline too
and the two pipelines compared in ``evaluate`` differ only by the model. The merge component's
settings are its config; ``settings`` overrides them.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

from ..factories import COMPONENTS, register_factories
from ..pipeline import MAX_LENGTH

MERGER = "kommunnlp_learned"


def git_commit(root: Path) -> str | None:
    """The commit the pipeline was built from, for meta.json (``None`` outside a git checkout)."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def assemble(trained: Path, *, name: str, settings: dict[str, Any] | None = None) -> Language:
    """The trained pipeline at ``trained`` plus the five rule components and the merge component."""
    register_factories()
    nlp = spacy.load(trained)
    for factory in COMPONENTS:
        nlp.add_pipe(factory)
    nlp.add_pipe(MERGER, config=settings or {})
    nlp.max_length = MAX_LENGTH
    nlp.meta["name"] = name
    return nlp


def save(nlp: Language, out: Path, *, summary: dict[str, Any], config_path: Path, commit: str | None) -> None:
    """Write the pipeline with a meta.json that says what it was trained on."""
    nlp.meta["description"] = (
        "kommunnlp rule components plus a trained ner (PROGRAMME, PERSON) whose spans the "
        "kommunnlp_learned component merges into the records; rules win conflicts."
    )
    nlp.meta["kommunnlp"] = {
        **nlp.meta.get("kommunnlp", {}),
        "training_config": config_path.as_posix(),
        "training_data": summary,
        "built_from_commit": commit,
    }
    # Rule data are not copied (see the module docstring); their folders stay empty.
    nlp.to_disk(out, exclude=list(COMPONENTS))
    (out / "meta.json").write_text(json.dumps(nlp.meta, ensure_ascii=False, indent=1), encoding="utf-8")


def model_size(path: Path) -> int:
    """Bytes on disk of the pipeline directory."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
