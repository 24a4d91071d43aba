"""The hybrid's validation is a whitelist: every adversarial candidate is refused with its reason,
the correct fixes of real rules pass. Pure migrator code: no torch, no model."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pytest
import yaml

from apimig.migrator.api import Engine, Finding, load_config
from apimig.migrator.config import Config
from apimig.migrator.hybrid import Candidate, validate_candidate
from apimig.migrator.hybrid.splice import splice
from apimig.migrator.rules.packs import load_rules

DATA = yaml.safe_load((Path(__file__).with_name("candidates.yaml")).read_text(encoding="utf-8"))
ENGINE = Engine(load_config(targets={"numpy": "2.0", "pandas": "2.0", "stdlib": "3.12"}))


def _finding(case: dict[str, Any]) -> tuple[str, Finding]:
    source = DATA["sources"][case["source"]]
    (finding,) = [f for f in ENGINE.check(source) if f.rule_id == case["rule"]]
    return source, finding


def reason_for(case: dict[str, Any]) -> str | None:
    """The validator's verdict on a case, spliced as the router splices: None when accepted."""
    source, finding = _finding(case)
    new = case["full"] if "full" in case else splice(source, finding, Candidate(case["candidate"]))
    verdict = validate_candidate(source, new, finding, ENGINE)
    return None if verdict.ok else verdict.reason


@pytest.mark.parametrize("case", DATA["rejected"], ids=[c["id"] for c in DATA["rejected"]])
def test_adversarial_candidate_is_rejected_with_its_reason(case: dict[str, Any]) -> None:
    reason = reason_for(case)
    assert reason is not None, f"{case['id']} ({case['class']}) was accepted"
    assert case["reason"] in reason


@pytest.mark.parametrize("case", DATA["accepted"], ids=[c["id"] for c in DATA["accepted"]])
def test_correct_fix_is_accepted(case: dict[str, Any]) -> None:
    assert reason_for(case) is None


def test_the_adversarial_set_covers_the_issue_classes() -> None:
    classes = {c["class"] for c in DATA["rejected"]}
    assert len(DATA["rejected"]) >= 28
    assert {"injected call", "injected conditional", "dropped sibling statement", "dropped keyword arg", "changed args",
            "module-level return", "break outside loop", "side-effect import hoisted", "alias rebinding import",
            "unused import", "attribute access on os", "attribute access on sys", "attribute access on subprocess",
            "eval/exec/__import__", "lambda smuggling", "walrus assignment", "comprehension with call",
            "string-format trickery", "changed code on another line", "added decorator", "deleted line",
            "star-import", "global statement"} <= classes


def _rule_fixes_on_their_lines() -> list[tuple[str, str, str]]:
    """(rule id, bad, good) of every bundled hand-rule case whose fix edits only the finding's lines
    and expression (a rule with ``result:`` also rewrites the use site around the call; mined rules
    are unproven until `apimig verify` has run them, so they are no yardstick for the whitelist)."""
    from apimig.migrator.hybrid.proposer import region_lines

    out = []
    for rule in RULE_ENGINE.rules:
        for case in rule.cases:
            if not (case.bad and case.good) or rule.result is not None or rule.origin != "hand":
                continue
            found = [f for f in RULE_ENGINE.check(case.bad) if f.rule_id == rule.id]
            if len(found) != 1:
                continue
            first, last = region_lines(found[0])
            blocks = difflib.SequenceMatcher(a=case.bad.splitlines(), b=case.good.splitlines()).get_opcodes()
            if all(first <= i1 and i2 <= last + 1 for tag, i1, i2, _, _ in blocks if tag != "equal"):
                out.append((rule.id, case.bad, case.good))
    return out


RULE_ENGINE = Engine(Config(installed_versions=False), rules=load_rules())
RULE_FIXES = _rule_fixes_on_their_lines()


@pytest.mark.parametrize("rule_id,bad,good", RULE_FIXES, ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(RULE_FIXES)])
def test_every_rule_fix_on_its_lines_passes_as_a_model_candidate(rule_id: str, bad: str, good: str) -> None:
    """The whitelist admits what the rules themselves write (signatures aside: some cases call
    with too few arguments on purpose, the installed library would refuse them)."""
    (finding,) = [f for f in RULE_ENGINE.check(bad) if f.rule_id == rule_id]
    verdict = validate_candidate(bad, good, finding, RULE_ENGINE, check_signatures=False)
    assert verdict.ok, verdict.reason
