"""Route each finding by confidence: rule directly, rule-guided model, or model alone.

Defaults (configurable): confidence >= 0.85 and a rule fix -> the rule's fix; 0.6-0.85 ->
the model, guided by the rule; below 0.6, or no rule fix -> the model alone. Every model
candidate is validated; the first that passes becomes an *unsafe* fix carrying its origin
and confidence; when none passes the finding stays manual with the reasons.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Literal

from apimig.migrator.applicability import MODEL_FIX_TIER
from apimig.migrator.edits import apply_positioned
from apimig.migrator.findings import FileResult, Finding, Fix
from apimig.migrator.hybrid.proposer import Candidate, FixProposer
from apimig.migrator.hybrid.splice import line_edits, map_line, splice
from apimig.migrator.hybrid.validate import validate_candidate
from apimig.migrator.rules.schema import Rule

Route = Literal["rule", "rule-guided-model", "model"]


@dataclass(frozen=True)
class Thresholds:
    rule: float = 0.85  # at or above: apply the rule's own fix
    guided: float = 0.6  # at or above (and below ``rule``): the rule guides the model

    def __post_init__(self) -> None:
        if not 0.0 <= self.guided <= self.rule <= 1.0:
            raise ValueError(f"thresholds must satisfy 0 <= guided ({self.guided}) <= rule ({self.rule}) <= 1")


def route(finding: Finding, thresholds: Thresholds = Thresholds()) -> Route:
    """Which route handles ``finding``: a function of the finding alone, so it survives edits."""
    if finding.fix is not None and finding.confidence >= thresholds.rule:
        return "rule"
    if finding.fix is not None and finding.confidence >= thresholds.guided:
        return "rule-guided-model"
    return "model"


@dataclass
class Decision:
    finding: Finding  # as found in the original source
    route: Route
    fix: Fix | None = None  # the fix applied (rule or validated model fix)
    rejected: list[tuple[Candidate, str]] = field(default_factory=list)
    manual_reason: str | None = None
    seconds: float = 0.0  # time spent proposing and validating

    def explain(self, path: str) -> list[str]:
        """One line per rejected candidate -- where, which rule, what it wrote and why it was refused --
        so ``apimig fix --model`` shows the user the validator's reasons, not just a count."""
        where = f"{path}:{self.finding.start.line + 1}:{self.finding.start.col + 1}: {self.finding.rule_id}"
        return [f"model candidate rejected: {where}: `{_shown(cand.text)}`: {why}" for cand, why in self.rejected]


def _shown(text: str, width: int = 80) -> str:
    """The candidate on one line, shortened: imports and code joined by `` ; ``."""
    flat = " ; ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


@dataclass
class HybridResult:
    file: FileResult
    decisions: list[Decision]


class Hybrid:
    """Combine an engine (anything with ``check``/``fix``/``by_id``) with an optional proposer."""

    def __init__(self, engine, proposer: FixProposer | None = None,  # type: ignore[no-untyped-def]
                 thresholds: Thresholds = Thresholds(), *, check_signatures: bool = True,
                 force_route: Route | None = None) -> None:
        self.engine = engine
        self.proposer = proposer
        self.thresholds = thresholds
        self.check_signatures = check_signatures
        self.force_route = force_route  # benchmarks: send every finding to one route

    def route(self, finding: Finding) -> Route:
        return self.force_route or route(finding, self.thresholds)

    def rule_of(self, finding: Finding) -> Rule | None:
        return getattr(self.engine, "by_id", {}).get(finding.rule_id)

    def propose_fix(self, finding: Finding, source: str, route_: Route) -> Decision:
        """Ask the proposer for ``finding`` in ``source``; keep the first candidate that validates."""
        decision = Decision(finding, route_)
        if self.proposer is None:
            decision.manual_reason = finding.manual_reason or "no model configured (apimig fix --model DIR)"
            return decision
        t0 = time.perf_counter()
        rule = self.rule_of(finding) if route_ == "rule-guided-model" else None
        for cand in self.proposer.propose(finding, source, rule):
            new = splice(source, finding, cand)
            verdict = validate_candidate(source, new, finding, self.engine, check_signatures=self.check_signatures)
            if not verdict.ok:
                decision.rejected.append((cand, verdict.reason or "rejected"))
                continue
            conf = cand.score if route_ == "model" else (finding.confidence + cand.score) / 2
            label = "rule-guided model" if route_ == "rule-guided-model" else "model"
            decision.fix = Fix(
                edits=line_edits(source, new), tier=MODEL_FIX_TIER,
                title=f"Rewrite `{finding.snippet}` ({label}, confidence {conf:.2f})",
                origin=route_, confidence=round(conf, 3),
                reason=f"proposed by {getattr(self.proposer, 'name', 'a model')}"
                       f"{f' ({cand.strategy})' if cand.strategy else ''}; validated, review before applying")
            break
        else:
            reasons = "; ".join(r for _, r in decision.rejected) or "the model proposed nothing"
            decision.manual_reason = f"model candidates rejected: {reasons}"
        decision.seconds = time.perf_counter() - t0
        return decision

    def fix(self, source: str, path: str = "<string>", *, unsafe: bool = True) -> HybridResult:
        """Model routes first (bottom-up, re-checking after each edit), then the rule route."""
        findings = self.engine.check(source, path)
        decisions = [Decision(f, self.route(f)) for f in findings]
        current = source
        for d in sorted((d for d in decisions if d.route != "rule"), key=lambda d: d.finding.start, reverse=True):
            live = self._locate(d.finding, source, current, path)
            if live is None:  # already gone (fixed along with another finding)
                d.manual_reason = "fixed with another finding"
                continue
            got = self.propose_fix(live, current, d.route)
            d.fix, d.rejected, d.manual_reason, d.seconds = got.fix, got.rejected, got.manual_reason, got.seconds
            if got.fix is not None:
                current = apply_positioned(current, got.fix.edits)
        rule_keys = {f.key for f in self.engine.check(current, path) if self.route(f) == "rule"}
        result: FileResult = self.engine.fix(current, path, unsafe=unsafe, only=rule_keys) if rule_keys else FileResult(path)
        applied_rule = {(f.rule_id, f.snippet) for f in result.applied}
        for d in decisions:
            if d.route == "rule":
                if (d.finding.rule_id, d.finding.snippet) in applied_rule and d.finding.fix is not None:
                    origin = "learned-rule" if d.finding.origin == "learned" else "rule"
                    d.fix = replace(d.finding.fix, origin=origin, confidence=d.finding.confidence)
                else:
                    d.manual_reason = d.finding.manual_reason or "rule fix not applied (unsafe fixes off?)"
        final = result.new_source or current
        out = FileResult(path, findings=findings, new_source=final if final != source else None,
                         applied=[replace(d.finding, fix=d.fix) for d in decisions if d.fix is not None],
                         dropped=list(result.dropped))
        return HybridResult(out, decisions)

    def _locate(self, finding: Finding, original: str, current: str, path: str) -> Finding | None:
        line = map_line(original, current, finding.start.line) if current != original else finding.start.line
        if line is None:
            return None
        for f in self.engine.check(current, path):
            if f.rule_id == finding.rule_id and f.start.line == line and f.start.col == finding.start.col:
                return f
        return None
