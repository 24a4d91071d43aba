"""The one severity table: which level a finding's state gets, and how each output spells it.

``[tool.apimig] severity``, the editor's ``severity`` setting, SARIF ``level`` and the LSP
``DiagnosticSeverity`` all read this module, so "error" means the same everywhere.
"""

from __future__ import annotations

import typing
from typing import Literal, Mapping

Level = Literal["error", "warning", "information", "hint"]
State = Literal["removed", "deprecated"]
LEVELS: tuple[str, ...] = typing.get_args(Level)
STATES: tuple[str, ...] = typing.get_args(State)
DEFAULT: Mapping[str, str] = {"removed": "warning", "deprecated": "information"}
SARIF: Mapping[str, str] = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}
LSP: Mapping[str, int] = {"error": 1, "warning": 2, "information": 3, "hint": 4}  # DiagnosticSeverity values


def parse_level(name: str) -> str | None:
    """A level from user text (case-insensitive, ``info`` accepted); None when it is not one."""
    name = name.strip().lower()
    name = "information" if name == "info" else name
    return name if name in LEVELS else None


def level_of(state: str, overrides: Mapping[str, str]) -> str:
    """The level of a finding in ``state`` under the resolved severity map."""
    return overrides.get(state) or DEFAULT.get(state, "warning")
