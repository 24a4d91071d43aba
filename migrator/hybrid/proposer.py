"""The contract between the hybrid and any fix proposer (a code model, a remote service...).

Why a Protocol: the migrator never imports ``apimig.models``; the models package (or a
plugin) provides an object with this shape and the hybrid validates whatever it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

from apimig.migrator.findings import Finding
from apimig.migrator.rules.schema import Rule


#: Prompt strategies a proposer understands; the models package keeps one template file per name.
STRATEGIES = ("basic", "with_context", "with_rules", "cot")


@dataclass(frozen=True)
class Candidate:
    """New text for the finding's *lines* (``region_lines``), possibly led by import lines.

    ``score`` is the proposer's own confidence in [0, 1] (e.g. the mean token probability).
    """

    text: str
    score: float = 0.5
    strategy: str = ""


def region_lines(finding: Finding) -> tuple[int, int]:
    """The 0-based inclusive line range a candidate replaces: the whole lines of the finding."""
    end = finding.end.line
    if finding.end.col == 0 and end > finding.start.line:
        end -= 1
    return finding.start.line, end


@runtime_checkable
class FixProposer(Protocol):
    name: str

    def propose(self, finding: Finding, source: str, rule: Rule | None) -> Sequence[Candidate]:
        """Candidates replacing ``region_lines(finding)`` of ``source``; ``rule`` guides it when given."""
        ...
