"""Reading documents from files: one function per format, chosen by content (magic bytes).

Every reader returns a :class:`ReadDocument` or raises :class:`ReadError` with a reason a person
can act on. Offsets in records always index ``ReadDocument.text``.
"""

from __future__ import annotations

import hashlib
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
    encoding: str  # e.g. "utf-8", "utf-8-sig", "cp1252"; for PDF/DOCX the format's own
    format: str  # "txt" | "pdf" | "docx"
    sha256: str
    size: int  # bytes


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# Bytes that cp1252 leaves undefined; their presence means the file is not cp1252.
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def decode_text(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Decode a plain-text file: UTF-8 (BOM accepted), else cp1252, else latin-1.

    Raises ReadError for binary content (NUL bytes).
    """
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
    return read_txt(p, data)
