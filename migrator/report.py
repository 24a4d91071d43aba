"""Output formats: text lines, JSON for scripts, SARIF 2.1.0 for code-scanning dashboards."""

from __future__ import annotations

import difflib
import json
from typing import Any, Sequence

from . import __version__, severity
from .engine import Engine
from .findings import FileResult, Finding


def text_line(path: str, f: Finding) -> str:
    extra = f" ({f.manual_reason})" if f.manual_reason else ""
    return f"{path}:{f.start.line + 1}:{f.start.col + 1}: {f.rule_id} {f.message} [fix: {f.tier}]{extra}"


def finding_dict(path: str, f: Finding) -> dict[str, Any]:
    return {
        "path": path, "rule": f.rule_id, "library": f.library, "message": f.message,
        "line": f.start.line + 1, "col": f.start.col + 1, "end_line": f.end.line + 1, "end_col": f.end.col + 1,
        "state": f.state, "fix": f.tier, "fix_title": f.fix.title if f.fix else None,
        "fix_origin": f.fix.origin if f.fix else None, "fix_confidence": f.fix.confidence if f.fix else None,
        "manual_reason": f.manual_reason, "origin": f.origin, "confidence": f.confidence, "source": f.source,
    }


def json_report(engine: Engine, results: Sequence[FileResult], mode: str) -> str:
    findings = [finding_dict(r.path, f) for r in results for f in r.findings]
    return json.dumps({
        "tool": "apimig", "version": __version__, "mode": mode,
        "targets": {k: (str(t.version) if t.version else None) for k, t in engine.targets.items()},
        "findings": findings,
        "fixed": [finding_dict(r.path, f) for r in results for f in r.applied],
        "dropped": [dict(finding_dict(r.path, f), reason=why) for r in results for f, why in r.dropped],
        "errors": [{"path": r.path, "error": r.error} for r in results if r.error],
        "remaining": [finding_dict(r.path, f) for r in results for f in r.remaining] if mode == "fix" else [],
        "summary": {"files": len(results), "findings": len(findings),
                    "fixable": sum(1 for r in results for f in r.findings if f.fix),
                    "changed_files": sum(1 for r in results if r.new_source is not None)},
    }, indent=2)


def sarif_report(engine: Engine, results: Sequence[FileResult]) -> str:
    used = sorted({f.rule_id for r in results for f in r.findings})
    rules = []
    for rid in used:
        rule = engine.by_id[rid]
        rules.append({
            "id": rid, "name": rid, "shortDescription": {"text": rule.message}, "helpUri": rule.source,
            "properties": {"library": rule.library, "tier": rule.tier,
                           "deprecated_in": str(rule.deprecated_in or ""), "removed_in": str(rule.removed_in or "")},
        })
    index = {rid: i for i, rid in enumerate(used)}
    out_results = []
    for r in results:
        for f in r.findings:
            level = severity.SARIF[severity.level_of(f.state, engine.config.severity)]
            res: dict[str, Any] = {
                "ruleId": f.rule_id, "ruleIndex": index[f.rule_id], "level": level,
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": r.path.replace("\\", "/")},
                    "region": {"startLine": f.start.line + 1, "startColumn": f.start.col + 1,
                               "endLine": f.end.line + 1, "endColumn": f.end.col + 1}}}],
                "properties": {"fix": f.tier, "state": f.state},
            }
            if f.fix:
                res["fixes"] = [{"description": {"text": f.fix.title}, "artifactChanges": [{
                    "artifactLocation": {"uri": r.path.replace("\\", "/")},
                    "replacements": [{"deletedRegion": {"startLine": e.start.line + 1, "startColumn": e.start.col + 1,
                                                        "endLine": e.end.line + 1, "endColumn": e.end.col + 1},
                                      "insertedContent": {"text": e.text}} for e in f.fix.edits]}]}]
            out_results.append(res)
    return json.dumps({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "apimig", "version": __version__,
                                      "informationUri": "https://github.com/apimig/apimig", "rules": rules}},
                  "results": out_results}],
    }, indent=2)


def unified_diff(path: str, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=f"a/{path}", tofile=f"b/{path}"))
