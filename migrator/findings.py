"""Plain result types shared by the CLI, the language server and the model layer.

Positions are 0-based lines and 0-based columns counted in code points; the CLI prints
them 1-based and the language server converts columns to UTF-16.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .applicability import FixTier, Tier, finding_tier
from .edits import Edit, Pos

FixOrigin = Literal["rule", "learned-rule", "rule-guided-model", "model"]


@dataclass(frozen=True)
class Fix:
    edits: tuple[Edit, ...]  # the replacement plus any import edits, non-overlapping
    tier: FixTier
    title: str
    origin: FixOrigin = "rule"
    confidence: float = 1.0
    reason: str | None = None  # why an unsafe fix may change behaviour


@dataclass(frozen=True)
class Finding:
    rule_id: str
    library: str
    message: str
    start: Pos
    end: Pos
    state: Literal["deprecated", "removed"]
    source: str  # documentation URL of the rule
    fix: Fix | None = None
    manual_reason: str | None = None  # why no fix is offered
    origin: Literal["hand", "learned"] = "hand"
    confidence: float = 1.0
    snippet: str = ""  # the matched source text

    @property
    def tier(self) -> Tier:
        return finding_tier(self.fix)

    @property
    def key(self) -> str:
        """Stable identity of a finding inside one version of a file."""
        return f"{self.rule_id}@{self.start.line}:{self.start.col}"


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    new_source: str | None = None  # set by fix when the text changed
    applied: list[Finding] = field(default_factory=list)
    dropped: list[tuple[Finding, str]] = field(default_factory=list)  # fixes that broke the parse
    remaining: list[Finding] = field(default_factory=list)  # findings still in the text after fixing
    error: str | None = None  # the file could not be read or parsed
