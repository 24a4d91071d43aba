"""The rule-pack disk cache gives the rules a fresh parse gives, and notices an edited pack."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from apimig.migrator.packcache import cached
from apimig.migrator.rules.loader import load_pack_file

PACK = """\
- id: demo-trapz
  library: numpy
  kind: rename
  old: numpy.trapz
  fix: {rename: numpy.trapezoid}
  tier: safe
  message: "`numpy.trapz` was removed in NumPy 2.0; use `numpy.trapezoid`"
  removed_in: "2.0"
  source: https://numpy.org/devdocs/release/2.0.0-notes.html
  cases:
    - {bad: "import numpy as np\\nnp.trapz(y)", good: "import numpy as np\\nnp.trapezoid(y)"}
    - {noop: "from scipy.integrate import trapz\\ntrapz(y)"}
"""


def test_cached_rules_equal_parsed_rules_and_follow_edits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APIMIG_CACHE_DIR", str(tmp_path / "cache"))
    pack = tmp_path / "demo.yaml"
    pack.write_text(PACK, encoding="utf-8")
    loads: list[Path] = []

    def load(p: Path) -> tuple[object, ...]:
        loads.append(p)
        return tuple(load_pack_file(p))

    first = cached(pack, load)
    second = cached(pack, load)
    assert second == first == tuple(load_pack_file(pack)) and len(loads) == 1
    assert list((tmp_path / "cache").glob("*.pickle"))
    pack.write_text(PACK.replace("numpy.trapezoid", "numpy.trapz2"), encoding="utf-8")
    os.utime(pack, ns=(1, 1))  # a different mtime even on a coarse clock
    third = cached(pack, load)
    assert len(loads) == 2 and third[0].fix.rename == "numpy.trapz2"  # type: ignore[attr-defined]


def test_a_corrupt_cache_entry_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APIMIG_CACHE_DIR", str(tmp_path / "cache"))
    pack = tmp_path / "demo.yaml"
    pack.write_text(PACK, encoding="utf-8")
    expected = cached(pack, lambda p: tuple(load_pack_file(p)))
    for entry in (tmp_path / "cache").glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert cached(pack, lambda p: tuple(load_pack_file(p))) == expected
