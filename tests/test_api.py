"""The public API contract: types, bad input, streaming, serialisation, entry points."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

import kommunnlp
from kommunnlp.factories import COMPONENTS
from kommunnlp.records import RECORD_TYPES, DocumentRecord
from kommunnlp.schema import SCHEMA_FILE, document_record_schema, render

from .conftest import ROOT, load_corpus

EXAMPLE = (ROOT / "examples" / "exempelkommun-son-protokollsutdrag.txt").read_text(encoding="utf-8")


def assert_offsets(text: str, record: DocumentRecord) -> None:
    for key in RECORD_TYPES:
        for mention in getattr(record, key):
            assert text[mention.start : mention.end] == mention.text, (key, mention)


def sample_texts() -> list[str]:
    """Corpus texts where ../shared is present, else the bundled example."""
    return [d["text"] for d in load_corpus()] or [EXAMPLE]


def test_api_extract_returns_typed_record() -> None:
    record = kommunnlp.extract(EXAMPLE, id="ex")
    assert isinstance(record, DocumentRecord)
    assert record.id == "ex"
    assert_offsets(EXAMPLE, record)


@pytest.mark.parametrize("value", [b"Dnr KS 2018/906", None, 42, ["text"], {"text": "x"}])
def test_api_extract_rejects_non_str(value: object) -> None:
    with pytest.raises(TypeError, match=type(value).__name__):
        kommunnlp.extract(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t  \r\n",
        "\x00\x01\x02 Dnr KS 2018/906 \x00 den 5 maj 2019 \x7f",
        "Протокол 2018-11-13 日本語 مرحبا Anna Berg (S)",
        "§§§§ ((((( )))) 2018/ Dnr: Beslut\n1.\n2.\natt",
        "\ufeffSocialnämndens beslut\n1. Godkänns.\u2028\u2029",
    ],
)
def test_api_extract_accepts_any_text(text: str) -> None:
    record = kommunnlp.extract(text)
    assert isinstance(record, DocumentRecord)
    assert_offsets(text, record)


def test_api_extract_five_megabytes() -> None:
    text = (EXAMPLE + "\n") * (5_000_000 // (len(EXAMPLE) + 1) + 1)
    assert len(text) >= 5_000_000
    record = kommunnlp.extract(text)
    assert_offsets(text, record)
    assert len(record.dnr) >= len(kommunnlp.extract(EXAMPLE).dnr)


def test_api_extract_many_streams_pairs_in_order() -> None:
    texts = sample_texts()[:12]
    pairs = [(t, f"doc-{i}") for i, t in enumerate(texts)]
    records = list(kommunnlp.extract_many(iter(pairs), batch_size=4))
    assert [r.id for r in records] == [f"doc-{i}" for i in range(len(texts))]
    for (text, doc_id), record in zip(pairs, records, strict=True):
        assert record == kommunnlp.extract(text, id=doc_id)


def test_api_extract_many_plain_strings() -> None:
    records = list(kommunnlp.extract_many([EXAMPLE, ""]))
    assert len(records) == 2
    assert records[0].id is None and records[1] == DocumentRecord()


def test_api_extract_many_rejects_bad_item() -> None:
    with pytest.raises(TypeError, match="int"):
        list(kommunnlp.extract_many([EXAMPLE, 7]))  # type: ignore[list-item]


@pytest.mark.parametrize("n_process", [1, 2])
def test_api_extract_many_n_process(n_process: int) -> None:
    texts = sample_texts()[:16]
    expected = [kommunnlp.extract(t) for t in texts]
    got = list(kommunnlp.extract_many(texts, n_process=n_process, batch_size=4))
    assert got == expected


def test_api_doc_exposes_record(nlp) -> None:
    doc = nlp(EXAMPLE)
    assert doc._.record == kommunnlp.extract(EXAMPLE)
    for key in RECORD_TYPES:
        assert key in doc.spans
        assert len(doc.spans[key]) <= len(getattr(doc._.record, key))


def test_api_doc_pickles(nlp) -> None:
    doc = nlp(EXAMPLE)
    restored = pickle.loads(pickle.dumps(doc))
    assert restored._.record == doc._.record
    assert {k: len(v) for k, v in restored.spans.items()} == {k: len(v) for k, v in doc.spans.items()}


def test_api_docbin_roundtrip(nlp) -> None:
    docs = list(nlp.pipe(sample_texts()[:8]))
    data = DocBin(docs=docs, store_user_data=True).to_bytes()
    restored = list(DocBin().from_bytes(data).get_docs(nlp.vocab))
    assert [d._.record for d in restored] == [d._.record for d in docs]


def test_api_to_disk_then_spacy_load_in_fresh_process(nlp, tmp_path: Path) -> None:
    nlp.to_disk(tmp_path / "pipeline")
    texts = sample_texts()
    (tmp_path / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    script = (
        "import json, sys, spacy\n"
        "nlp = spacy.load(sys.argv[1])\n"
        "texts = json.load(open(sys.argv[2], encoding='utf-8'))\n"
        "print(json.dumps([d._.record.model_dump(mode='json') for d in nlp.pipe(texts)]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "pipeline"), str(tmp_path / "texts.json")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout)
    assert loaded == [kommunnlp.extract(t).model_dump(mode="json") for t in texts]


def test_api_load_saved_pipeline(nlp, tmp_path: Path) -> None:
    nlp.to_disk(tmp_path)
    loaded = kommunnlp.load(tmp_path)
    assert loaded.pipe_names == nlp.pipe_names
    assert kommunnlp.extract(EXAMPLE, nlp=loaded) == kommunnlp.extract(EXAMPLE)


def test_api_load_rejects_missing_pipeline(tmp_path: Path) -> None:
    with pytest.raises(OSError, match=r"nlp\.to_disk"):
        kommunnlp.load(tmp_path / "nowhere")


@pytest.mark.parametrize("factory", sorted(COMPONENTS))
def test_api_factories_available_through_entry_points(factory: str) -> None:
    script = "import spacy, sys\nnlp = spacy.blank('sv')\nnlp.add_pipe(sys.argv[1])\nprint(nlp.pipe_names[0])\n"
    proc = subprocess.run([sys.executable, "-c", script, factory], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == factory


@pytest.mark.parametrize("factory", sorted(COMPONENTS))
def test_api_component_bytes_and_disk_roundtrip(factory: str, tmp_path: Path) -> None:
    nlp = spacy.blank("sv")
    component = nlp.add_pipe(factory)
    other = spacy.blank("sv").add_pipe(factory)
    other.data = {}
    other.from_bytes(component.to_bytes())
    assert other.data == component.data
    component.to_disk(tmp_path / factory)
    third = spacy.blank("sv").add_pipe(factory)
    third.data = {}
    third.from_disk(tmp_path / factory)
    assert third.data == component.data
    assert third(nlp.make_doc(EXAMPLE))._.kommunnlp == component(nlp.make_doc(EXAMPLE))._.kommunnlp


def test_schema_checked_in_matches_models() -> None:
    checked_in = (ROOT / SCHEMA_FILE).read_text(encoding="utf-8")
    assert checked_in == render(document_record_schema()), (
        "schema drifted from the models: run `python -m kommunnlp.schema` and commit the result"
    )


@pytest.mark.parametrize("n_process", [1, 2])
def test_api_extract_many_reads_input_lazily(n_process: int) -> None:
    pulled = 0

    def texts():
        nonlocal pulled
        for i in range(100_000):
            pulled += 1
            yield f"Dnr KS 2018/{i}"

    records = kommunnlp.extract_many(texts(), n_process=n_process, batch_size=4)
    first = next(records)
    records.close()
    assert first.dnr[0].number == "0"
    assert pulled <= (2 * n_process + 1) * 4


def test_api_extract_many_bad_item_with_workers() -> None:
    with pytest.raises(TypeError, match="int"):
        list(kommunnlp.extract_many([EXAMPLE, 7], n_process=2))  # type: ignore[list-item]
