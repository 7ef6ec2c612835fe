"""A seeded corpus of realistic municipal documents for benchmarks and memory checks.

Documents are made by sampling and recombining the paragraphs of the gold corpus
(``../shared/corpus/*.jsonl``) and the raw seeds (``../shared/seeds/*.txt``): a document starts
with the opening paragraph of a real one (its heading block) and goes on with paragraphs drawn
from all of them; a share is long (protocols run to many pages), and a share gets OCR-style
damage of the kind the seed scans show (å/ä/ö misread, I as | or 1, words broken over lines).
The same seed gives the same documents, so runs are comparable.

    python benchmarks/corpus.py OUT_DIR [-n 2000] [--seed 0]      # write N files
    from benchmarks.corpus import build_corpus; texts = list(build_corpus(2000))
"""

from __future__ import annotations

import argparse
import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KOMMUNNLP_SHARED", ROOT.parent / "shared"))

# What OCR makes of a character in the seed scans: (chance of a misreading, what it reads as).
OCR_CONFUSIONS: dict[str, tuple[float, tuple[str, ...]]] = {
    "å": (0.5, ("a", "a", "&", "d", "é")),
    "ä": (0.5, ("a", "a", "d", "i", "&")),
    "ö": (0.5, ("o", "o", "6", "d")),
    "Å": (0.3, ("A",)),
    "Ä": (0.3, ("A",)),
    "Ö": (0.3, ("O", "0")),
    "I": (0.15, ("|", "1", "l")),
    "l": (0.02, ("1", "I")),
}


@dataclass(frozen=True)
class Sources:
    """Paragraphs to draw from: the opening ones (headings) and all of them."""

    openings: list[str]
    paragraphs: list[str]


def _paragraphs(text: str) -> list[str]:
    return [p.strip("\n") for p in text.split("\n\n") if p.strip()]


def load_sources(corpus_dir: Path | None = None, seeds_dir: Path | None = None) -> Sources:
    """Paragraphs of every gold document and seed text."""
    corpus_dir = corpus_dir or SHARED / "corpus"
    seeds_dir = seeds_dir or SHARED / "seeds"
    texts: list[str] = []
    for path in sorted(corpus_dir.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            texts.extend(json.loads(line)["text"] for line in fh if line.strip())
    texts.extend(p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt")))
    if not texts:
        raise FileNotFoundError(f"no documents under {corpus_dir} or {seeds_dir} (set KOMMUNNLP_SHARED)")
    openings, paragraphs = [], []
    for text in texts:
        paras = _paragraphs(text)
        if paras:
            openings.append(paras[0])
            paragraphs.extend(paras)
    return Sources(openings=openings, paragraphs=paragraphs)


def ocr_damage(text: str, rng: random.Random) -> str:
    """Misread confusable characters at their rates; break a few words over lines."""
    out: list[str] = []
    for ch in text:
        confusion = OCR_CONFUSIONS.get(ch)
        if confusion and rng.random() < confusion[0]:
            out.append(rng.choice(confusion[1]))
        elif ch == " " and rng.random() < 0.01:
            out.append("\n")  # a line break where the scan wrapped
        else:
            out.append(ch)
    return "".join(out)


def make_document(sources: Sources, rng: random.Random, *, ocr_share: float = 0.3, long_share: float = 0.05) -> str:
    """One document: a real opening, then paragraphs drawn from the whole pool."""
    n_paras = rng.randint(60, 150) if rng.random() < long_share else rng.randint(6, 24)
    parts = [rng.choice(sources.openings), *rng.choices(sources.paragraphs, k=n_paras)]
    text = "\n\n".join(parts) + "\n"
    return ocr_damage(text, rng) if rng.random() < ocr_share else text


def build_corpus(
    n: int = 2000,
    *,
    seed: int = 0,
    ocr_share: float = 0.3,
    sources: Sources | None = None,
) -> Iterator[str]:
    """Yield ``n`` documents (1 to 100,000), the same ones for the same seed."""
    if not 1 <= n <= 100_000:
        raise ValueError(f"n must be between 1 and 100,000, got {n}")
    sources = sources or load_sources()
    rng = random.Random(seed)
    for _ in range(n):
        yield make_document(sources, rng, ocr_share=ocr_share)


def write_corpus(out_dir: Path, n: int = 2000, *, seed: int = 0, ocr_share: float = 0.3) -> int:
    """Write the documents as ``out_dir/NNN/NNNNNN.txt`` (500 per folder); returns bytes written."""
    total = 0
    for i, text in enumerate(build_corpus(n, seed=seed, ocr_share=ocr_share)):
        path = out_dir / f"{i // 500:03}" / f"{i:06}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ocr-share", type=float, default=0.3)
    args = parser.parse_args(argv)
    size = write_corpus(args.out_dir, args.n, seed=args.seed, ocr_share=args.ocr_share)
    print(f"wrote {args.n} documents ({size / 1e6:.1f} MB) to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
