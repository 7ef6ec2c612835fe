"""Acceptance 2: ``kommunnlp convert`` keeps memory flat as the archive grows.

Writes the seeded benchmark corpus at two sizes, converts each with the installed command in a
child process and compares the children's peak RSS (``ru_maxrss`` from ``wait4``, which covers
the command and any worker processes it reaped)::

    python -m benchmarks.memory_check [--sizes 2000 20000] [--n-process 1] [--keep DIR]

Exits 1 when the peaks differ by more than ``--tolerance`` (default 10%).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import write_corpus

COMMAND = [sys.executable, "-c", "from kommunnlp.cli import main; main()", "convert"]


def peak_rss_mb(corpus_dir: Path, out: Path, n_process: int) -> tuple[float, float, int]:
    """(peak RSS in MB, wall seconds, exit code) of one ``kommunnlp convert`` run."""
    start = time.perf_counter()
    proc = subprocess.Popen([*COMMAND, str(corpus_dir), "-o", str(out), "--n-process", str(n_process)])
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, time.perf_counter() - start, proc.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--tolerance", type=float, default=0.10)
    parser.add_argument("--keep", type=Path, help="Write corpora and outputs here (default: a temp dir).")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        peaks = []
        for n in args.sizes:
            corpus_dir = root / f"corpus-{n}"
            if not corpus_dir.exists():
                size = write_corpus(corpus_dir, n, seed=0)
                print(f"wrote {n} documents ({size / 1e6:.1f} MB)", flush=True)
            rss, wall, code = peak_rss_mb(corpus_dir, root / f"out-{n}.jsonl", args.n_process)
            lines = sum(1 for _ in (root / f"out-{n}.jsonl").open("rb"))
            print(f"{n:>7} documents: peak RSS {rss:.0f} MB, {wall:.0f} s, exit {code}, {lines} lines", flush=True)
            if code != 0 or lines != n:
                print("conversion incomplete", file=sys.stderr)
                return 1
            peaks.append(rss)
    spread = max(peaks) / min(peaks) - 1
    verdict = "flat" if spread <= args.tolerance else "NOT flat"
    print(f"peak RSS spread {spread:.1%} ({verdict}, tolerance {args.tolerance:.0%})")
    return 0 if spread <= args.tolerance else 1


if __name__ == "__main__":
    raise SystemExit(main())
