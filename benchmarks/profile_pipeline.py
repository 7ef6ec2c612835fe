"""Profile kommunnlp on the benchmark corpus with pyinstrument (one process).

    python -m benchmarks.profile_pipeline [-n 500] [--convert] [--html out.html]
    python -m benchmarks.profile_pipeline -n 2000 --stages     # CPU seconds per pipeline stage

Prints the call tree and the functions with the most own time (pyinstrument samples wall
time: on a busy machine the proportions hold, the seconds do not). ``--convert`` profiles the
batch converter (reading, records, JSON lines) on the same corpus written to files instead
of ``extract_many`` alone. ``--stages`` skips the profiler and prints the CPU time of each stage
(kommunnlp's tokenizer, each component, building records) against spaCy's default tokenizer's.
Run one stage at a time over all documents, each component folds every text again (the pipeline
folds it once for all five), so the stages overstate the components by about 0.1x the tokenizer.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import spacy
from pyinstrument import Profiler
from spacy.language import Language

import kommunnlp
from benchmarks.corpus import build_corpus
from kommunnlp.archive import InputItem, convert_batch


def print_stages(nlp: Language, texts: list[str]) -> None:
    """CPU seconds of each stage over ``texts``, one stage at a time, against spaCy's own
    tokenizer (``spacy.blank("sv")``, the benchmark's (a)) measured in the same run."""
    blank = spacy.blank("sv")
    blank.max_length = nlp.max_length
    start = time.process_time()
    for text in texts:
        blank.make_doc(text)
    base = time.process_time() - start
    start = time.process_time()
    docs = [nlp.make_doc(text) for text in texts]
    stages = {"kommunnlp tokenizer": time.process_time() - start}
    for name, component in nlp.pipeline:
        start = time.process_time()
        docs = [component(doc) for doc in docs]
        stages[name] = time.process_time() - start
    start = time.process_time()
    for doc in docs:
        doc._.record  # noqa: B018  (the getter builds the record)
    stages["records (doc._.record)"] = time.process_time() - start
    print(f"{'spacy.blank tokenizer (a)':<28} {base:7.2f} s CPU  {1:5.2f} x (a)")
    for name, seconds in stages.items():
        print(f"{name:<28} {seconds:7.2f} s CPU  {seconds / base:5.2f} x (a)")
    total = sum(stages.values())
    after_tokenizer = total - stages["kommunnlp tokenizer"]
    print(f"{'components and records':<28} {after_tokenizer:7.2f} s CPU  {after_tokenizer / base:5.2f} x (a)")
    print(f"{'total':<28} {total:7.2f} s CPU  b/a = {base / total:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500)
    parser.add_argument("--convert", action="store_true")
    parser.add_argument("--html", type=Path)
    parser.add_argument("--stages", action="store_true")
    args = parser.parse_args(argv)
    texts = list(build_corpus(args.n, seed=0))
    nlp = kommunnlp.load()
    kommunnlp.extract("Dnr KS 2019/1", nlp=nlp)  # first-call costs outside the profile
    if args.stages:
        print_stages(nlp, texts)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        items = []
        for i, text in enumerate(texts):
            path = Path(tmp) / f"{i:06}.txt"
            path.write_text(text, encoding="utf-8")
            items.append(InputItem(path=path, id=path.name))
        profiler = Profiler(interval=0.0005)
        with profiler:
            if args.convert:
                for start in range(0, len(items), 64):
                    b"".join(line.data for line in convert_batch(nlp, items[start : start + 64], batch_size=64))
            else:
                for _ in kommunnlp.extract_many(texts, nlp=nlp, batch_size=64):
                    pass
    print(profiler.output_text(unicode=False, color=False, show_all=False))
    print("top functions by own time:")
    flat = profiler.output_text(unicode=False, color=False, flat=True, show_all=False)
    print("\n".join(flat.splitlines()[:40]))
    if args.html:
        args.html.write_text(profiler.output_html(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
