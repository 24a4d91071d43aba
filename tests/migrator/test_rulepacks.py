"""Every bundled rule: its inline cases, its fixture files, and the packs' meta-rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from apimig.migrator.config import Config
from apimig.migrator.engine import Engine
from apimig.migrator.rules.packs import load_rules
from apimig.migrator.testing import run_case
from apimig.migrator.transforms import load_transforms

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RULES = load_rules()
BY_ID = {r.id: r for r in RULES}


def _latest_engine() -> Engine:
    return Engine(Config(installed_versions=False), rules=RULES)


ENGINE = _latest_engine()


@pytest.mark.parametrize(
    "rule_id,index", [(r.id, i) for r in RULES for i in range(len(r.cases))],
    ids=[f"{r.id}-{i}" for r in RULES for i in range(len(r.cases))])
def test_rule_case(rule_id: str, index: int) -> None:
    rule = BY_ID[rule_id]
    error = run_case(rule, rule.cases[index])
    assert error is None, error


def _fixture_ids(suffix: str) -> list[str]:
    return sorted(str(p.relative_to(FIXTURES))[: -len(suffix)] for p in FIXTURES.glob(f"*/*{suffix}"))


@pytest.mark.parametrize("stem", _fixture_ids(".in.py"))
def test_fixture_fix(stem: str, update_fixtures: bool) -> None:
    src = (FIXTURES / f"{stem}.in.py").read_text(encoding="utf-8")
    out_path = FIXTURES / f"{stem}.out.py"
    rule_id = Path(stem).name
    result = ENGINE.fix(src, stem, unsafe=True)
    got = result.new_source if result.new_source is not None else src
    assert rule_id in {f.rule_id for f in result.findings}, f"{rule_id} found nothing in its .in.py"
    if update_fixtures:
        out_path.write_text(got, encoding="utf-8")
    assert got == out_path.read_text(encoding="utf-8")
    assert ENGINE.fix(got, stem, unsafe=True).new_source is None, "a second run changed the file again"


@pytest.mark.parametrize("stem", _fixture_ids(".noop.py"))
def test_fixture_noop(stem: str) -> None:
    src = (FIXTURES / f"{stem}.noop.py").read_text(encoding="utf-8")
    rule_id = Path(stem).name
    flagged = [f for f in ENGINE.check(src, stem) if f.rule_id == rule_id]
    assert not flagged, f"line {flagged[0].start.line + 1}: {flagged[0].snippet}" if flagged else ""
    assert ENGINE.fix(src, stem, unsafe=True).new_source is None


def test_every_rule_has_fixtures() -> None:
    """Hand rules carry fixture files; mined rules carry their generated cases and evidence instead."""
    missing = [r.id for r in RULES if r.origin == "hand" and (not (FIXTURES / r.library / f"{r.id}.in.py").exists()
               or not (FIXTURES / r.library / f"{r.id}.noop.py").exists())]
    assert not missing, f"rules without fixture files: {missing}"


def test_rule_ids_unique_and_documented() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for r in RULES:
        assert r.source.startswith("https://") and r.message and r.first_version is not None, r.id


def test_every_transform_is_registered() -> None:
    registry = load_transforms()
    for r in RULES:
        if r.fix.transform:
            assert r.fix.transform in registry, r.id


def test_at_least_150_rules_over_eight_libraries() -> None:
    libraries = {r.library for r in RULES}
    assert {"numpy", "pandas", "torch", "tensorflow", "sklearn", "scipy", "matplotlib", "stdlib"} <= libraries
    assert len(RULES) >= 150


def test_every_bundled_pack_declares_its_library_in_a_header() -> None:
    """Library facts live in the pack headers, so every bundled pack has one and its rules agree."""
    from importlib import resources

    from apimig.migrator.rules.packs import load_pack_path

    root = resources.files("apimig.migrator.rulepacks")
    for entry in root.iterdir():
        if not str(entry).endswith(".yaml"):
            continue
        pack = load_pack_path(Path(str(entry)))
        assert pack.header is not None, entry
        assert pack.header.library == Path(str(entry)).stem and pack.header.distributions, entry
        assert {r.library for r in pack.rules} <= {pack.header.library}, entry
