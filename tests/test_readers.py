"""``kommunnlp.readers``: PDF and DOCX input chosen by content, offsets stable, damaged files as
errors a person can act on; through ``kommunnlp extract`` and ``kommunnlp convert`` as well."""

from __future__ import annotations

import io
import json
import random
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kommunnlp import readers
from kommunnlp.cli import _register, app
from kommunnlp.readers import (
    DOCX_CELL_SEPARATOR,
    DOCX_PART_SEPARATOR,
    PDF_PAGE_SEPARATOR,
    ReadError,
    read_document,
    sniff_format,
)

fpdf = pytest.importorskip("fpdf", reason="fpdf2 (test extra) builds the PDF fixtures")
docx = pytest.importorskip("docx", reason="python-docx builds the DOCX fixtures")
pypdf = pytest.importorskip("pypdf", reason="pypdf reads PDFs")

# A TTF with å/ä/ö: Debian's fonts-dejavu-core, else matplotlib's copy if that is installed.
FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
]

# Invented, in the real formats: a header with a dnr, a decision block, names with party markers.
PAGES = [
    [
        "Socialnämnden",
        "Dnr SN 2019/1899",
        "Sammanträde den 26 oktober 2018",
        "Närvarande: Åsa Öberg (S), Lars Ärlig (M)",
        "Förslag till beslut",
        "1. Godkänna rapporten.",
        "2. Ärendet anses besvarat.",
    ],
    ["Protokollet justeras den 2 november 2018.", "Dnr KS 2018:906"],
]
DOCX_HEADER = "Tjänsteutlåtande  Dnr BUN 2021/45-600"
DOCX_PARAGRAPHS = [
    "Barn- och utbildningsnämnden",
    "Förslag till beslut",
    "Nämnden föreslås besluta att godkänna avtalet.",
]
DOCX_TABLE = [["Ledamot", "Parti"], ["Åsa Öberg", "S"]]


def _font() -> Path:
    for path in FONT_CANDIDATES:
        if path.is_file():
            return path
    try:
        import matplotlib

        path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
        if path.is_file():
            return path
    except ImportError:
        pass
    pytest.skip("no TTF with å/ä/ö (install Debian's fonts-dejavu-core)")


def _pdf_bytes(pages: list[list[str]]) -> bytes:
    pdf = fpdf.FPDF()
    pdf.add_font("DejaVu", fname=str(_font()))
    pdf.set_font("DejaVu", size=11)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _pdf_text(pages: list[list[str]]) -> str:
    return PDF_PAGE_SEPARATOR.join("\n".join(lines) for lines in pages)


def _scan_pdf_bytes() -> bytes:
    from PIL import Image

    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.image(Image.new("RGB", (400, 200), "white"), x=10, y=10, w=150)
    return bytes(pdf.output())


def _encrypted_pdf_bytes(user_password: str, algorithm: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(_pdf_bytes(PAGES)))
    writer.encrypt(user_password=user_password, owner_password="ägare", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _docx_bytes(header: str | None, paragraphs: list[str], table: list[list[str]] | None) -> bytes:
    document = docx.Document()
    if header is not None:
        document.sections[0].header.paragraphs[0].text = header
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_text() -> str:
    rows = [DOCX_CELL_SEPARATOR.join(row) for row in DOCX_TABLE]
    return DOCX_HEADER + DOCX_PART_SEPARATOR + "\n".join([*DOCX_PARAGRAPHS, *rows])


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ---- sniffing and reading ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\xef\xbb\xbf%PDF-1.4\n", "pdf"),  # junk before the header is allowed
        (b"Dnr KS 2019/1\n", "txt"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "ole"),
    ],
)
def test_readers_sniff_format(data: bytes, expected: str) -> None:
    assert sniff_format(data) == expected


def test_readers_sniff_format_zip_with_and_without_word_part() -> None:
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("a.txt", "x")
    assert sniff_format(plain.getvalue()) == "zip"
    assert sniff_format(_docx_bytes(None, ["x"], None)) == "docx"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("\ufeffDnr KS 2019/1899, Åsa".encode("utf-16-le"), "utf-16-le"),
        ("\ufeffDnr KS 2019/1899, Åsa".encode("utf-16-be"), "utf-16-be"),
        ("Dnr KS 2019/1899, Åsa".encode(), "utf-8"),
        ("Dnr KS 2019/1899, Åsa".encode("cp1252"), "cp1252"),
    ],
)
def test_readers_text_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    doc = read_document(_write(tmp_path / "a.txt", data))
    assert (doc.text, doc.encoding, doc.format) == ("Dnr KS 2019/1899, Åsa", encoding, "txt")


