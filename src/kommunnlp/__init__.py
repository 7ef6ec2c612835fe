"""kommunnlp: typed records from Swedish municipal documents.

>>> import kommunnlp
>>> record = kommunnlp.extract("Dnr KS 2018/906 ...")
>>> record.dnr[0].normalized
'KS 2018/906'
"""

from __future__ import annotations

from .api import extract, extract_many
from .pipeline import load
from .records import (
    Beslutssats,
    DateMention,
    DnrMention,
    DocumentRecord,
    PartyMention,
    ProgrammeMention,
)

__version__ = "0.1.0"

__all__ = [
    "Beslutssats",
    "DateMention",
    "DnrMention",
    "DocumentRecord",
    "PartyMention",
    "ProgrammeMention",
    "__version__",
    "extract",
    "extract_many",
    "load",
]
