"""The Ray engine on a local 2-CPU cluster: the same records as the local engine, also when a
worker process is killed mid-run. One cluster serves the whole module (start-up is paid once).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("ray", reason="Ray is not installed: pip install 'kommunnlp[ray]'")

import ray

import kommunnlp
from kommunnlp.cli import _register, app
from kommunnlp.distributed.ray import cluster, convert_archive, extract_dataset, record_schema
from kommunnlp.records import RECORD_TYPES, DocumentRecord

pytestmark = [
    pytest.mark.ray,
    # Ray's own DataContext warns about its own deprecated settings when a thread first uses it.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context"),
]

#: Bad files beside the corpus documents, so the errors file and exit code 1 are compared too.
BAD_FILES = {"empty.txt": b"", "binary.txt": b"\x00\x01\x02 not text"}


def read_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def by_id(lines: list[dict]) -> dict[str, dict]:
    return {line["id"]: line for line in lines}


def ray_workers() -> list[int]:
    """PIDs of the Ray Data actor processes started under this process (Linux /proc)."""
    parents: dict[int, int] = {}
    titles: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            titles[int(entry)] = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue  # the process ended meanwhile
        # The command name in parentheses may hold spaces; the fields after it are fixed.
        parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    me = os.getpid()

    def descends(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == me:
                return True
        return False

    return [pid for pid, title in titles.items() if title.startswith("ray::MapWorker") and descends(pid)]


@pytest.fixture(scope="module")
def ray_cluster():
    """A local cluster with 2 CPUs, started by the engine's own ``cluster()`` (no address)."""
    with cluster(num_cpus=2):
        yield ray.get_runtime_context().gcs_address
    assert not ray.is_initialized()


@pytest.fixture(scope="module")
def archive(corpus, tmp_path_factory) -> Path:
    """The corpus documents as .txt files, plus an empty and a binary file."""
    root = tmp_path_factory.mktemp("archive")
    for doc in corpus:
        (root / f"{doc['id']}.txt").write_text(doc["text"], encoding="utf-8")
    for name, data in BAD_FILES.items():
        (root / name).write_bytes(data)
    return root


@pytest.fixture(scope="module")
def local_output(archive, tmp_path_factory) -> tuple[int, Path]:
    """The local engine's exit code and OUT for ``archive``."""
    _register()
    out = tmp_path_factory.mktemp("local") / "out.jsonl"
    result = CliRunner().invoke(app, ["convert", str(archive), "-o", str(out)])
    assert result.exit_code == 1, result.output  # the two bad files
    return result.exit_code, out


def test_ray_record_schema_follows_record():
    schema = record_schema()
    assert schema.names == [*DocumentRecord.model_fields, "chars", "error"]
    for name, model in RECORD_TYPES.items():
        struct = schema.field(name).type.value_type
        assert [struct.field(i).name for i in range(struct.num_fields)] == list(model.model_fields)


