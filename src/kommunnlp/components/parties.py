"""The parties component (stub: finds nothing yet)."""

from __future__ import annotations

from typing import Any

from .base import RuleComponent


class PartyRecognizer(RuleComponent):
    data_dir = "parties"
    label_field = "party"

    def find(self, text: str) -> list[dict[str, Any]]:
        return []
