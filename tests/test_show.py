"""``kommunnlp show`` and ``kommunnlp.display``: one page per document, every mention marked
(displaCy ``span`` style) with its values; checked in the markup and in headless Chromium."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import spacy
from typer.testing import CliRunner

from kommunnlp import display
from kommunnlp.cli import _register, app
from kommunnlp.display import TYPE_STYLE, collect_marks, render_page
from kommunnlp.records import RECORD_TYPES, DocumentRecord

from .conftest import SHARED

SEEDS = sorted((SHARED / "seeds").glob("*.txt")) if (SHARED / "seeds").is_dir() else []
CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Invented text in the real formats, with overlaps: a party marker and a date inside a clause.
TEXT = (
    "Socialnämnden\nDnr SN 2019/1899\n\nSocialnämndens beslut\n"
    "1. Åsa Öberg (S) utses till ombud från den 1 juli 2023.\n"
    "2. Projektet Mentorer i våldsprevention (MVP) förlängs.\f\nSida 2 <b>ej</b> & mer"
)


def _at(sub: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(sub, start + 1)
    return start, start + len(sub)


def _mention(sub: str, **values: object) -> dict:
    start, end = _at(sub)
    return {"text": sub, "start": start, "end": end, **values}


RECORD = DocumentRecord.model_validate(
    {
        "dnr": [_mention("SN 2019/1899", normalized="SN 2019/1899", series="SN", number="1899", year=2019)],
        "beslutssatser": [
            _mention(
                "Åsa Öberg (S) utses till ombud från den 1 juli 2023.",
                kind="beslut",
                number=1,
                heading="Socialnämndens beslut",
            ),
            _mention("Projektet Mentorer i våldsprevention (MVP) förlängs.", kind="beslut", number=2),
        ],
        "parties": [_mention("(S)", party="S", person="Åsa Öberg")],
        "dates": [_mention("1 juli 2023", value="2023-07-01", precision="day")],
        "programmes": [_mention("Mentorer i våldsprevention (MVP)", name="Mentorer i våldsprevention", acronym="MVP")],
    }
)


class _MarkParser(HTMLParser):
    """The marks a page draws: label -> the text of the tokens under it (from the DOM)."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: list[dict] = []
        self.stack: list[str] = []
        self.slot: str | None = None
        self.in_label = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        cls = a.get("class") or ""
        self.stack.append(cls)
        if cls == "kn-tok":
            self.tokens.append({"text": "", "slots": set(), "starts": {}})
        elif cls in ("kn-slice", "kn-start"):
            self.tokens[-1]["slots"].add(a["data-slot"])
            self.slot = a["data-slot"]
        elif cls == "kn-label":
            self.in_label = True
            self.tokens[-1]["starts"][self.slot] = ""

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack.pop() == "kn-label":
            self.in_label = False

    def handle_data(self, data: str) -> None:
        if self.in_label:
            self.tokens[-1]["starts"][self.slot] += data
        elif self.stack and self.stack[-1] == "kn-tok":
            self.tokens[-1]["text"] += data

    def marks(self) -> dict[str, str]:
        found: dict[str, str] = {}
        active: dict[str, str] = {}
        for token in self.tokens:
            active = {slot: label for slot, label in active.items() if slot in token["slots"]}
            active.update({slot: label.strip() for slot, label in token["starts"].items()})
            for label in active.values():
                found[label] = found.get(label, "") + token["text"].strip()
        return found


def _rendered_marks(page: str) -> dict[str, str]:
    parser = _MarkParser()
    parser.feed(page)
    return parser.marks()


def _squeeze(s: str) -> str:
    return "".join(s.split())


def _assert_every_mention_marked(page: str, doc, record: DocumentRecord) -> None:
    marks = _rendered_marks(page)
    expected = collect_marks(doc, record)
    assert len(expected) == sum(len(getattr(record, t)) for t in RECORD_TYPES)
    for mark in expected:
        label = html.unescape(mark.label)
        assert label in marks, f"{label} not drawn"
        # Marks are drawn over whole tokens: the drawn text holds the mention's text.
        assert _squeeze(mark.mention.text) in marks[label], (label, marks[label])


