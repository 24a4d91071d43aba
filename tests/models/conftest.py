"""Shared fixtures for the model tier: the organism is built once and cached across runs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from .cases import TRAPZ_SRC

REPO = Path(__file__).resolve().parents[2]


def _cache_root() -> Path:
    env = os.environ.get("APIMIG_CACHE")
    return Path(env) if env else REPO / ".apimig-cache"


@pytest.fixture(scope="session")
def organism_dir() -> Path:
    """Directory of the model organism; built on first use (about a minute on 2 CPU cores)."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from apimig.models.organism import build_organism, organism_is_built
    from filelock import FileLock

    path = _cache_root() / "organism"
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock"):  # parallel sessions (xdist, engineers) build it once
        if not organism_is_built(path):
            build_organism(path, seed=0)
    return path


@pytest.fixture(scope="session")
def organism(organism_dir: Path) -> Any:
    """The organism loaded through the same path a real model takes."""
    from apimig.models.loading import load_model

    return load_model(organism_dir, device="cpu")


@pytest.fixture(scope="module")
def engine() -> Any:
    from apimig.migrator.api import Engine, load_config

    return Engine(load_config(targets={"numpy": "2.0", "pandas": "2.0"}))


@pytest.fixture(scope="module")
def finding(engine: Any) -> Any:
    (f,) = [f for f in engine.check(TRAPZ_SRC) if f.rule_id == "numpy-trapz"]
    return f
