"""The shipped mined packs: each loads with the rule loader, carries its evidence, and passes its cases."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from apimig.migrator.rules.loader import load_pack_file
from apimig.migrator.testing import run_case

PACKDIR = Path(__file__).resolve().parents[3] / "migrator" / "rulepacks"
# opt-in packs for libraries with a hand pack (mined/), and the default packs of libraries without one
PACKS = sorted(p for p in [*PACKDIR.glob("mined/*.yaml"), *PACKDIR.glob("*.yaml")]
               if "origin: mined" in p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("pack", PACKS, ids=[p.stem for p in PACKS])
def test_mined_pack(pack: Path) -> None:
    header = yaml.safe_load(pack.read_text(encoding="utf-8"))
    assert set(header) == {"library", "distributions", "modules", "rules"}
    rules = load_pack_file(pack)
    assert rules, f"{pack.name} has no rules"
    for rule in rules:
        assert rule.origin == "mined" and rule.evidence, rule.id
        assert all(e.release and e.file and e.line >= 1 and e.kind for e in rule.evidence), rule.id
        assert rule.old.split(".")[0] in header["modules"], rule.id
        if rule.fixable:
            assert any(c.bad for c in rule.cases), rule.id
        for index, case in enumerate(rule.cases):
            error = run_case(rule, case)
            assert error is None, f"{rule.id}[{index}]: {error}"
