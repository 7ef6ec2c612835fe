"""The dates component (stub: finds nothing yet)."""

from __future__ import annotations

from typing import Any

from .base import RuleComponent


class DateRecognizer(RuleComponent):
    data_dir = "dates"
    label_field = "precision"

    def find(self, text: str) -> list[dict[str, Any]]:
        return []
