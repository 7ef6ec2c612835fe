"""Typed records: what kommunnlp returns for one document.

Every mention carries ``text``, ``start`` and ``end`` with ``original[start:end] == text``.
The models are frozen and reject unknown fields, so a record is a stable contract; its JSON
Schema is checked in at ``schema/document-record.schema.json``.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class KommunModel(BaseModel):
    """Project base model: immutable, no unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (the inverse of :meth:`from_dict`)."""
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KommunModel:
        return cls.model_validate(data)


class Mention(KommunModel):
    """A stretch of the original text: ``original[start:end] == text``."""

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Mention:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) before start ({self.start})")
        if self.end - self.start != len(self.text):
            raise ValueError("text length does not match start/end offsets")
        return self


class DecisionKind(str, Enum):
    beslut = "beslut"
    forslag = "förslag"


class DatePrecision(str, Enum):
    day = "day"
    month = "month"


class DnrMention(Mention):
    """A case registration number (diarienummer)."""

    normalized: str = Field(description="One canonical spelling, e.g. 'KS 2019/1899'.")
    series: str | None = Field(default=None, description="Registry series, e.g. 'KS'.")
    number: str = Field(description="The serial number within the year, as written (digits).")
    year: int | None = Field(default=None, description="Four-digit year, or null.")


class Beslutssats(Mention):
    """One clause of a decision or proposed decision."""

    kind: DecisionKind
    number: int | None = Field(default=None, description="The clause's number, if numbered.")
    heading: str | None = Field(default=None, description="The block's heading or lead-in.")
    organ: str | None = Field(default=None, description="The deciding or proposing body.")

    @field_validator("kind", mode="before")
    @classmethod
    def _kind_alias(cls, v: Any) -> Any:
        if isinstance(v, str) and v.casefold() in {"forslag", "förslag", "proposal"}:
            return DecisionKind.forslag
        if isinstance(v, str) and v.casefold() in {"beslut", "decision"}:
            return DecisionKind.beslut
        return v


class PartyMention(Mention):
    """A party marker or party name, with the person it belongs to where there is one."""

    party: str = Field(description="Party code: S, M, SD, C, V, KD, L, FP, MP, oberoende, or a local code.")
    party_name: str | None = Field(default=None, description="The party's full name, if known.")
    person: str | None = Field(default=None, description="The person the marker belongs to.")

    @field_validator("party", mode="before")
    @classmethod
    def _party_code(cls, v: Any) -> Any:
        if isinstance(v, str):
            return "oberoende" if v.casefold() == "oberoende" else v.upper()
        return v


class DateMention(Mention):
    """A calendar day or month."""

    value: str = Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$", description="YYYY-MM-DD or YYYY-MM.")
    precision: DatePrecision
    year_inferred: bool = False

    @model_validator(mode="after")
    def _value_matches_precision(self) -> DateMention:
        expected = 10 if self.precision is DatePrecision.day else 7
        if len(self.value) != expected:
            raise ValueError(f"value {self.value!r} does not match precision {self.precision.value}")
        return self


class ProgrammeMention(Mention):
    """A named programme, project, method or model."""

    name: str = Field(description="The long form wherever the document defines one.")
    acronym: str | None = None


class DocumentRecord(KommunModel):
    """Everything kommunnlp found in one document."""

    id: str | None = None
    dnr: list[DnrMention] = Field(default_factory=list)
    beslutssatser: list[Beslutssats] = Field(default_factory=list)
    parties: list[PartyMention] = Field(default_factory=list)
    dates: list[DateMention] = Field(default_factory=list)
    programmes: list[ProgrammeMention] = Field(default_factory=list)


#: The record lists and the mention model of each; also the keys of ``doc.spans``.
RECORD_TYPES: dict[str, type[Mention]] = {
    "dnr": DnrMention,
    "beslutssatser": Beslutssats,
    "parties": PartyMention,
    "dates": DateMention,
    "programmes": ProgrammeMention,
}
