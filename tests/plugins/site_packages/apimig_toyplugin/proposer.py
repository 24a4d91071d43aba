"""A fix proposer without a model: rewrites ``toylib.old_api`` on the finding's lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apimig.migrator.hybrid.proposer import Candidate, region_lines


class ToyProposer:
    name = "toy"

    def __init__(self, model_dir: Path) -> None:
        self.model_dir = model_dir

    @classmethod
    def from_path(cls, model_dir: str | Path, strategy: str, **_: Any) -> "ToyProposer":
        return cls(Path(model_dir))

    def propose(self, finding: Any, source: str, rule: Any) -> list[Candidate]:
        first, last = region_lines(finding)
        lines = source.splitlines(keepends=True)[first:last + 1]
        return [Candidate("".join(lines).replace("toylib.old_api", "toylib.new_api"), 0.9, "toy")]
