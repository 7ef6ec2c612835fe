"""``kommunnlp convert``: bad files never stop a run, nothing half-written, resume, exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from spacy.language import Language
from typer.testing import CliRunner

import kommunnlp
import kommunnlp.api
import kommunnlp.archive
import kommunnlp.pipeline
from kommunnlp.archive import (
    SCHEMA_FILE,
    ConvertedRecord,
    ErrorLine,
    InputItem,
    convert_batch,
    cut_partial_line,
    errors_path,
    iter_inputs,
    load_done_ids,
    render_schema,
)
from kommunnlp.cli import _register, app

ROOT = Path(__file__).resolve().parent.parent
_register()

GOOD = {
    "ks/protokoll.txt": "Kommunstyrelsen\nSammanträdesdatum 2019-03-04\nDnr KS 2019/112\n\nKommunstyrelsen beslutar\n1. att bifalla motionen.\n",
    "ks/kallelse.txt": "Kallelse till kommunfullmäktige den 12 mars 2020.\nÄrende 3: Motion från Anna Berg (V).\n",
    "bun/tjut.txt": "\ufeffTjänsteutlåtande\nBarn- och utbildningsförvaltningen föreslår att nämnden godkänner rapporten.\n",
}
# Invented cp1252 text with characters latin-1 lacks (the dash, the euro sign).
CP1252_TEXT = "Socialnämnden beslutar – kostnad 5 000 € – att återremittera ärendet.\n"


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def read_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def make_archive(root: Path, unreadable: str) -> set[str]:
    """Good files plus one of each kind of bad file; returns every id the walk must yield."""
    for rel, text in GOOD.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "legacy").mkdir()
    (root / "legacy/cp1252.txt").write_bytes(CP1252_TEXT.encode("cp1252"))
    (root / "empty.txt").write_bytes(b"")
    (root / "scan.txt").write_bytes(b"%PDF\x00\x01\x02 binary")
    (root / "huge.txt").write_text("Dnr KS 2019/1 " * 400, encoding="utf-8")
    if unreadable == "dangling-symlink":
        (root / "gone.txt").symlink_to(root / "does-not-exist.txt")
    else:
        os.mkfifo(root / "gone.txt")
    return {*GOOD, "legacy/cp1252.txt", "empty.txt", "scan.txt", "huge.txt", "gone.txt"}


@pytest.mark.parametrize("unreadable", ["dangling-symlink", "fifo"])
def test_convert_bad_files_each_input_once_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unreadable: str):
    ids = make_archive(tmp_path / "archive", unreadable)
    seen_texts: dict[str, str] = {}
    real_extract_many = kommunnlp.api.extract_many

    def spy(texts, **kwargs):
        def record(pairs):
            for text, doc_id in pairs:
                seen_texts[doc_id] = text
                yield text, doc_id

        return real_extract_many(record(texts), **kwargs)

    monkeypatch.setattr(kommunnlp.api, "extract_many", spy)
    out = tmp_path / "out.jsonl"
    result = invoke("convert", str(tmp_path / "archive"), "-o", str(out), "--max-bytes", "1000")
    assert result.exit_code == 1, result.output
    records, errors = read_lines(out), read_lines(errors_path(out))
    all_ids = [r["id"] for r in records] + [e["id"] for e in errors]
    assert sorted(all_ids) == sorted(ids)
    assert {e["id"] for e in errors} == {"empty.txt", "scan.txt", "huge.txt", "gone.txt"}
    for error in errors:
        ErrorLine.model_validate(error)
    legacy = next(r for r in records if r["id"] == "legacy/cp1252.txt")
    assert legacy["encoding"] == "cp1252"
    assert seen_texts["legacy/cp1252.txt"] == CP1252_TEXT
    assert legacy["chars"] == len(CP1252_TEXT)
    bom = next(r for r in records if r["id"] == "bun/tjut.txt")
    assert bom["encoding"] == "utf-8-sig"
    assert seen_texts["bun/tjut.txt"] == GOOD["bun/tjut.txt"].lstrip("\ufeff")
    assert "4 errors" in result.stderr


@pytest.mark.parametrize(
    ("reason_part", "file_id"),
    [
        ("empty", "empty.txt"),
        ("binary", "scan.txt"),
        ("--max-bytes", "huge.txt"),
        ("unreadable", "gone.txt"),
    ],
)
def test_convert_error_reasons_name_the_cause(tmp_path: Path, reason_part: str, file_id: str):
    make_archive(tmp_path / "archive", "dangling-symlink")
    out = tmp_path / "out.jsonl"
    invoke("convert", str(tmp_path / "archive"), "-o", str(out), "--max-bytes", "1000")
    reasons = {e["id"]: e["reason"] for e in read_lines(errors_path(out))}
    assert reason_part in reasons[file_id]


def test_convert_all_good_exit_0_and_no_errors_file(tmp_path: Path):
    archive = tmp_path / "archive"
    for rel, text in GOOD.items():
        (archive / rel).parent.mkdir(parents=True, exist_ok=True)
        (archive / rel).write_text(text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = invoke("convert", str(archive), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(r["id"] for r in read_lines(out)) == sorted(GOOD)
    assert not errors_path(out).exists()


@pytest.mark.parametrize(
    ("glob", "expected"),
    [
        (None, ["a/b/deep.txt", "a/notes.md", "top.txt"]),
        ("*.txt", ["a/b/deep.txt", "top.txt"]),
        ("a/*.md", ["a/notes.md"]),
        ("a/b/*", ["a/b/deep.txt"]),
    ],
)
def test_convert_ids_relative_posix_with_glob(tmp_path: Path, glob: str | None, expected: list[str]):
    for rel in ["top.txt", "a/notes.md", "a/b/deep.txt", ".hidden.txt"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("Dnr KS 2019/1\n", encoding="utf-8")
    assert [item.id for item in iter_inputs([tmp_path], glob=glob)] == expected


def test_convert_file_input_id_is_its_name(tmp_path: Path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x/beslut.txt").write_text("Beslut\n", encoding="utf-8")
    assert [item.id for item in iter_inputs([tmp_path / "x/beslut.txt"])] == ["beslut.txt"]


@pytest.mark.parametrize(
    "args",
    [
        ["convert", "{missing}", "-o", "{out}"],
        ["convert", "{archive}"],
        ["convert", "{archive}", "-o", "{out}", "--n-process", "0"],
        ["convert", "{archive}", "-o", "{out}", "--engine", "spark"],
        ["convert", "{archive}", "-o", "{out}", "--address", "ray://head:10001"],
        ["convert", "{archive}", "-o", "{out}", "--model", "{missing}"],
        ["convert", "{archive}", "-o", "{archive}"],
    ],
)
def test_convert_usage_errors_exit_2(tmp_path: Path, args: list[str]):
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive/a.txt").write_text("Dnr KS 2019/1\n", encoding="utf-8")
    values = {
        "missing": str(tmp_path / "nope"),
        "out": str(tmp_path / "out.jsonl"),
        "archive": str(tmp_path / "archive"),
    }
    result = invoke(*(a.format(**values) for a in args))
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "out.jsonl").exists()


def test_convert_ray_engine_missing_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "kommunnlp.distributed.ray", None)  # as if not installed
    (tmp_path / "a.txt").write_text("Dnr KS 2019/1\n", encoding="utf-8")
    result = invoke("convert", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out.jsonl"), "--engine", "ray")
    assert result.exit_code == 2
    assert "kommunnlp[ray]" in result.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", b""),
        (b'{"id": "a"}\n', b'{"id": "a"}\n'),
        (b'{"id": "a"}\n{"id": "b', b'{"id": "a"}\n'),
        (b'{"id": "half', b""),
        (b'{"id": "a"}\n{"id": "b"}\n{', b'{"id": "a"}\n{"id": "b"}\n'),
    ],
)
def test_convert_cut_partial_line(tmp_path: Path, content: bytes, expected: bytes):
    path = tmp_path / "out.jsonl"
    path.write_bytes(content)
    assert cut_partial_line(path) == len(content) - len(expected)
    assert path.read_bytes() == expected


def test_convert_resume_skips_done_and_counts_old_errors(tmp_path: Path):
    make_archive(tmp_path / "archive", "dangling-symlink")
    out = tmp_path / "out.jsonl"
    first = invoke("convert", str(tmp_path / "archive"), "-o", str(out), "--max-bytes", "1000")
    before = out.read_bytes()
    second = invoke("convert", str(tmp_path / "archive"), "-o", str(out), "--max-bytes", "1000", "--resume")
    assert (first.exit_code, second.exit_code) == (1, 1)
    assert out.read_bytes() == before
    assert len(read_lines(errors_path(out))) == 4
    assert "0 documents, 4 errors, 8 skipped" in second.stderr


def test_convert_n_process_2_matches_one_process(tmp_path: Path):
    archive = tmp_path / "archive"
    for i in range(40):
        (archive / f"d{i:02}.txt").parent.mkdir(parents=True, exist_ok=True)
        (archive / f"d{i:02}.txt").write_text(
            f"Dnr KS 2019/{i}\nKommunstyrelsen beslutar att bifalla.\n", encoding="utf-8"
        )
    outs = []
    for n in ("1", "2"):
        out = tmp_path / f"out{n}.jsonl"
        result = invoke("convert", str(archive), "-o", str(out), "--n-process", n, "--batch-size", "4")
        assert result.exit_code == 0, result.output
        outs.append([{k: v for k, v in r.items() if k != "source"} for r in read_lines(out)])
    assert outs[0] == outs[1]
    assert len(outs[0]) == 40


def test_convert_schema_checked_in_matches_model():
    checked_in = (ROOT / SCHEMA_FILE).read_text(encoding="utf-8")
    assert checked_in == render_schema(), "schema drifted: run `python -m kommunnlp.archive` and commit it"


def _generated_archive(root: Path, n: int) -> None:
    # Invented, varied, long enough that a run takes a while: enough time to kill it midway.
    organs = ["Kommunstyrelsen", "Socialnämnden", "Barn- och utbildningsnämnden", "Tekniska nämnden"]
    for i in range(n):
        organ = organs[i % len(organs)]
        body = f"{organ} beslutar att godkänna förvaltningens förslag i ärende {i}. " * (40 + i % 30)
        path = root / f"{i % 7}" / f"doc{i:04}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"{organ}\nDnr KS 2019/{i}\nSammanträde 2019-0{1 + i % 9}-1{i % 10}\n\n{body}\n", encoding="utf-8"
        )


def test_convert_sigkill_midway_then_resume_each_document_once(tmp_path: Path):
    n = 300
    _generated_archive(tmp_path / "archive", n)
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-c", "from kommunnlp.cli import main; main()", "convert", str(tmp_path / "archive")]
    cmd += ["-o", str(out), "--batch-size", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300  # a loaded machine can take long to import spaCy
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.stat().st_size > 0:
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = out.read_bytes()
    lines_at_kill = written.count(b"\n")
    assert 0 < lines_at_kill < n, "the run was not killed midway"
    # A kill can also land inside a write: simulate the torn tail the OS might leave.
    out.write_bytes(written + b'{"id": "3/doc0003.txt", "dnr": [')

    result = invoke("convert", str(tmp_path / "archive"), "-o", str(out), "--resume", "--batch-size", "8")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    ids = [ConvertedRecord.model_validate(data).id for data in lines]
    assert len(ids) == n
    assert len(set(ids)) == n
    assert load_done_ids(out) == set(ids)
    # The checked-in schema, as a consumer without pydantic would check the lines.
    jsonschema = pytest.importorskip("jsonschema", reason="install the test extra (jsonschema) to validate")
    validator = jsonschema.Draft202012Validator(json.loads((ROOT / SCHEMA_FILE).read_text(encoding="utf-8")))
    for data in lines:
        validator.validate(data)


@Language.component("convert_test_boom")
def _boom(doc):
    if "BOOM" in doc.text:
        raise ValueError("boom")
    return doc


@pytest.mark.parametrize(
    ("texts", "failed"),
    [
        (["Dnr KS 2019/1\n", "BOOM\n", "Dnr KS 2019/3\n"], {"d1.txt"}),
        (["BOOM\n", "BOOM\n", "Beslut\n"], {"d0.txt", "d1.txt"}),
        (["Beslut\n", "Beslut\n"], set()),
    ],
)
def test_convert_batch_pipeline_error_becomes_error_line(tmp_path: Path, texts: list[str], failed: set[str]):
    nlp = kommunnlp.load()
    nlp.add_pipe("convert_test_boom")
    items = []
    for i, text in enumerate(texts):
        (tmp_path / f"d{i}.txt").write_text(text, encoding="utf-8")
        items.append(InputItem(path=tmp_path / f"d{i}.txt", id=f"d{i}.txt"))
    lines = convert_batch(nlp, items, batch_size=2)
    assert sorted(line.id for line in lines) == [item.id for item in items]
    assert {line.id for line in lines if line.error} == failed
    for line in lines:
        data = json.loads(line.data)
        if line.error:
            assert data["reason"] == "extraction failed: ValueError: boom"
        else:
            ConvertedRecord.model_validate(data)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"id": "a"}\n{"id": "b"}\n', {"a", "b"}),
        (b'{"id": "a"}\nnot json\n[1, 2]\n{"id": 3}\n\n', {"a"}),
        (b'{"id": "a"}\n{"id": "b', {"a"}),
    ],
)
def test_convert_load_done_ids_trusts_whole_lines_only(tmp_path: Path, content: bytes, expected: set[str]):
    path = tmp_path / "out.jsonl"
    path.write_bytes(content)
    assert load_done_ids(path) == expected


@pytest.mark.parametrize(("limit", "loads"), [(0, 4), (10**9, 1)])
def test_convert_pipeline_renewed_when_vocab_grows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int, loads: int
):
    for i in range(6):
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / f"d{i}.txt").write_text(f"Dnr KS 2019/{i}\nOrd{i} nummer{i}\n", encoding="utf-8")
    calls = []
    real_load = kommunnlp.pipeline.load

    def counting_load(*args, **kwargs):
        calls.append(args)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(kommunnlp.pipeline, "load", counting_load)
    monkeypatch.setattr(kommunnlp.archive, "VOCAB_LIMIT", limit)
    out = tmp_path / "out.jsonl"
    result = invoke("convert", str(tmp_path / "in"), "-o", str(out), "--batch-size", "2")
    assert result.exit_code == 0, result.output
    assert len(calls) == loads  # the run's own load, then one after each of the 3 batches
    assert sorted(r["id"] for r in read_lines(out)) == [f"d{i}.txt" for i in range(6)]


def test_convert_out_inside_input_is_not_an_input(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Dnr KS 2019/1\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    out = tmp_path / "out.jsonl"
    for args in ([], ["--resume"], []):
        result = invoke("convert", str(tmp_path), "-o", str(out), *args)
        assert result.exit_code == 1
    assert [r["id"] for r in read_lines(out)] == ["a.txt"]
    assert [e["id"] for e in read_lines(errors_path(out))] == ["empty.txt"]
