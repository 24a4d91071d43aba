"""Run a rule's inline cases (``bad``/``good``, ``noop``, ``manual``): shared by pytest and `apimig test-rules`."""

from __future__ import annotations

from .config import Config
from .engine import Engine
from .rules.schema import Case, Rule


def active_version(rule: Rule) -> str:
    versions = [v for v in (rule.deprecated_in, rule.removed_in, rule.replacement_since) if v is not None]
    return str(max(versions))


def engine_for(rule: Rule, target: dict[str, str] | None = None) -> Engine:
    targets = dict(target or {rule.library: active_version(rule)})
    return Engine(Config(cli_targets=targets, installed_versions=False), rules=[rule])


def run_case(rule: Rule, case: Case) -> str | None:
    """None when the case holds, else what went wrong."""
    engine = engine_for(rule, dict(case.target) or None)
    if case.bad is not None:
        result = engine.fix(case.bad, unsafe=True)
        if rule.tier == "manual":
            if not any(f.rule_id == rule.id for f in result.findings):
                return "no finding for the 'bad' case"
            return None
        got = result.new_source if result.new_source is not None else case.bad
        if got != case.good:
            return f"expected:\n{case.good}\ngot:\n{got}"
        again = engine.fix(got, unsafe=True)
        if again.new_source is not None:
            return f"not idempotent; second run gave:\n{again.new_source}"
    if case.manual is not None:
        findings = [f for f in engine.check(case.manual) if f.rule_id == rule.id]
        if not findings:
            return "no finding for the 'manual' case"
        if any(f.fix for f in findings):
            return "the 'manual' case got a fix"
    if case.noop is not None:
        findings = [f for f in engine.check(case.noop) if f.rule_id == rule.id]
        if findings:
            return f"'noop' case flagged at line {findings[0].start.line + 1}: {findings[0].snippet}"
    return None
