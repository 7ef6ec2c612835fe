"""The dnr component (stub: finds nothing yet)."""

from __future__ import annotations

from typing import Any

from .base import RuleComponent


class DnrRecognizer(RuleComponent):
    data_dir = "dnr"
    label_field = "series"

    def find(self, text: str) -> list[dict[str, Any]]:
        return []
