"""Reading documents from files: one function per format, chosen by content (magic bytes).

Every reader returns a :class:`ReadDocument` or raises :class:`ReadError` with a reason a person
can act on; nothing else escapes :func:`read_document`. Offsets in records always index
``ReadDocument.text``, which is built the same way on every run:

- **txt**: the decoded file, unchanged (see :func:`decode_text`).
- **pdf** (``encoding="pdf-text-layer"``): the text layer of each page as pypdf extracts it,
  pages joined with :data:`PDF_PAGE_SEPARATOR` (``"\\n\\f\\n"``: a line holding only a form
  feed, so page *k* starts right after the *k*-th form feed and line-based rules still see
  line breaks). Scanned pages have no text layer: OCR them first.
- **docx** (``encoding="docx"``): the text of the headers of the document's sections (each
  distinct header once; the diarienummer often lives there), then the body in document order:
  one line per paragraph, one line per table row with cells joined by :data:`DOCX_CELL_SEPARATOR`;
  header and body joined with :data:`DOCX_PART_SEPARATOR`.
"""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


class ReadError(Exception):
    """A file that cannot be turned into text; ``reason`` says why and what to do."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass(frozen=True)
class ReadDocument:
    text: str
    encoding: str  # "utf-8", "utf-8-sig", "utf-16-le/-be", "cp1252", "latin-1"; "pdf-text-layer", "docx"
    format: str  # "txt" | "pdf" | "docx"
    sha256: str
    size: int  # bytes


PDF_PAGE_SEPARATOR = "\n\f\n"
DOCX_CELL_SEPARATOR = "\t"
DOCX_PART_SEPARATOR = "\n\n"

# Magic bytes. The PDF header may follow a little junk (the PDF reference allows 1024 bytes).
_PDF_MAGIC = b"%PDF-"
_PDF_HEADER_WINDOW = 1024
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, and password-protected Office files
_DOCX_MAIN_PART = "word/document.xml"
#: A DOCX is a ZIP: refuse one whose parts would expand beyond this (a "zip bomb") before parsing.
DOCX_MAX_EXPANDED_BYTES = 512 * 1024 * 1024


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_UTF16_BOMS = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))

# Bytes that cp1252 leaves undefined; their presence means the file is not cp1252.
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def decode_text(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Decode a plain-text file: UTF-8 (BOM accepted), else cp1252, else latin-1.

    Raises ReadError for binary content (NUL bytes). UTF-16 with a BOM (Windows Notepad's
    "Unicode") is read as such before the NUL check, which its ASCII characters would fail.
    """
    for bom, codec in _UTF16_BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), codec
            except UnicodeDecodeError as err:
                raise ReadError(path, f"starts with a UTF-16 BOM but is not valid UTF-16 ({err.reason})") from err
    if b"\x00" in data:
        raise ReadError(path, "binary file (contains NUL bytes): not a text document")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as err:
            raise ReadError(path, f"starts with a UTF-8 BOM but is not valid UTF-8 ({err.reason})") from err
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if not any(b in _CP1252_UNDEFINED for b in data):
        return data.decode("cp1252"), "cp1252"
    return data.decode("latin-1"), "latin-1"


def read_txt(path: str | Path, data: bytes) -> ReadDocument:
    text, encoding = decode_text(data, path)
    return ReadDocument(text=text, encoding=encoding, format="txt", sha256=sha256_bytes(data), size=len(data))