@pytest.fixture(scope="module")
def blank():
    return spacy.blank("sv")


def test_show_page_marks_every_mention_with_its_value(blank) -> None:
    doc = blank(TEXT)
    page = render_page(doc, RECORD, title="test")
    _assert_every_mention_marked(page, doc, RECORD)
    labels = {html.unescape(m.label) for m in collect_marks(doc, RECORD)}
    assert labels == {
        "DNR 1 · SN 2019/1899",
        "SATS 1 · beslut 1",
        "SATS 2 · beslut 2",
        "PARTI 1 · S · Åsa Öberg",
        "DATUM 1 · 2023-07-01",
        "PROGRAM 1 · Mentorer i våldsprevention (MVP)",
    }
    # The table has every value, e.g. the clause's heading and the dnr's parts.
    assert "heading: Socialnämndens beslut" in page
    assert "series: SN; number: 1899; year: 2019" in page


def test_show_page_one_colour_per_type(blank) -> None:
    doc = blank(TEXT)
    page = render_page(doc, RECORD, title="test")
    colours = {}
    for colour, label in re.findall(
        r'class="kn-start"[^>]*background: (#[0-9a-f]+);[^>]*><span class="kn-label"[^>]*>([^<]+)<', page
    ):
        colours[label] = colour
    marks = collect_marks(doc, RECORD)
    assert {m.label: TYPE_STYLE[m.type][1] for m in marks} == colours
    assert len(set(colours.values())) == len(RECORD_TYPES)


def test_show_page_record_json_round_trips(blank) -> None:
    page = render_page(blank(TEXT), RECORD, title="test")
    body = page.split('<pre class="kn-record">', 1)[1].split("</pre>", 1)[0]
    assert DocumentRecord.model_validate(json.loads(html.unescape(body))) == RECORD


def test_show_page_escapes_text_and_keeps_breaks(blank) -> None:
    page = render_page(blank(TEXT), RECORD, title="<i>titel</i>")
    assert "&lt;b&gt;ej&lt;/b&gt; &amp; mer" in page
    assert "<b>ej</b>" not in page and "<i>titel</i>" not in page
    assert '<hr class="kn-page">' in page  # the PDF page separator
    assert page.count("<br>") >= TEXT.count("\n") - 1


