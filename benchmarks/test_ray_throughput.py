"""The Ray engine against the local engine, on the same generated corpus, in one run.

(l1) ``kommunnlp convert``, one process; (l2) ``--n-process 2``; (r2) ``--engine ray`` on a local
Ray cluster of 2 CPUs (2 actors). Ray's start-up is reported apart: the cluster start
(``ray.init``, once per session) and the actor pool's start (each run starts its own pool and
each actor loads the pipeline), measured as a run over two documents.

Run: ``.venv/bin/pytest benchmarks/test_ray_throughput.py -s`` (needs ``kommunnlp[ray]``;
not part of the default test run). ``KOMMUNNLP_BENCH_N`` sets the number of documents
(default 2000), as in ``benchmarks/test_throughput.py``.

Wall clock only: Ray's work happens in processes this one does not wait for, so the CPU-time
clock of ``test_throughput.py`` cannot see it. On a shared machine compare the figures of one
run with each other (the load average is printed), not across runs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="the Ray engine needs the extra: pip install 'kommunnlp[ray]'")

from benchmarks.corpus import write_corpus
from kommunnlp.archive import ConvertSummary
from kommunnlp.cli.convert_cmd import convert_local
from kommunnlp.distributed.ray import cluster, convert_archive

N_DOCS = int(os.environ.get("KOMMUNNLP_BENCH_N", "2000"))
BATCH_SIZE = 64
WORKERS = 2


@dataclass(frozen=True)
class Timing:
    docs: int
    words: int
    seconds: float

    @property
    def words_per_s(self) -> float:
        return self.words / self.seconds


RESULTS: dict[str, Timing] = {}
OUTS: dict[str, Path] = {}
STARTUP: dict[str, float] = {}


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ray-corpus")
    write_corpus(root, N_DOCS, seed=0)
    return root


def timed(key: str, run: Callable[[], ConvertSummary], out: Path) -> None:
    start = time.perf_counter()
    summary = run()
    seconds = time.perf_counter() - start
    assert summary.errors == 0 and summary.documents == N_DOCS
    RESULTS[key] = Timing(summary.documents, summary.words, seconds)
    OUTS[key] = out


def test_ray_throughput_local_one_process(corpus_dir: Path, tmp_path: Path):
    out = tmp_path / "l1.jsonl"
    timed("l1", lambda: convert_local([corpus_dir], out, batch_size=BATCH_SIZE), out)


def test_ray_throughput_local_two_processes(corpus_dir: Path, tmp_path: Path):
    out = tmp_path / "l2.jsonl"
    timed("l2", lambda: convert_local([corpus_dir], out, batch_size=BATCH_SIZE, n_process=WORKERS), out)


def test_ray_throughput_ray_two_workers(corpus_dir: Path, tmp_path: Path):
    out = tmp_path / "r2.jsonl"
    start = time.perf_counter()
    with cluster(num_cpus=WORKERS):
        STARTUP["cluster"] = time.perf_counter() - start
        # Every run starts its own actor pool, and each actor loads the pipeline: a run of a
        # few documents costs just that.
        few = sorted(corpus_dir.rglob("*.txt"))[:WORKERS]
        start = time.perf_counter()
        convert_archive(few, tmp_path / "warm-up.jsonl", batch_size=1, num_workers=WORKERS)
        STARTUP["pool"] = time.perf_counter() - start
        timed("r2", lambda: convert_archive([corpus_dir], out, batch_size=BATCH_SIZE, num_workers=WORKERS), out)
    if "l2" in OUTS:
        assert out.read_bytes() == OUTS["l2"].read_bytes()  # the same records, byte for byte


def test_ray_throughput_report(capsys: pytest.CaptureFixture[str]):
    if set(RESULTS) != {"l1", "l2", "r2"}:
        pytest.skip("run the whole module: the report compares every measurement")
    names = {
        "l1": "convert, 1 process",
        "l2": f"convert, --n-process {WORKERS}",
        "r2": f"convert, --engine ray ({WORKERS} CPUs)",
    }
    r = RESULTS
    lines = [
        f"\ncorpus: {r['l1'].docs} documents, {r['l1'].words:,} words (seed 0); {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}; wall clock, end to end (pipeline loading included)",
    ]
    for key, name in names.items():
        t = r[key]
        lines.append(
            f"({key}) {name:<32} {t.words_per_s:>9,.0f} words/s {t.docs / t.seconds:>7.1f} docs/s {t.seconds:7.1f} s"
        )
    net = r["r2"].words / max(r["r2"].seconds - STARTUP["pool"], 1e-9)
    lines.append(
        f"Ray start-up, apart: cluster start {STARTUP['cluster']:.1f} s (once per session); "
        f"actor pool with pipeline load {STARTUP['pool']:.1f} s (every run, included in r2)"
    )
    lines.append(f"(r2) less its pool start-up (estimate: r2 time minus the 2-document run): {net:,.0f} words/s")
    lines.append(
        f"r2/l2 = {r['r2'].words_per_s / r['l2'].words_per_s:.2f} (net of pool start-up "
        f"{net / r['l2'].words_per_s:.2f}); l2/l1 = {r['l2'].words_per_s / r['l1'].words_per_s:.2f}"
    )
    with capsys.disabled():
        print("\n".join(lines))
