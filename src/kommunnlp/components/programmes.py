"""The programmes component (stub: finds nothing yet)."""

from __future__ import annotations

from typing import Any

from .base import RuleComponent


class ProgrammeRecognizer(RuleComponent):
    data_dir = "programmes"
    label_field = None

    def find(self, text: str) -> list[dict[str, Any]]:
        return []
