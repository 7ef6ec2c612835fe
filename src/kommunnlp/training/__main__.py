"""``python -m kommunnlp.training``: the steps of project.yml (convert, assemble, evaluate, markup)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

app = typer.Typer(name="kommunnlp.training", help="Train the statistical component (issue 3).", no_args_is_help=True)


@app.command("convert")
def convert_command(
    corpus: Path = typer.Option(..., help="Folder of gold corpus *.jsonl (../shared/corpus)."),
    splits: Path = typer.Option(Path("annotations/splits.json"), help="Held-out and dev municipalities."),
    ours: Path = typer.Option(Path("annotations/ours.jsonl"), help="Our hand-written examples."),
    weak: Path = typer.Option(None, help="Folder of unannotated *.txt to weak-label with the rules."),
    out: Path = typer.Option(Path("annotations/generated"), help="Where the generated data go (not committed)."),
    ocr_copies: bool = typer.Option(True, help="Add an OCR-damaged copy of every clean training example."),
) -> None:
    """Corpus gold + our examples + weak labels -> gold.jsonl, weak.jsonl, train/dev/heldout.spacy."""
    from .convert import convert_corpus, load_splits

    files = sorted(corpus.glob("*.jsonl"))
    if not files:
        raise typer.BadParameter(f"no *.jsonl in {corpus}", param_hint="--corpus")
    weak_files = sorted(weak.glob("*.txt")) if weak and weak.is_dir() else None
    summary = convert_corpus(files, load_splits(splits), out, ours=ours, weak=weak_files, ocr_copies=ocr_copies)
    typer.echo(json.dumps({k: summary[k] for k in ("sources", "counts", "misaligned_spans")}, ensure_ascii=False))


@app.command("train")
def train_command(
    config: Path = typer.Option(Path("configs/cpu.cfg"), help="spaCy training config."),
    data: Path = typer.Option(Path("annotations/generated"), help="convert's output (train.spacy, dev.spacy)."),
    output: Path = typer.Option(Path("models/_training"), help="spaCy training output (not committed)."),
    gpu_id: int = typer.Option(-1, help="GPU id, -1 for CPU."),
    transformer: str = typer.Option("", help="For configs/trf.cfg: a model name or a local directory."),
) -> None:
    """``spacy train`` on the converted data, timed; the time goes into meta.json at assemble."""
    from spacy.cli.train import train

    overrides: dict[str, object] = {"paths.train": str(data / "train.spacy"), "paths.dev": str(data / "dev.spacy")}
    if transformer:
        overrides["paths.transformer"] = transformer
    t0 = time.perf_counter()
    train(config, output, use_gpu=gpu_id, overrides=overrides)
    seconds = round(time.perf_counter() - t0, 1)
    (output / "kommunnlp_training.json").write_text(json.dumps({"seconds": seconds, "config": config.as_posix()}))
    typer.echo(f"trained in {seconds} s")


@app.command("assemble")
def assemble_command(
    trained: Path = typer.Option(..., help="spaCy training output (model-best)."),
    out: Path = typer.Option(..., help="Where the pipeline goes (models/<name>)."),
    name: str = typer.Option("kommunnlp_cpu", help="Pipeline name in meta.json."),
    config: Path = typer.Option(Path("configs/cpu.cfg"), help="The training config, recorded in meta.json."),
    summary: Path = typer.Option(Path("annotations/generated/summary.json"), help="convert's summary."),
    version: str = typer.Option("0.1.0", help="Pipeline version in meta.json."),
) -> None:
    """Trained ner + rule components + merge component -> one pipeline with meta.json."""
    from .assemble import assemble, git_commit, model_size, save

    data = json.loads(summary.read_text(encoding="utf-8")) if summary.is_file() else {}
    nlp = assemble(trained, name=name)
    nlp.meta["version"] = version
    nlp.meta["requirements"] = ["kommunnlp>=0.1"]
    timing = trained.parent / "kommunnlp_training.json"
    if timing.is_file():
        nlp.meta.setdefault("kommunnlp", {})["training_seconds"] = json.loads(timing.read_text())["seconds"]
    save(nlp, out, summary=data, config_path=config, commit=git_commit(Path.cwd()))
    typer.echo(f"{out}: {nlp.pipe_names}, {model_size(out) / 1e6:.1f} MB")


@app.command("evaluate")
def evaluate_command(
    model: Path = typer.Option(..., help="The assembled pipeline (models/<name>)."),
    corpus: Path = typer.Option(..., help="Folder of gold corpus *.jsonl (../shared/corpus)."),
    scorer: Path = typer.Option(..., help="The project's scorer (../shared/tools/score.py)."),
    splits: Path = typer.Option(Path("annotations/splits.json")),
    out: Path = typer.Option(Path("annotations/generated/scores.json")),
    data: Path = typer.Option(Path("annotations/generated"), help="convert's output (heldout.spacy)."),
    invented: Path = typer.Option(
        Path("annotations/ours_test.jsonl"), help="Our invented test documents (programmes, affiliations only)."
    ),
    write_meta: bool = typer.Option(True, help="Store the scores in the model's meta.json."),
) -> None:
    """Score rule-only and the trained pipeline on the held-out municipalities; words/s of both."""
    from .convert import load_splits, ocr_copy, read_jsonl, write_jsonl
    from .evaluate import filter_split, score, span_scores, table, verdict, words_per_second

    held = out.parent / "heldout.jsonl"
    n = filter_split(sorted(corpus.glob("*.jsonl")), load_splits(splits), "heldout", held)
    pipelines = {"rules": "rules", "trained": str(model)}
    tables = {name: score(path, scorer, held) for name, path in pipelines.items()}
    # The same documents with å/ä/ö damaged as the OCR'd seeds show (gold values unchanged).
    held_ocr = out.parent / "heldout_ocr.jsonl"
    write_jsonl(held_ocr, [{**d, "text": ocr_copy(d)["text"]} for d in read_jsonl(held)])
    ocr = {name: score(path, scorer, held_ocr) for name, path in pipelines.items()}
    # Programme names no rule author has seen; only programmes and affiliations are annotated there.
    keep = ("programmes", "affiliations")
    own = {}
    if invented.is_file():
        own = {
            name: {"types": {t: score(path, scorer, invented)["types"][t] for t in keep}}
            for name, path in pipelines.items()
        }
    spans = span_scores(str(model), data / "heldout.spacy") if (data / "heldout.spacy").is_file() else None
    texts = [d["text"] for d in read_jsonl(held)]
    speed = {name: round(words_per_second(path, texts)) for name, path in pipelines.items()}
    result = {
        "heldout_documents": n,
        "heldout_municipalities": load_splits(splits)["heldout"],
        **tables,
        "verdict": verdict(tables["rules"], tables["trained"]),
        "span_scores": spans,
        "ocr_damaged": ocr,
        "invented": {"file": invented.as_posix(), **own} if own else None,
        "words_per_second": speed,
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    if write_meta:
        meta_path = model / "meta.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta.setdefault("kommunnlp", {})["heldout_scores"] = result
        meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    typer.echo(f"Held out: {n} documents of {', '.join(result['heldout_municipalities'])}\n")
    for name in pipelines:
        typer.echo(f"Held out, {name}:\n{table(tables[name])}\n")
    for name in pipelines:
        typer.echo(f"Held out with OCR damage, {name}:\n{table(ocr[name])}\n")
    for name in own:
        typer.echo(f"Invented test documents ({invented}), {name}:\n{table(own[name])}\n")
    if spans:
        typer.echo(f"Model spans on the held-out documents: {json.dumps(spans)}\n")
    typer.echo(f"verdict: {result['verdict']}\nwords/s: {speed}")


@app.command("markup")
def markup_command(
    source: Path = typer.Argument(..., help="Lines of inline markup: [Trefas|PROGRAMME], [Anna Ek|PERSON] (S)."),
    out: Path = typer.Argument(..., help="JSONL of examples with source 'ours'."),
    municipality: str = typer.Option("", help="Municipality recorded with every example."),
) -> None:
    """Our hand-written examples from inline markup to the annotation format (checked)."""
    from .convert import from_markup, write_jsonl

    rows = []
    for i, line in enumerate(source.read_text(encoding="utf-8").splitlines()):
        if line.strip() and not line.startswith("#"):
            line = line.replace("\\n", "\n")
            rows.append(from_markup(line, id=f"{source.stem}-{i + 1:03d}", municipality=municipality or None))
    typer.echo(f"{write_jsonl(out, rows)} examples -> {out}")


if __name__ == "__main__":
    app()