def test_readers_broken_utf16_is_a_read_error(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="UTF-16 BOM"):
        read_document(_write(tmp_path / "a.txt", b"\xff\xfeD\x00\x00\xd8"))


@pytest.mark.parametrize("name", ["protokoll.pdf", "protokoll.txt", "protokoll"])
def test_readers_pdf_text_layer_by_content(tmp_path: Path, name: str) -> None:
    doc = read_document(_write(tmp_path / name, _pdf_bytes(PAGES)))
    assert (doc.format, doc.encoding) == ("pdf", "pdf-text-layer")
    assert doc.text == _pdf_text(PAGES)
    # Page 2 starts right after the first separator: offsets are stable and documented.
    second = doc.text.index(PDF_PAGE_SEPARATOR) + len(PDF_PAGE_SEPARATOR)
    assert doc.text[second:].startswith(PAGES[1][0])


@pytest.mark.parametrize("name", ["utlatande.docx", "utlatande.bin"])
def test_readers_docx_header_paragraphs_and_tables(tmp_path: Path, name: str) -> None:
    doc = read_document(_write(tmp_path / name, _docx_bytes(DOCX_HEADER, DOCX_PARAGRAPHS, DOCX_TABLE)))
    assert (doc.format, doc.encoding) == ("docx", "docx")
    assert doc.text == _docx_text()


def test_readers_pdf_with_owner_password_only_is_read(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path / "a.pdf", _encrypted_pdf_bytes("", "RC4-128")))
    assert doc.text == _pdf_text(PAGES)


