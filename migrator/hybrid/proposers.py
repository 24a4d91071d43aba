"""Find a fix proposer by name without importing torch until one is asked for.

Why a registry: the migrator may not import ``apimig.models``; proposers are registered as
lazy ``"module:attr"`` strings through the ``apimig.proposers`` entry point group, with the
built-in code model as the default ``model``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apimig.migrator.hybrid.proposer import FixProposer
from apimig.migrator.registry import Registry

PROPOSERS: Registry[Any] = Registry("proposer")
ENTRY_POINT_GROUP = "apimig.proposers"
_DEFAULT = "apimig.models.proposer:ModelProposer"


class ProposerUnavailable(RuntimeError):
    """The model tier cannot run here (no ml extra, or a bad model directory); one clear message."""


def _ensure_loaded() -> None:
    PROPOSERS.load_entry_points(ENTRY_POINT_GROUP)
    if "model" not in PROPOSERS:
        PROPOSERS.register("model", _DEFAULT)


def load_proposer(model_dir: str | Path, *, strategy: str = "with_rules", name: str = "model",
                  **kwargs: Any) -> FixProposer:
    """``PROPOSERS[name].from_path(model_dir, strategy, **kwargs)``; errors become ProposerUnavailable."""
    _ensure_loaded()
    try:
        factory = PROPOSERS.get(name)
    except ImportError as exc:
        raise ProposerUnavailable(f"the model tier needs the ml extra (pip install 'apimig[ml]'): {exc}") from exc
    try:
        proposer: FixProposer = factory.from_path(model_dir, strategy, **kwargs)
    except ImportError as exc:
        raise ProposerUnavailable(f"the model tier needs the ml extra (pip install 'apimig[ml]'): {exc}") from exc
    except (OSError, RuntimeError, ValueError) as exc:
        raise ProposerUnavailable(str(exc)) from exc
    return proposer
