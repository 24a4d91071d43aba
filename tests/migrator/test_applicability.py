"""Fix safety and rule activation, decided in one module."""

from __future__ import annotations

from packaging.version import Version

from apimig.migrator.applicability import api_state, applies, learned_tier, rule_state, tier_problem
from apimig.migrator.edits import Pos
from apimig.migrator.findings import Finding, Fix
from apimig.migrator.rules.schema import FixSpec, Rule
from apimig.migrator.versions import Target

RULE = Rule(id="numpy-trapz", library="numpy", kind="rename", old="numpy.trapz", message="m",
            source="https://numpy.org", fix=FixSpec(rename="numpy.trapezoid"),
            deprecated_in=Version("2.0"), removed_in=Version("2.4"))


def _finding(tier: str | None) -> Finding:
    fix = Fix(edits=(), tier=tier, title="t") if tier else None  # type: ignore[arg-type]
    return Finding("r", "numpy", "m", Pos(0, 0), Pos(0, 1), "deprecated", "https://x", fix=fix)


def test_tier_problems() -> None:
    assert tier_problem("risky", None, True, "rename") == "tier 'risky' is not one of safe, unsafe, manual"
    assert tier_problem("unsafe", None, True, "rename") == "an unsafe fix needs a reason"
    assert tier_problem("safe", None, False, "rename") == "tier safe needs a fix (or use tier: manual)"
    assert tier_problem("safe", None, True, "manual") == "kind manual needs tier manual"
    assert tier_problem("manual", None, False, "manual") is None


def test_which_fixes_apply() -> None:
    assert applies(_finding("safe"), unsafe=False)
    assert not applies(_finding("unsafe"), unsafe=False) and applies(_finding("unsafe"), unsafe=True)
    assert not applies(_finding(None), unsafe=True)
    assert _finding(None).tier == "manual"


def test_learned_rules_are_safe_only_when_always_consistent() -> None:
    assert learned_tier(True, 1.0) == ("safe", None)
    assert learned_tier(True, 0.9)[0] == learned_tier(False, 1.0)[0] == "unsafe"


def test_activation_and_state() -> None:
    old, mid, new = (Target("numpy", Version(v), "cli") for v in ("1.26", "2.1", "2.4"))
    assert rule_state(RULE, old)[0] is False and "before the deprecation in 2.0" in rule_state(RULE, old)[1]
    assert rule_state(RULE, mid)[0] and rule_state(RULE, new)[0] and rule_state(RULE, None)[0]
    assert [api_state(RULE, t) for t in (mid, new, None)] == ["deprecated", "removed", "removed"]
