"""Synthetic releases for the miner tests: tiny wheels of fake packages written in tmp_path."""

from __future__ import annotations

import textwrap
import zipfile
from pathlib import Path
from typing import Callable

import pytest
from packaging.version import Version

from apimig.migrator.mining.extractors import load_miners
from apimig.migrator.mining.miner import Miner

Files = dict[str, str]


def write_wheel(folder: Path, dist: str, version: str, files: Files) -> Path:
    """A minimal valid wheel (pip accepts it from --find-links) holding ``files``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{dist}-{version}-py3-none-any.whl"
    info = f"{dist}-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as zf:
        for rel, text in files.items():
            zf.writestr(rel, textwrap.dedent(text))
        zf.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        zf.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{info}/RECORD", "")
    return path


@pytest.fixture
def wheels(tmp_path: Path) -> Callable[[str, dict[str, Files]], Path]:
    """Write one wheel per ``{version: files}`` into a find-links folder and return the folder."""

    def make(dist: str, releases: dict[str, Files]) -> Path:
        folder = tmp_path / "links"
        for version, files in releases.items():
            write_wheel(folder, dist, version, files)
        return folder

    return make


@pytest.fixture
def mine(wheels: Callable[[str, dict[str, Files]], Path]) -> Callable[..., dict]:
    """Mine synthetic releases straight from their wheels; returns {(path, param): MinedChange}."""

    def run(dist: str, releases: dict[str, Files]) -> dict:
        folder = wheels(dist, releases)
        versions = sorted(Version(v) for v in releases)
        miner = Miner(dist, versions, lambda v: folder / f"{dist}-{v}-py3-none-any.whl", load_miners())
        return {(c.path, c.param): c for c in miner.mine()}

    return run
