"""Issue 3: annotations, conversion, the merge component, one training step per config, the shipped model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.language import Language
from spacy.training import Example

import kommunnlp
from kommunnlp.training.convert import (
    convert_corpus,
    find_all,
    from_markup,
    is_acronym,
    locate_gold,
    ocr_copy,
    resolve_overlaps,
    split_of,
    validate,
    weak_label,
)

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "sv_kommunnlp_cpu"


def _spans(example: dict[str, Any]) -> list[tuple[str, str, bool]]:
    return [(example["text"][s["start"] : s["end"]], s["label"], bool(s.get("optional"))) for s in example["spans"]]


# -- locating gold items ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "gold", "expected"),
    [
        (
            "Projektet Mentorer i våldsprevention (MVP) fortsätter. MVP finns på fyra skolor.",
            {"programmes": [{"name": "Mentorer i våldsprevention", "acronym": "MVP"}]},
            [
                ("Mentorer i våldsprevention", "PROGRAMME", False),
                ("MVP", "PROGRAMME", False),
                ("MVP", "PROGRAMME", False),
            ],
        ),
        # Gold names match across case, diacritics and line breaks.
        (
            "arbetet med sociala\ninsatsgrupper fortsatter",
            {"programmes": [{"name": "Sociala insatsgrupper"}]},
            [("sociala\ninsatsgrupper", "PROGRAMME", False)],
        ),
        # An acronym matches only as written: "START" is not every "start".
        (
            "Vi ska start projektet START i maj.",
            {"programmes": [{"name": "START"}]},
            [("START", "PROGRAMME", False)],
        ),
        # Genitive s stays outside the person; optional items become optional spans.
        (
            "Lars-Åke Carlssons (C) motion. Stöd från Eva Ek (S).",
            {
                "affiliations": [
                    {"person": "Lars-Åke Carlsson", "party": "C"},
                    {"person": "Eva Ek", "party": "S", "optional": True},
                ]
            },
            [("Lars-Åke Carlsson", "PERSON", False), ("Eva Ek", "PERSON", True)],
        ),
        # Whole words only.
        ("Komethuset och Komet.", {"programmes": [{"name": "Komet"}]}, [("Komet", "PROGRAMME", False)]),
    ],
)
def test_training_locate_gold(text: str, gold: dict, expected: list) -> None:
    example = locate_gold({"id": "x", "municipality": "Exempelby", "text": text, "gold": gold})
    assert _spans(example) == expected
    assert example["source"] == "gold"
    assert example["unlocated"] == []


def test_training_locate_gold_reports_unlocated() -> None:
    example = locate_gold({"text": "Inget här.", "gold": {"programmes": [{"name": "Trefas"}]}})
    assert example["spans"] == []
    assert example["unlocated"] == ["PROGRAMME:Trefas"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("MVP", True), ("RVC Väst", True), ("FuT", True), ("BBIC", True), ("Finsam", False), ("Trefas", False)],
)
def test_training_is_acronym(value: str, expected: bool) -> None:
    assert is_acronym(value) is expected


def test_training_find_all_is_linear_on_near_misses() -> None:
    text = "Mentorer i " * 100_000
    assert find_all(text, "Mentorer i våldsprevention") == []


def test_training_resolve_overlaps_prefers_firm_then_longer() -> None:
    spans = [
        {"start": 0, "end": 5, "label": "PROGRAMME", "optional": True},
        {"start": 0, "end": 10, "label": "PROGRAMME"},
        {"start": 2, "end": 4, "label": "PERSON"},
        {"start": 12, "end": 14, "label": "PERSON"},
    ]
    assert [(s["start"], s["end"]) for s in resolve_overlaps(spans)] == [(0, 10), (12, 14)]


# -- our own examples --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("Projektet [Trefas|PROGRAMME] startar.", [("Trefas", "PROGRAMME", False)]),
        (
            "[Anna Ek|PERSON] (S) och [Barnahus|PROGRAMME?]",
            [("Anna Ek", "PERSON", False), ("Barnahus", "PROGRAMME", True)],
        ),
        ("Ingen markering alls.", []),
    ],
)
def test_training_from_markup(markup: str, expected: list) -> None:
    example = from_markup(markup)
    assert _spans(example) == expected
    assert example["source"] == "ours"
    assert "[" not in example["text"]


@pytest.mark.parametrize(
    ("example", "problem"),
    [
        ({"text": "abc", "spans": [{"start": 0, "end": 9, "label": "PERSON"}], "source": "ours"}, "bad offsets"),
        ({"text": "abc", "spans": [{"start": 0, "end": 2, "label": "ORG"}], "source": "ours"}, "unknown label"),
        ({"text": "a bc", "spans": [{"start": 0, "end": 2, "label": "PERSON"}], "source": "ours"}, "white space"),
        ({"text": "abc", "spans": [], "source": "mine"}, "source"),
        (
            {
                "text": "abcdef",
                "spans": [{"start": 0, "end": 4, "label": "PERSON"}, {"start": 2, "end": 5, "label": "PERSON"}],
                "source": "gold",
            },
            "overlaps",
        ),
    ],
)
def test_training_validate_finds_problems(example: dict, problem: str) -> None:
    assert any(problem in p for p in validate(example))


def test_training_ours_file_is_valid() -> None:
    rows = [json.loads(line) for line in (ROOT / "annotations" / "ours.jsonl").open(encoding="utf-8")]
    assert len(rows) >= 50
    assert all(validate(r) == [] and r["source"] == "ours" for r in rows)
    labels = {s["label"] for r in rows for s in r["spans"]}
    assert labels == {"PROGRAMME", "PERSON"}


def test_training_ocr_copy_keeps_offsets() -> None:
    example = from_markup("Projektet [Trygg i förorten|PROGRAMME] och [Åsa Öberg|PERSON] (S) på Vårdö.")
    copy = ocr_copy(example, rate=1.0)
    assert len(copy["text"]) == len(example["text"])
    assert not any(c in copy["text"] for c in "åäöÅÄÖ")
    assert copy["spans"] == example["spans"]
    assert copy["augmented"] == "ocr"


@pytest.mark.parametrize(
    ("municipality", "expected"), [("Stockholm", "heldout"), ("Lund", "dev"), ("Kiruna", "train"), (None, "train")]
)
def test_training_split_of(municipality: str | None, expected: str) -> None:
    assert split_of(municipality, {"heldout": ["Stockholm"], "dev": ["Lund"]}) == expected


def test_training_weak_label_marks_source_and_person() -> None:
    (example,) = weak_label([("Yrkanden\nAnna Berg (S) yrkar bifall.", "w1")])
    assert example["source"] == "weak"
    assert ("Anna Berg", "PERSON", False) in _spans(example)


def test_training_convert_corpus_splits_by_municipality(tmp_path: Path) -> None:
    docs = [
        {"id": "a", "municipality": "Norrby", "text": "Projektet Trefas startar. Eva Ek (S).", "gold": {
            "programmes": [{"name": "Trefas"}], "affiliations": [{"person": "Eva Ek", "party": "S"}]}},
        {"id": "b", "municipality": "Söderby", "text": "Metoden Komet används.", "gold": {
            "programmes": [{"name": "Komet"}]}},
        {"id": "c", "municipality": "Västby", "text": "Ingen alls.", "gold": {}},
    ]  # fmt: skip
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs), encoding="utf-8")
    ours = tmp_path / "ours.jsonl"
    ours.write_text(json.dumps(from_markup("Satsningen [Lyftet|PROGRAMME].")), encoding="utf-8")
    splits = {"heldout": ["Söderby"], "dev": ["Västby"]}
    summary = convert_corpus([corpus], splits, tmp_path / "out", ours=ours)
    assert summary["sources"] == {"gold": 3, "ours": 1, "weak": 0}
    # train: Norrby + ours, each with an OCR copy
    assert summary["counts"]["train"]["examples"] == 4
    assert summary["counts"]["heldout"] == {"examples": 1, "spans": {"PROGRAMME": 1, "PERSON": 0}}
    for name in ("train", "dev", "heldout"):
        assert (tmp_path / "out" / f"{name}.spacy").is_file()
    gold = [json.loads(line) for line in (tmp_path / "out" / "gold.jsonl").open(encoding="utf-8")]
    assert {g["id"]: g["split"] for g in gold} == {"a": "train", "b": "heldout", "c": "dev"}


# -- the merge component -----------------------------------------------------------------------


@Language.factory("test_fixed_ents", default_config={"ents": []})
def _make_fixed_ents(nlp: Language, name: str, ents: list[list[Any]]) -> Any:
    """Stands in for a trained ner: sets ``ents`` ([start_char, end_char, label]) on every doc."""

    def set_ents(doc: Any) -> Any:
        spans = [doc.char_span(s, e, label=label, alignment_mode="expand") for s, e, label in ents]
        doc.set_ents([s for s in spans if s is not None])
        return doc

    return set_ents


def _pipeline(text: str, marked: list[str], label: str, **settings: Any) -> Language:
    """The rule pipeline, a stand-in ner marking ``marked`` (in text order), and the merge."""
    ents, pos = [], 0
    for m in marked:
        start = text.index(m, pos)
        ents.append([start, start + len(m), label])
        pos = start + len(m)
    nlp = kommunnlp.load()
    nlp.add_pipe("test_fixed_ents", first=True, config={"ents": ents})
    nlp.add_pipe("kommunnlp_learned", config=settings)
    return nlp


@pytest.mark.parametrize(
    ("text", "marked", "expected"),
    [
        # The model adds programmes the rules do not know; an acronym it defines names it later.
        (
            "Vi arbetar med Trygga steg [TS] i skolan. TS når 40 barn.",
            ["Trygga steg", "TS", "TS"],
            [("Trygga steg", "TS")],
        ),
        (
            "Arbetet i Ljusglimten fortsätter. Ljusglimten når 40 barn.",
            ["Ljusglimten", "Ljusglimten"],
            [("Ljusglimten", None)],
        ),
        # Statutory services are never programmes; neither are units the programme rules exclude.
        ("Placering på HVB beviljas.", ["HVB"], []),
        ("Ärendet bereds av Socialförvaltningen.", ["Socialförvaltningen"], []),
        # Not a proper name: lower case, or cut short before a function word.
        ("Nämnden beslutar att godkänna.", ["att"], []),
        ("Projektet Unga vuxna på Härbärge startar.", ["Unga vuxna på"], []),
        # A quoted name may start in lower case.
        ('Rapport om "lugna gatan" i centrum.', ["lugna gatan"], [("lugna gatan", None)]),
        # A name the party rules tie to a party is a person.
        ("Motion från Anna Berg (S). Anna Berg yrkar bifall.", ["Anna Berg", "Anna Berg"], []),
        # Punctuation at the edges is trimmed.
        ("Rapport om Ljusglimten, delrapport 2.", ["Ljusglimten,"], [("Ljusglimten", None)]),
    ],
)
def test_learned_merge_adds_programmes(text: str, marked: list[str], expected: list) -> None:
    nlp = _pipeline(text, marked, "PROGRAMME")
    rules_only = {(p.name, p.acronym) for p in kommunnlp.extract(text).programmes}
    added = {(p.name, p.acronym) for p in nlp(text)._.record.programmes} - rules_only
    assert sorted(added, key=str) == expected


def test_learned_merge_rules_win_on_overlap() -> None:
    text = "Projektet Mentorer i våldsprevention (MVP) fortsätter."
    rules = [p.model_dump() for p in kommunnlp.extract(text).programmes]
    assert rules, "the rule component should find this programme"
    nlp = _pipeline(text, ["våldsprevention (MVP) fortsätter"], "PROGRAMME")
    assert [p.model_dump() for p in nlp(text)._.record.programmes] == rules


def test_learned_merge_can_be_switched_off() -> None:
    text = "Förvaltningen driver Ljusglimten sedan 2019."
    nlp = _pipeline(text, ["Ljusglimten"], "PROGRAMME", add_programmes=False)
    assert nlp(text)._.record.programmes == kommunnlp.extract(text).programmes


@pytest.mark.parametrize(
    ("text", "marked", "expected"),
    [
        # A rule person stays; the model fills in nothing there.
        ("Anna Berg (S) yrkar bifall.", ["Anna Berg"], {("Anna Berg", "S")}),
        # No span right before the marker: nothing is invented.
        ("Anna Berg sade att S (S) yrkar.", ["Anna Berg"], None),
    ],
)
def test_learned_merge_persons_rules_win(text: str, marked: list[str], expected: set | None) -> None:
    rules = {(p.person, p.party) for p in kommunnlp.extract(text).parties if p.person}
    merged = {(p.person, p.party) for p in _pipeline(text, marked, "PERSON")(text)._.record.parties if p.person}
    assert merged == (expected if expected is not None else rules)


def test_learned_merge_serialisation_round_trip(tmp_path: Path) -> None:
    nlp = kommunnlp.load()
    nlp.add_pipe("kommunnlp_learned", config={"max_person_gap": 5})
    nlp.to_disk(tmp_path / "p")
    loaded = kommunnlp.load(tmp_path / "p")
    merger = loaded.get_pipe("kommunnlp_learned")
    assert merger.max_person_gap == 5
    assert merger.data == nlp.get_pipe("kommunnlp_learned").data
    assert loaded.get_pipe("kommunnlp_learned").from_bytes(merger.to_bytes()).data == merger.data


# -- one training step per config --------------------------------------------------------------


def _examples(nlp: Language) -> list[Example]:
    rows = [
        from_markup("Projektet [Framtidsbron|PROGRAMME] startar i maj."),
        from_markup("[Anna Ek|PERSON] (S) yrkar bifall till [Trygga barn|PROGRAMME]."),
        from_markup("Ledamöter\n[Per Holm|PERSON] (M)\n[Sara Lind|PERSON] (V)"),
    ]
    out = []
    for row in rows:
        doc = nlp.make_doc(row["text"])
        out.append(Example.from_dict(doc, {"entities": [(s["start"], s["end"], s["label"]) for s in row["spans"]]}))
    return out


def _one_step(config_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, float]:
    config = spacy.util.load_config(config_path, overrides=overrides or {}, interpolate=False)
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    examples = _examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    losses: dict[str, float] = {}
    nlp.update(examples, sgd=optimizer, losses=losses)
    assert set(nlp.get_pipe("ner").labels) == {"PROGRAMME", "PERSON"}
    return losses


def test_training_cpu_config_trains_one_step() -> None:
    losses = _one_step(ROOT / "configs" / "cpu.cfg")
    assert losses["ner"] > 0


def _tiny_bert(path: Path) -> None:
    """A randomly initialised BERT with a tiny word-piece vocabulary, saved like a hub model."""
    transformers = pytest.importorskip("transformers")
    words = "projektet framtidsbron startar i maj anna ek yrkar bifall till trygga barn ledamöter per holm sara lind"
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted(set(words.split())), *"()SMV.,"]
    path.mkdir(parents=True, exist_ok=True)
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(path / "vocab.txt"), do_lower_case=True)
    tokenizer.save_pretrained(path)
    config = transformers.BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=256,
    )
    transformers.BertModel(config).save_pretrained(path)


def test_training_transformer_config_trains_one_step_on_tiny_bert(tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("torch", reason="the transformer config needs the train extra (torch==2.13.0)")
    pytest.importorskip("spacy_transformers", reason="the transformer config needs spacy-transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    bert = tmp_path / "tiny-bert"
    _tiny_bert(bert)
    overrides = {"paths.transformer": str(bert), "system.gpu_allocator": None, "training.gpu_allocator": None}
    losses = _one_step(ROOT / "configs" / "trf.cfg", overrides)
    assert losses["ner"] > 0


# -- the shipped model -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Language:
    if not (MODEL / "config.cfg").is_file():
        pytest.fail(f"no trained pipeline at {MODEL}: run `python -m spacy project run all`")
    return kommunnlp.load(MODEL)


def test_training_shipped_model_is_small_and_documented(shipped: Language) -> None:
    size = sum(f.stat().st_size for f in MODEL.rglob("*") if f.is_file())
    assert size < 50_000_000
    meta = json.loads((MODEL / "meta.json").read_text(encoding="utf-8"))
    info = meta["kommunnlp"]
    assert info["training_data"]["sources"]["gold"] > 0
    assert info["training_data"]["sources"]["ours"] > 0
    scores = info["heldout_scores"]
    assert {"rules", "trained", "verdict", "words_per_second"} <= set(scores)
    assert shipped.pipe_names[:2] == ["tok2vec", "ner"]
    assert shipped.pipe_names[-1] == "kommunnlp_learned"


@pytest.mark.parametrize(
    ("text", "party", "person"),
    [("Yrkanden\nKarin Nyberg (S) yrkar bifall till förslaget.", "S", "Karin Nyberg")],
)
def test_training_shipped_model_produces_records(shipped: Language, text: str, party: str, person: str) -> None:
    record = kommunnlp.extract(text, nlp=shipped)
    assert isinstance(record, kommunnlp.DocumentRecord)
    assert (person, party) in {(p.person, p.party) for p in record.parties}
    for mention in record.programmes:
        assert text[mention.start : mention.end] == mention.text


# -- evaluation helpers and the command line ---------------------------------------------------


def _result(**f1: float) -> dict[str, Any]:
    return {"types": {t: {"p": v, "r": v, "f1": v, "tp": 1, "fp": 0, "fn": 0} for t, v in f1.items()}}


@pytest.mark.parametrize(
    ("rules", "trained", "wins", "lower"),
    [
        (_result(programmes=0.70, dates=0.9), _result(programmes=0.75, dates=0.9), True, []),
        (_result(programmes=0.70, dates=0.9), _result(programmes=0.74, dates=0.9), False, []),
        (_result(programmes=0.70, dates=0.9), _result(programmes=0.90, dates=0.8), False, ["dates"]),
    ],
)
def test_training_verdict(rules: dict, trained: dict, wins: bool, lower: list) -> None:
    from kommunnlp.training.evaluate import verdict

    result = verdict(rules, trained)
    assert result["trained_wins"] is wins
    assert result["lower_types"] == lower


def test_training_markup_command_writes_checked_examples(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kommunnlp.training.__main__ import app

    source = tmp_path / "ours.txt"
    source.write_text("# comment\nProjektet [Lyftet|PROGRAMME] startar.\\nNy rad.\n", encoding="utf-8")
    out = tmp_path / "ours.jsonl"
    result = CliRunner().invoke(app, ["markup", str(source), str(out)])
    assert result.exit_code == 0, result.output
    (row,) = [json.loads(line) for line in out.open(encoding="utf-8")]
    assert row["text"] == "Projektet Lyftet startar.\nNy rad."
    assert _spans(row) == [("Lyftet", "PROGRAMME", False)]
    bad = tmp_path / "bad.txt"
    bad.write_text("[Lyftet|ORG]\n", encoding="utf-8")
    assert CliRunner().invoke(app, ["markup", str(bad), str(out)]).exit_code != 0
