"""The contract between the hybrid and any fix proposer (a code model, a remote service...), and
the registry that finds one by name.

Why a Protocol and a registry: the migrator never imports the models package; it (or any
plugin) declares a factory under the ``apimig.proposers`` entry-point group (the built-in code
model is ``model``), resolved lazily so torch is imported only when a proposer is asked for.
The hybrid validates whatever a proposer returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Sequence, runtime_checkable

from apimig.migrator.findings import Finding
from apimig.migrator.registry import Registry
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


PROPOSERS: Registry[Any] = Registry("proposer")
PROPOSERS.load_entry_points("apimig.proposers")


class ProposerUnavailable(RuntimeError):
    """The model tier cannot run here (no ml extra, or a bad model directory); one clear message."""


def load_proposer(model_dir: str | Path, *, strategy: str = "with_rules", name: str = "model",
                  **kwargs: Any) -> FixProposer:
    """``PROPOSERS[name].from_path(model_dir, strategy, **kwargs)``; errors become ProposerUnavailable."""
    need_ml = "the model tier needs the ml extra (pip install 'apimig[ml]')"
    try:
        factory = PROPOSERS.get(name)
        proposer: FixProposer = factory.from_path(model_dir, strategy, **kwargs)
    except ImportError as exc:
        raise ProposerUnavailable(f"{need_ml}: {exc}") from exc
    except (OSError, RuntimeError, ValueError, KeyError) as exc:
        raise ProposerUnavailable(str(exc)) from exc
    return proposer
