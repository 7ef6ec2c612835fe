"""Building and loading kommunnlp pipelines."""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language

from .errors import Errors
from .extensions import install_extensions
from .factories import COMPONENTS, register_factories

#: spaCy's default max_length guards against parser memory; our components are linear-time
#: regex passes, so whole archive files (several MB) are accepted.
MAX_LENGTH = 50_000_000


def build_rules_pipeline() -> Language:
    """``spacy.blank("sv")`` plus the five kommunnlp rule components."""
    register_factories()
    install_extensions()
    nlp = spacy.blank("sv", config={"nlp": {"tokenizer": {"@tokenizers": "kommunnlp.Tokenizer.v1"}}})
    for factory in COMPONENTS:
        nlp.add_pipe(factory)
    nlp.max_length = MAX_LENGTH
    nlp.meta["name"] = "kommunnlp_rules"
    return nlp


def load(name_or_path: str | Path | None = None) -> Language:
    """The default pipeline, or a pipeline saved with ``nlp.to_disk``. Never touches the network.

    ``name_or_path`` may be ``None`` or ``"rules"`` (the rule pipeline) or a directory.
    """
    register_factories()
    install_extensions()
    if name_or_path is None or str(name_or_path) == "rules":
        return build_rules_pipeline()
    path = Path(name_or_path)
    if not (path / "config.cfg").is_file():
        raise OSError(Errors.E002.format(path=str(name_or_path)))
    nlp = spacy.load(path)
    nlp.max_length = max(nlp.max_length, MAX_LENGTH)
    factories = {nlp.get_pipe_meta(name).factory for name in nlp.pipe_names}
    if not factories & set(COMPONENTS):
        raise ValueError(Errors.E003.format(names=sorted(COMPONENTS)))
    return nlp