def test_ray_convert_equals_local_engine(ray_cluster, archive, local_output, tmp_path):
    """``kommunnlp convert --engine ray --address ...`` joins the cluster from another process."""
    local_code, local_out = local_output
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-c", "from kommunnlp.cli import main; main()", "convert", str(archive)]
    cmd += ["-o", str(out), "--engine", "ray", "--address", ray_cluster, "--num-workers", "2", "--batch-size", "4"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == local_code, result.stderr
    local, distributed = by_id(read_lines(local_out)), by_id(read_lines(out))
    assert len(local) == len(archive_docs(archive)) - len(BAD_FILES)
    assert distributed == local
    local_errors = read_lines(local_out.with_name("out.errors.jsonl"))
    assert by_id(read_lines(out.with_name("out.errors.jsonl"))) == by_id(local_errors)
    assert sorted(by_id(local_errors)) == sorted(BAD_FILES)
    # Input order, as the local engine writes: the files compare byte for byte.
    assert out.read_bytes() == local_out.read_bytes()


def archive_docs(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker processes through /proc")
def test_ray_convert_survives_killed_worker(ray_cluster, archive, local_output, tmp_path):
    """A worker killed by SIGKILL mid-run is restarted; every document is in OUT exactly once."""
    copies = tmp_path / "archive"
    for n in range(4):  # enough small batches that the run is still going when the kill lands
        (copies / f"copy{n}").mkdir(parents=True)
        for path in archive_docs(archive):
            if path.name not in BAD_FILES:
                (copies / f"copy{n}" / path.name).write_bytes(path.read_bytes())
    expected = {f"copy{n}/{p.name}" for n in range(4) for p in archive_docs(archive) if p.name not in BAD_FILES}
    out = tmp_path / "out.jsonl"
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["summary"] = convert_archive([copies], out, batch_size=2, num_workers=2)
        except BaseException as err:  # reported by the main thread
            outcome["error"] = err

    worker = threading.Thread(target=run)
    worker.start()
    killed, lines_at_kill = None, -1
    deadline = time.monotonic() + 240
    while worker.is_alive() and killed is None and time.monotonic() < deadline:
        written = len(out.read_bytes().splitlines()) if out.exists() else 0
        pids = ray_workers()
        if written >= 4 and pids:
            killed, lines_at_kill = pids[0], written
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.05)
    worker.join(timeout=300)
    assert "error" not in outcome, outcome.get("error")
    assert killed is not None, "the run ended before a worker could be killed"
    assert lines_at_kill < len(expected), "the kill landed after the last document"
    ids = [line["id"] for line in read_lines(out)]
    assert len(ids) == len(set(ids)) == len(expected)
    assert set(ids) == expected
    assert outcome["summary"].exit_code == 0
    # The restarted worker's records are the local engine's too.
    local = by_id(read_lines(local_output[1]))
    for line in read_lines(out):
        name = line["id"].split("/", 1)[1]
        assert {k: v for k, v in line.items() if k not in ("id", "source")} == {
            k: v for k, v in local[name].items() if k not in ("id", "source")
        }


EXTRACT_CASES = [
    # (text column value, error expected)
    ("Dnr KS 2019/1899. Kommunfullmäktige beslutar den 3 mars 2020.", None),
    ("Kommunstyrelsen föreslår att bifalla motionen.".encode("cp1252"), None),
    ("", None),
    (None, "no text: expected str or bytes, got NoneType"),
    (b"\x00binary", "binary file (contains NUL bytes): not a text document"),
]


@pytest.fixture(scope="module")
def extracted_rows(ray_cluster) -> dict[str, dict]:
    items = [{"id": f"doc{i}", "text": text, "municipality": "Ale"} for i, (text, _) in enumerate(EXTRACT_CASES)]
    ds = ray.data.from_items(items)
    rows = extract_dataset(ds, batch_size=2, concurrency=1).take_all()
    return {row["id"]: row for row in rows}


@pytest.mark.parametrize(("index", "case"), list(enumerate(EXTRACT_CASES)))
def test_ray_extract_dataset_rows(extracted_rows, index, case):
    text, error = case
    assert len(extracted_rows) == len(EXTRACT_CASES)  # nothing dropped
    row = extracted_rows[f"doc{index}"]
    assert row["error"] == error
    assert row["municipality"] == "Ale"  # other columns travel along
    assert "text" not in row
    if error is None:
        decoded = text.decode("cp1252") if isinstance(text, bytes) else text
        expected = kommunnlp.extract(decoded, id=f"doc{index}").model_dump(mode="json")
        assert {name: row[name] for name in expected} == expected
        assert row["chars"] == len(decoded)
    else:
        assert row["chars"] is None
        assert all(row[name] == [] for name in RECORD_TYPES)


def test_ray_extract_dataset_reads_files_like_local_engine(ray_cluster, archive, local_output):
    """Over Ray's own reader, with the default (growing) pool: the reads get a CPU too."""
    rows: list[dict] = []
    files = ray.data.read_binary_files(str(archive), include_paths=True)
    # The pool must leave a CPU to the read tasks; should it not, this would wait forever.
    reader = threading.Thread(
        target=lambda: rows.extend(extract_dataset(files, text_column="bytes", id_column="path").iter_rows())
    )
    reader.start()
    reader.join(timeout=240)
    assert not reader.is_alive(), "extract_dataset over read_binary_files did not finish"
    local = by_id(read_lines(local_output[1]))
    by_name = {Path(row["id"]).name: row for row in rows}
    assert sorted(by_name) == sorted(p.name for p in archive_docs(archive))
    assert by_name["binary.txt"]["error"] == "binary file (contains NUL bytes): not a text document"
    assert by_name["empty.txt"]["error"] is None and by_name["empty.txt"]["chars"] == 0
    for name, line in local.items():
        row = by_name[name]
        assert row["error"] is None
        assert {k: row[k] for k in RECORD_TYPES} == {k: line[k] for k in RECORD_TYPES}
        assert row["chars"] == line["chars"]


def test_ray_convert_resumes_a_cut_run(ray_cluster, archive, local_output, tmp_path):
    """A run cut off mid-line (begun here by the local engine) is finished by the Ray engine."""
    local_out = local_output[1]
    lines = local_out.read_bytes().splitlines(keepends=True)
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"".join(lines[:20]) + lines[20][:15])  # whole lines, then a partial one
    errors = local_out.with_name("out.errors.jsonl")
    out.with_name("out.errors.jsonl").write_bytes(errors.read_bytes())
    summary = convert_archive([archive], out, resume=True, batch_size=8, num_workers=2)
    assert out.read_bytes() == local_out.read_bytes()
    assert out.with_name("out.errors.jsonl").read_bytes() == errors.read_bytes()
    assert (summary.documents, summary.skipped, summary.exit_code) == (len(lines) - 20, 20 + len(BAD_FILES), 1)