# ---- PDF --------------------------------------------------------------------------------------


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    # pypdf logs every repair it attempts on damaged files; the ReadError already says it all.
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def read_pdf(path: str | Path, data: bytes) -> ReadDocument:
    """The text layer of a PDF, pages joined with :data:`PDF_PAGE_SEPARATOR` (pypdf)."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError
    except ImportError as err:
        raise ReadError(path, "reading PDF needs pypdf: pip install 'pypdf[crypto]'") from err

    with _quiet_pypdf():
        # Parsers of damaged files fail in many ways (pypdf, zlib, loops caught by limits): any
        # exception while parsing means the file is damaged, and the reason says so.
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
        except Exception as err:
            raise ReadError(path, f"truncated or corrupt PDF ({err}): download or export it again") from err
        if reader.is_encrypted:
            # Many archive PDFs carry only an owner password (printing/copying limits): the empty
            # user password opens them.
            try:
                opened = reader.decrypt("")
            except DependencyError as err:
                raise ReadError(
                    path, "encrypted PDF (AES): install 'cryptography' (pip install pypdf[crypto]) or decrypt it first"
                ) from err
            except (PdfReadError, NotImplementedError, ValueError) as err:
                raise ReadError(path, f"encrypted PDF ({err}): decrypt it first") from err
            if not opened:
                raise ReadError(path, "encrypted PDF: decrypt it first")
        try:
            pages = [page.extract_text() or "" for page in reader.pages]
        except FileNotDecryptedError as err:
            raise ReadError(path, "encrypted PDF: decrypt it first") from err
        except Exception as err:
            raise ReadError(path, f"truncated or corrupt PDF ({err}): download or export it again") from err
    if not pages:
        raise ReadError(path, "PDF has no pages: download or export it again")
    if not any(p.strip() for p in pages):
        raise ReadError(path, "no text layer: the PDF is a scan; OCR it first")
    text = PDF_PAGE_SEPARATOR.join(pages)
    return ReadDocument(text=text, encoding="pdf-text-layer", format="pdf", sha256=sha256_bytes(data), size=len(data))


# ---- DOCX -------------------------------------------------------------------------------------


def _docx_block_lines(blocks: Iterator[object]) -> Iterator[str]:
    from docx.table import Table

    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                yield DOCX_CELL_SEPARATOR.join(cell.text for cell in row.cells)
        else:
            yield block.text  # type: ignore[attr-defined]


def read_docx(path: str | Path, data: bytes) -> ReadDocument:
    """Section headers, then paragraphs and table rows in document order (python-docx)."""
    try:
        import docx
    except ImportError as err:
        raise ReadError(path, "reading DOCX needs python-docx: pip install python-docx") from err

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            expanded = sum(info.file_size for info in zf.infolist())
        if expanded > DOCX_MAX_EXPANDED_BYTES:
            raise ReadError(path, f"DOCX expands to {expanded} bytes (limit {DOCX_MAX_EXPANDED_BYTES}): not a document")
        document = docx.Document(io.BytesIO(data))
        headers: list[str] = []
        for section in document.sections:
            header = section.header
            if header.is_linked_to_previous:
                continue
            text = "\n".join(_docx_block_lines(header.iter_inner_content())).strip("\n")
            if text and text not in headers:
                headers.append(text)
        body = "\n".join(_docx_block_lines(document.iter_inner_content()))
    except ReadError:
        raise
    except Exception as err:  # as for PDF: any failure while parsing means a damaged file
        raise ReadError(path, f"truncated or corrupt DOCX ({err}): save it again from Word") from err
    text = DOCX_PART_SEPARATOR.join([*headers, body]) if headers else body
    if not text.strip():
        raise ReadError(path, "empty DOCX: the document holds no text")
    return ReadDocument(text=text, encoding="docx", format="docx", sha256=sha256_bytes(data), size=len(data))


# ---- dispatch ---------------------------------------------------------------------------------


def sniff_format(data: bytes) -> str:
    """``"pdf"``, ``"docx"``, ``"zip"`` (another archive), ``"ole"`` (legacy Office) or ``"txt"``."""
    if _PDF_MAGIC in data[:_PDF_HEADER_WINDOW]:
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                return "docx" if _DOCX_MAIN_PART in zf.namelist() else "zip"
        except (zipfile.BadZipFile, ValueError, OSError):
            # A truncated zip loses its central directory; the local header still names its parts.
            return "docx" if _DOCX_MAIN_PART.encode() in data or b"[Content_Types].xml" in data else "zip"
    if data.startswith(_OLE_MAGIC):
        return "ole"
    return "txt"


READERS: dict[str, Callable[[str | Path, bytes], ReadDocument]] = {
    "txt": read_txt,
    "pdf": read_pdf,
    "docx": read_docx,
}

# A suffix that promises a format the content does not have: say so rather than read garbage.
_SUFFIX_FORMAT = {".pdf": "pdf", ".docx": "docx"}


def _unsupported(path: Path, kind: str) -> ReadError:
    if kind == "ole":
        return ReadError(
            path, "legacy Word .doc or a password-protected Office file: save it as .docx (no password) or PDF first"
        )
    return ReadError(path, "a ZIP archive but not a Word document (no word/document.xml): unpack it first")


def read_document(path: str | Path, *, max_bytes: int | None = None) -> ReadDocument:
    """Read one file into text, choosing the reader by its content."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise ReadError(p, f"file is {size} bytes, larger than --max-bytes {max_bytes}")
        data = p.read_bytes()
    except ReadError:
        raise
    except OSError as err:
        raise ReadError(p, f"unreadable: {err.strerror or err}") from err
    if not data.strip():
        raise ReadError(p, "empty file: nothing to extract")
    kind = sniff_format(data)
    expected = _SUFFIX_FORMAT.get(p.suffix.lower())
    if expected is not None and kind != expected and kind in ("txt", "zip"):
        raise ReadError(p, f"named {p.suffix} but the content is not {expected.upper()}: damaged or mislabelled")
    reader = READERS.get(kind)
    if reader is None:
        raise _unsupported(p, kind)
    try:
        return reader(p, data)
    except ReadError:
        raise
    except Exception as err:  # a parser bug on a strange file must not end a batch run
        raise ReadError(p, f"could not read {kind.upper()} ({type(err).__name__}: {err})") from err
