"""The model layer of ``apimig fix --model DIR``: run the hybrid over the files the rule pass looked at.

Why a second pass: the rule pass runs first (fast, in parallel, nothing written), so a file
with no finding never reaches the model. Each file with findings then goes through the
hybrid from its original text, so medium-confidence rules guide the model instead of being
applied blindly. When the model cannot load, the rule results are used as they are, with one
warning: nothing is lost and nothing else changes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from apimig.migrator.files import read_source, write_source
from apimig.migrator.findings import FileResult
from apimig.migrator.hybrid.proposer import ProposerUnavailable, load_proposer
from apimig.migrator.hybrid.router import Decision, Hybrid, Thresholds
from apimig.migrator.report import unified_diff


@dataclass
class ModelLayerReport:
    """What the model layer did, for the summary; ``loaded`` is False when it fell back to rules."""

    loaded: bool
    message: str = ""
    decisions: list[tuple[str, Decision]] = field(default_factory=list)

    @property
    def model_fixes(self) -> list[tuple[str, Decision]]:
        return [(p, d) for p, d in self.decisions if d.fix is not None and d.route != "rule"]


def apply_model_layer(model_dir: str | Path, engine: Any, results: list[FileResult], *, write: bool,
                      diffs: list[str], strategy: str = "with_rules", thresholds: Thresholds = Thresholds(),
                      device: str | None = None, say: Any = None, proposer_name: str = "model") -> ModelLayerReport:
    """Replace ``results`` (in place) by the hybrid's results; write or diff them as asked."""
    say = say or (lambda msg: print(msg, file=sys.stderr))
    todo = [i for i, r in enumerate(results) if r.findings and not r.error]
    report = ModelLayerReport(loaded=False)
    proposer = None
    if todo:
        try:
            say(f"apimig: loading model {model_dir}")
            proposer = load_proposer(model_dir, strategy=strategy, name=proposer_name, device=device)
            report.loaded = True
        except ProposerUnavailable as exc:
            report.message = f"apimig: model layer unavailable, using rules only: {exc}"
            say(report.message)
    hybrid = Hybrid(engine, proposer, thresholds) if proposer is not None else None
    unsafe = bool(getattr(getattr(engine, "config", None), "unsafe_fixes", False))
    for i in todo:
        r = results[i]
        path = Path(r.path)
        src = read_source(path)
        if hybrid is not None:
            res = hybrid.fix(src.text, r.path, unsafe=unsafe)
            new = res.file.new_source
            remaining = engine.check(new, r.path) if new is not None else _unfixed(res)
            results[i] = replace(res.file, remaining=list(remaining))
            report.decisions += [(r.path, d) for d in res.decisions]
        new = results[i].new_source
        if new is None:
            continue
        if write:
            write_source(path, new, src.encoding)
        else:
            diffs.append(unified_diff(r.path, src.text, new))
    for path, d in report.decisions:
        for line in d.explain(path):
            say(line)
    for path, d in report.model_fixes:
        assert d.fix is not None
        say(f"model fix: {path}:{d.finding.start.line + 1}:{d.finding.start.col + 1}: {d.finding.rule_id}: "
            f"{d.fix.title} [{d.fix.reason}]")
    return report


def _unfixed(res: Any) -> list[Any]:
    return [d.finding for d in res.decisions if d.fix is None]


def fixes_summary(report: ModelLayerReport) -> str:
    """One line for the summary: how many findings each route fixed or left manual."""
    routes: dict[str, list[int]] = {}
    for _, d in report.decisions:
        fixed, manual = routes.setdefault(d.route, [0, 0])
        routes[d.route] = [fixed + (d.fix is not None), manual + (d.fix is None)]
    parts = [f"{name}: {f} fixed, {m} left" for name, (f, m) in sorted(routes.items())]
    return "hybrid " + ("; ".join(parts) if parts else "had nothing to do")
