"""The checked-in JSON Schema of the records, and the command that rewrites it.

python -m kommunnlp.schema            # rewrite schema/document-record.schema.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .records import DocumentRecord

SCHEMA_FILE = Path("schema") / "document-record.schema.json"


def document_record_schema() -> dict:
    """The JSON Schema of :class:`DocumentRecord` as pydantic generates it."""
    return DocumentRecord.model_json_schema()


def render(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else SCHEMA_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(document_record_schema()), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
