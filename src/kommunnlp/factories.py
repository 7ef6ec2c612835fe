"""Registration of the kommunnlp components, in one place (as spaCy's own ``factories.py``).

``register_factories()`` runs once per process. It is called by :func:`kommunnlp.load` and when
spaCy imports this module through the ``spacy_factories`` entry points, so
``nlp.add_pipe("kommunnlp_dnr")`` works without importing kommunnlp first. Importing this module
is cheap: component classes and their data load only when a component is built.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.util import registry

FACTORIES_REGISTERED = False

#: factory name -> (record type, i.e. doc.spans key)
COMPONENTS: dict[str, str] = {
    "kommunnlp_dnr": "dnr",
    "kommunnlp_beslutssatser": "beslutssatser",
    "kommunnlp_parties": "parties",
    "kommunnlp_dates": "dates",
    "kommunnlp_programmes": "programmes",
}


def make_dnr(nlp: Language, name: str, spans_key: str) -> Any:
    from .components.dnr import DnrRecognizer

    return DnrRecognizer(nlp, name, spans_key=spans_key)


def make_beslutssatser(nlp: Language, name: str, spans_key: str) -> Any:
    from .components.beslutssatser import DecisionClauseRecognizer

    return DecisionClauseRecognizer(nlp, name, spans_key=spans_key)


def make_parties(nlp: Language, name: str, spans_key: str) -> Any:
    from .components.parties import PartyRecognizer

    return PartyRecognizer(nlp, name, spans_key=spans_key)


def make_dates(nlp: Language, name: str, spans_key: str) -> Any:
    from .components.dates import DateRecognizer

    return DateRecognizer(nlp, name, spans_key=spans_key)


def make_programmes(nlp: Language, name: str, spans_key: str) -> Any:
    from .components.programmes import ProgrammeRecognizer

    return ProgrammeRecognizer(nlp, name, spans_key=spans_key)


def make_learned(
    nlp: Language,
    name: str,
    source: str,
    spans_key: str,
    programme_label: str,
    person_label: str,
    add_programmes: bool,
    add_persons: bool,
    rules_win: bool,
    max_person_gap: int,
    rule_exclusions: bool,
) -> Any:
    from .components.learned import LearnedMerger

    return LearnedMerger(
        nlp,
        name,
        source=source,
        spans_key=spans_key,
        programme_label=programme_label,
        person_label=person_label,
        add_programmes=add_programmes,
        add_persons=add_persons,
        rules_win=rules_win,
        max_person_gap=max_person_gap,
        rule_exclusions=rule_exclusions,
    )


#: Components that merge a trained model's spans into the rule mentions (issue 3). Not part of
#: the rule pipeline: a trained pipeline in models/ adds it after its ``ner`` component.
MERGERS: dict[str, dict[str, Any]] = {
    "kommunnlp_learned": {
        "source": "ents",
        "spans_key": "sc",
        "programme_label": "PROGRAMME",
        "person_label": "PERSON",
        "add_programmes": True,
        "add_persons": True,
        "rules_win": True,
        "max_person_gap": 3,
        "rule_exclusions": True,
    },
}


_MAKERS = {
    "kommunnlp_dnr": make_dnr,
    "kommunnlp_beslutssatser": make_beslutssatser,
    "kommunnlp_parties": make_parties,
    "kommunnlp_dates": make_dates,
    "kommunnlp_programmes": make_programmes,
    "kommunnlp_learned": make_learned,
}


def make_tokenizer() -> Any:
    """``kommunnlp.Tokenizer.v1``: spaCy's tokenizer, keeping the text (see tokenizer.py)."""
    from .tokenizer import create_tokenizer

    return create_tokenizer()


def register_factories() -> None:
    """Register every kommunnlp factory with spaCy (once per process)."""
    global FACTORIES_REGISTERED
    if FACTORIES_REGISTERED:
        return
    if "kommunnlp.Tokenizer.v1" not in registry.tokenizers:
        registry.tokenizers.register("kommunnlp.Tokenizer.v1", func=make_tokenizer)
    for factory, key in COMPONENTS.items():
        if Language.has_factory(factory):
            continue
        Language.factory(
            factory,
            assigns=["doc.spans", "doc._.kommunnlp"],
            default_config={"spans_key": key},
            default_score_weights={},
        )(_MAKERS[factory])
    for factory, config in MERGERS.items():
        if Language.has_factory(factory):
            continue
        Language.factory(
            factory,
            requires=["doc._.kommunnlp"],
            assigns=["doc.spans", "doc._.kommunnlp"],
            default_config=config,
            default_score_weights={},
        )(_MAKERS[factory])
    FACTORIES_REGISTERED = True


# spaCy loads the ``spacy_factories`` entry points by importing this module; registering here is
# what makes those entry points work.
register_factories()