BAD_FILES: list[tuple[str, Callable[[], bytes], str]] = [
    ("scan.pdf", _scan_pdf_bytes, "no text layer: the PDF is a scan; OCR it first"),
    ("locked.pdf", lambda: _encrypted_pdf_bytes("hemligt", "RC4-128"), "encrypted PDF: decrypt it first"),
    ("locked-aes.pdf", lambda: _encrypted_pdf_bytes("hemligt", "AES-128"), "encrypted PDF"),
    ("cut.pdf", lambda: _pdf_bytes(PAGES)[:2500], "truncated or corrupt PDF"),
    ("cut.docx", lambda: _docx_bytes(None, DOCX_PARAGRAPHS, None)[:3000], "truncated or corrupt DOCX"),
    ("empty.docx", lambda: _docx_bytes(None, [], None), "empty DOCX"),
    ("old.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "legacy Word .doc"),
    ("notes.pdf", lambda: "Dnr KS 2019/1 är ingen PDF".encode(), "named .pdf but the content is not PDF"),
]


@pytest.mark.parametrize(("name", "build", "reason"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_readers_bad_file_reason(tmp_path: Path, name: str, build: Callable[[], bytes], reason: str) -> None:
    path = _write(tmp_path / name, build())
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert info.value.reason.startswith(reason)
    assert info.value.path == str(path)


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_readers_damaged_bytes_never_crash(tmp_path: Path, fmt: str) -> None:
    # Bytes overwritten or cut anywhere: a document or a ReadError, never another exception.
    good = _pdf_bytes(PAGES) if fmt == "pdf" else _docx_bytes(DOCX_HEADER, DOCX_PARAGRAPHS, DOCX_TABLE)
    rng = random.Random(fmt)
    path = tmp_path / f"damaged.{fmt}"
    for _ in range(40):
        data = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(data))
            data[i : i + 4] = bytes(rng.randrange(256) for _ in range(4))
        if rng.random() < 0.3:
            data = data[: rng.randrange(16, len(data))]
        path.write_bytes(bytes(data))
        try:
            doc = read_document(path)
        except ReadError as err:
            assert err.reason
        else:
            assert doc.format == fmt


def test_readers_docx_zip_bomb_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(readers, "DOCX_MAX_EXPANDED_BYTES", 1000)
    path = _write(tmp_path / "big.docx", _docx_bytes(None, ["x" * 5000], None))
    with pytest.raises(ReadError, match="DOCX expands to"):
        read_document(path)


@pytest.mark.parametrize(
    ("module", "fmt", "reason"),
    [("pypdf", "pdf", "reading PDF needs pypdf"), ("docx", "docx", "reading DOCX needs python-docx")],
)
def test_readers_missing_library_is_a_read_error(
    tmp_path: Path, monkeypatch, module: str, fmt: str, reason: str
) -> None:
    data = _pdf_bytes(PAGES) if fmt == "pdf" else _docx_bytes(None, DOCX_PARAGRAPHS, None)
    path = _write(tmp_path / f"a.{fmt}", data)
    monkeypatch.setitem(sys.modules, module, None)  # "import module" now raises ImportError
    with pytest.raises(ReadError, match=reason):
        read_document(path)


# ---- through the commands ---------------------------------------------------------------------


def _inputs(tmp_path: Path) -> dict[str, tuple[Path, Path]]:
    """(rich file, plain .txt with the text it should read as) per format."""
    src = tmp_path / "src"
    src.mkdir()
    pdf = _write(src / "protokoll.pdf", _pdf_bytes(PAGES))
    pdf_txt = src / "protokoll.txt"
    pdf_txt.write_text(_pdf_text(PAGES), encoding="utf-8")
    dx = _write(src / "utlatande.docx", _docx_bytes(DOCX_HEADER, DOCX_PARAGRAPHS, DOCX_TABLE))
    dx_txt = src / "utlatande.txt"
    dx_txt.write_text(_docx_text(), encoding="utf-8")
    return {"pdf": (pdf, pdf_txt), "docx": (dx, dx_txt)}


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_readers_extract_cli_same_record_as_txt(tmp_path: Path, fmt: str) -> None:
    _register()
    rich, plain = _inputs(tmp_path)[fmt]
    runner = CliRunner()
    from_rich = runner.invoke(app, ["extract", str(rich)])
    from_plain = runner.invoke(app, ["extract", str(plain)])
    assert from_rich.exit_code == 0, from_rich.output
    assert from_plain.exit_code == 0, from_plain.output
    a, b = json.loads(from_rich.stdout), json.loads(from_plain.stdout)
    assert {k: v for k, v in a.items() if k != "id"} == {k: v for k, v in b.items() if k != "id"}


def _convert(inputs: list[Path], out: Path) -> tuple[int, list[dict], list[dict]]:
    pytest.importorskip("kommunnlp.cli.convert_cmd", reason="kommunnlp convert is not in this checkout")
    _register()
    res = CliRunner().invoke(app, ["convert", *map(str, inputs), "-o", str(out)])
    errors_file = out.with_name(out.name.replace(".jsonl", ".errors.jsonl"))
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    errors = (
        [json.loads(line) for line in errors_file.read_text(encoding="utf-8").splitlines()]
        if errors_file.exists()
        else []
    )
    return res.exit_code, records, errors


# Fields of a converted line that describe the file rather than what was found in it.
_FILE_FIELDS = {"id", "source", "sha256", "encoding", "format", "chars"}


def test_readers_convert_same_records_as_txt(tmp_path: Path) -> None:
    _inputs(tmp_path)
    code, records, errors = _convert([tmp_path / "src"], tmp_path / "out.jsonl")
    assert code == 0 and errors == []
    by_id = {r["id"]: r for r in records}
    assert {(r["format"], r["encoding"]) for r in records} == {
        ("pdf", "pdf-text-layer"),
        ("docx", "docx"),
        ("txt", "utf-8"),
    }
    for stem in ("protokoll", "utlatande"):
        rich = by_id[f"{stem}.pdf" if stem == "protokoll" else f"{stem}.docx"]
        plain = by_id[f"{stem}.txt"]
        assert {k: v for k, v in rich.items() if k not in _FILE_FIELDS} == {
            k: v for k, v in plain.items() if k not in _FILE_FIELDS
        }


@pytest.mark.parametrize(("name", "build", "reason"), BAD_FILES[:4], ids=[b[0] for b in BAD_FILES[:4]])
def test_readers_convert_bad_pdf_one_error_exit_1(
    tmp_path: Path, name: str, build: Callable[[], bytes], reason: str
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    _write(src / name, build())
    (src / "ok.txt").write_text("Dnr KS 2019/1899, den 26 oktober 2018.\n", encoding="utf-8")
    code, records, errors = _convert([src], tmp_path / "out.jsonl")
    assert code == 1
    assert [r["id"] for r in records] == ["ok.txt"]  # the rest of the run goes on
    assert len(errors) == 1
    assert errors[0]["id"] == name
    assert errors[0]["reason"].startswith(reason)