class _TextParser(HTMLParser):
    """The text a reader sees in the marked-up document (labels left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside div.kn-text
        self.label = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class")
        if cls == "kn-text" or self.depth:
            self.depth += tag not in ("br", "hr")
        self.label += cls == "kn-label" or bool(self.label and tag == "span")
        if self.depth and tag in ("br", "hr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in ("br", "hr"):
            self.depth -= 1
        if self.label and tag == "span":
            self.label -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.label:
            self.parts.append(data)


@pytest.mark.parametrize(
    "text", [TEXT, "Motion (KS 2019/1899) av Åsa Öberg(S),\n\nden 1 juli 2023.", "(S)\n1 juli 2023"]
)
def test_show_page_text_reads_as_written(blank, text: str) -> None:
    # Spacing as in the text, also where a mark touches its neighbours: no "( KS" or "Öberg (S)".
    doc = blank(text)
    spans = [t for t in doc if t.text in ("S", "KS", "2023", "(", "1")]
    record = DocumentRecord.model_validate(
        {
            "dates": [
                {"text": t.text, "start": t.idx, "end": t.idx + len(t), "value": "2023-07", "precision": "month"}
                for t in spans
            ]
        }
    )
    parser = _TextParser()
    parser.feed(render_page(doc, record, title="t"))
    shown = "".join(parser.parts).replace("\f", "\n")
    assert [" ".join(line.split()) for line in shown.splitlines()] == [
        " ".join(line.split()) for line in text.replace("\f", "\n").splitlines()
    ]


@pytest.mark.parametrize("chunk", [3, 10_000])
def test_show_page_chunked_rendering_marks_everything(blank, monkeypatch, chunk: int) -> None:
    monkeypatch.setattr(display, "CHUNK_TOKENS", chunk)
    doc = blank(TEXT)
    _assert_every_mention_marked(render_page(doc, RECORD, title="t"), doc, RECORD)


def test_show_page_empty_record(blank) -> None:
    page = render_page(blank("Inget att se här."), DocumentRecord(), title="t")
    assert "Nothing found." in page and _rendered_marks(page) == {}


def test_show_cli_unreadable_file_exits_1(tmp_path: Path) -> None:
    _register()
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4\n%broken")
    res = CliRunner().invoke(app, ["show", str(bad), "-o", str(tmp_path / "x.html")])
    assert res.exit_code == 1
    assert "PDF" in res.output
    assert not (tmp_path / "x.html").exists()


def test_show_cli_reads_docx_by_content(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx", reason="python-docx builds the DOCX")
    _register()
    document = docx.Document()
    for line in ("Kommunstyrelsen", "Dnr KS 2019/1899", "Sammanträde den 26 oktober 2018"):
        document.add_paragraph(line)
    src = tmp_path / "utlatande"  # no suffix: the content decides
    document.save(str(src))
    out = tmp_path / "page.html"
    res = CliRunner().invoke(app, ["show", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert '<p class="meta">docx, docx,' in page
    assert "Sammanträde" in page


def test_show_cli_default_output_in_working_directory(tmp_path: Path, monkeypatch) -> None:
    _register()
    src = tmp_path / "in" / "protokoll.txt"
    src.parent.mkdir()
    src.write_text("Dnr KS 2019/1899\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["show", str(src)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "protokoll.txt.html").is_file()


@pytest.fixture(scope="module")
def seed_pages(tmp_path_factory, nlp) -> list[tuple[Path, Path]]:
    if not SEEDS:
        pytest.skip(f"no seed texts at {SHARED / 'seeds'} (put ../shared beside the repo)")
    _register()
    out = tmp_path_factory.mktemp("pages")
    pages = []
    for seed in SEEDS:
        page = out / f"{seed.stem}.html"
        res = CliRunner().invoke(app, ["show", str(seed), "-o", str(page)])
        assert res.exit_code == 0, res.output
        pages.append((seed, page))
    return pages


def test_show_page_for_each_seed(seed_pages, nlp) -> None:
    for seed, page in seed_pages:
        text = seed.read_text(encoding="utf-8")
        doc = nlp(text)
        markup = page.read_text(encoding="utf-8")
        _assert_every_mention_marked(markup, doc, doc._.record)
        # Self-contained: nothing fetched, nothing run.
        assert not re.search(r"<script|<link|<img|<iframe|\b(?:src|href)=|@import|url\(", markup)


# ---- in a real browser ------------------------------------------------------------------------


def _chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium); browser test not run")
    profile = tmp_path / "chromium-profile"
    return subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_show_browser_renders_every_mention(tmp_path: Path, blank) -> None:
    doc = blank(TEXT)
    page = tmp_path / "page.html"
    page.write_text(render_page(doc, RECORD, title="test"), encoding="utf-8")
    proc = _chromium(["--dump-dom", page.as_uri()], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    _assert_every_mention_marked(proc.stdout, doc, RECORD)
    shot = tmp_path / "page.png"
    proc = _chromium(["--hide-scrollbars", "--window-size=1000,800", f"--screenshot={shot}", page.as_uri()], tmp_path)
    assert proc.returncode == 0 and shot.read_bytes().startswith(b"\x89PNG")


def test_show_browser_renders_seed_pages(tmp_path: Path, seed_pages, nlp) -> None:
    for seed, page in seed_pages:
        proc = _chromium(["--dump-dom", page.as_uri()], tmp_path)
        assert proc.returncode == 0, proc.stderr[-2000:]
        doc = nlp(seed.read_text(encoding="utf-8"))
        _assert_every_mention_marked(proc.stdout, doc, doc._.record)
