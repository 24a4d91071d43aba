"""Extractor families: each reads one module's syntax tree and yields candidates.

A family is a callable ``(ModuleSource) -> Iterable[Candidate]`` registered under the
``apimig.miners`` entry point group, so a library can ship the reader for its own declarations.
"""

from __future__ import annotations

from typing import Callable, Iterable

from ...registry import Registry
from ..candidates import Candidate
from ..sources import ModuleSource

Extractor = Callable[[ModuleSource], Iterable[Candidate]]
MINERS: Registry[Extractor] = Registry("miner")


def load_miners(names: Iterable[str] | None = None) -> dict[str, Extractor]:
    """The registered families (all, or ``names``); none registered means a stale install."""
    MINERS.load_entry_points("apimig.miners")
    chosen = list(names) if names else MINERS.names()
    if not chosen:
        raise RuntimeError("no extractor is registered under the 'apimig.miners' entry points; "
                           "reinstall apimig (pip install -e .)")
    return {name: MINERS.get(name) for name in chosen}
