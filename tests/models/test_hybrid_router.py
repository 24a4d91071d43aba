"""Tiers route findings by confidence as configured; every fix records origin and confidence."""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import pytest

from apimig.migrator.api import Engine, Finding, load_config
from apimig.migrator.hybrid import Candidate, FixProposer, Hybrid, Thresholds, route
from apimig.migrator.rules.schema import Rule

SRC = """import numpy as np
y = np.linspace(0, 1, 5)
a = np.trapz(y, dx=0.5)
p = np.product(y)
f = np.float_(3)
"""


class ScriptedProposer:
    """A deterministic FixProposer: answers from a table, records what it was asked."""

    name = "scripted"

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, bool]] = []

    def propose(self, finding: Finding, source: str, rule: Rule | None) -> Sequence[Candidate]:
        self.calls.append((finding.rule_id, rule is not None))
        return [Candidate(t, 0.9, "scripted") for t in self.answers.get(finding.rule_id, [])]


@pytest.fixture(scope="module")
def engine() -> Engine:
    base = Engine(load_config(targets={"numpy": "2.0"}))
    conf = {"numpy-trapz": 0.7, "numpy-product": 0.4}  # guided tier, model tier; float_ stays 1.0
    rules = [replace(r, confidence=conf[r.id], origin="learned") if r.id in conf else r for r in base.rules]
    return Engine(base.config, rules=rules)


def test_route_thresholds() -> None:
    f = Finding("r", "numpy", "m", None, None, "removed", "https://x", fix=None)  # type: ignore[arg-type]
    assert route(f) == "model"
    fixed = replace(f, fix=object(), confidence=0.9)  # type: ignore[arg-type]
    assert route(fixed) == "rule"
    assert route(replace(fixed, confidence=0.85)) == "rule"
    assert route(replace(fixed, confidence=0.7)) == "rule-guided-model"
    assert route(replace(fixed, confidence=0.59)) == "model"
    assert route(replace(fixed, confidence=0.7), Thresholds(rule=0.6, guided=0.5)) == "rule"
    with pytest.raises(ValueError):
        Thresholds(rule=0.5, guided=0.6)


def test_hybrid_routes_and_records_origin(engine: Engine) -> None:
    proposer = ScriptedProposer({
        "numpy-trapz": ["a = np.trapz(y, dx=1)", "a = np.trapezoid(y, dx=0.5)"],  # first is rejected
        "numpy-product": ["p = np.prod(y)"],
    })
    assert isinstance(proposer, FixProposer)
    res = Hybrid(engine, proposer).fix(SRC)
    by_rule = {d.finding.rule_id: d for d in res.decisions}
    assert {k: d.route for k, d in by_rule.items()} == {
        "numpy-trapz": "rule-guided-model", "numpy-product": "model", "numpy-float-underscore": "rule"}
    assert sorted(proposer.calls) == [("numpy-product", False), ("numpy-trapz", True)]  # only guided sees the rule
    trapz = by_rule["numpy-trapz"]
    assert trapz.fix is not None and trapz.fix.origin == "rule-guided-model"
    assert trapz.fix.confidence == pytest.approx((0.7 + 0.9) / 2)
    assert trapz.rejected[0][1] == "still uses the deprecated `np.trapz` (numpy-trapz)"
    assert by_rule["numpy-product"].fix.origin == "model"  # type: ignore[union-attr]
    assert by_rule["numpy-float-underscore"].fix.origin == "rule"  # type: ignore[union-attr]
    assert res.file.new_source == SRC.replace("np.trapz", "np.trapezoid").replace("np.product", "np.prod").replace(
        "np.float_", "np.float64")
    assert engine.check(res.file.new_source) == []


def test_rejected_candidates_leave_the_finding_manual(engine: Engine) -> None:
    res = Hybrid(engine, ScriptedProposer({"numpy-product": ["p = np.product(y"]})).fix(SRC)
    d = next(d for d in res.decisions if d.finding.rule_id == "numpy-product")
    assert d.fix is None and d.manual_reason is not None
    assert d.manual_reason.startswith("model candidates rejected: does not parse")
    assert "np.product(y)" in (res.file.new_source or SRC)


def test_without_a_model_rules_still_apply(engine: Engine) -> None:
    res = Hybrid(engine, None).fix(SRC)
    assert [d.finding.rule_id for d in res.decisions if d.fix] == ["numpy-float-underscore"]
    assert all("no model configured" in (d.manual_reason or "") for d in res.decisions if d.route != "rule")
    assert res.file.new_source is not None and "np.float64(3)" in res.file.new_source
