"""The beslutssatser component (stub: finds nothing yet)."""

from __future__ import annotations

from typing import Any

from .base import RuleComponent


class DecisionClauseRecognizer(RuleComponent):
    data_dir = "beslutssatser"
    label_field = "kind"

    def find(self, text: str) -> list[dict[str, Any]]:
        return []
