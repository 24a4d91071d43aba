"""SARIF 2.1.0 as GitHub code scanning reads it.

- ``partialFingerprints`` so an alert keeps its identity when the code around it moves;
- each rule's ``fullDescription``, ``help`` and ``helpUri`` (its generated page, :func:`ruledocs.doc_url`);
- URIs relative to ``%SRCROOT%`` (``originalUriBaseIds``), percent-encoded: ``a%41.py`` is not ``aA.py``;
- columns in UTF-16 code units (SARIF's default ``columnKind``), converted from apimig's code points;
- ``invocations`` listing every file skipped and why.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import quote

from . import __version__, ruledocs, severity
from .edits import Pos
from .engine import Engine
from .findings import FileResult
from .report import Sources, fingerprinted
from .rules.schema import Rule

SRCROOT = "SRCROOT"


def utf16_column(line_text: str, col: int) -> int:
    """1-based UTF-16 column of the 0-based code-point column ``col``."""
    return len(line_text[:col].encode("utf-16-le")) // 2 + 1


@functools.lru_cache(maxsize=4096)
def artifact_location(path: str, root: Path) -> dict[str, str]:
    """Relative to ``root`` under ``%SRCROOT%`` when inside it, else an absolute ``file:`` URI; always encoded."""
    absolute = Path(path).resolve()
    try:
        rel = absolute.relative_to(root)
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": quote(rel.as_posix(), safe="/"), "uriBaseId": SRCROOT}


def _region(path: str, start: Pos, end: Pos, sources: Sources) -> dict[str, int]:
    return {"startLine": start.line + 1, "startColumn": utf16_column(sources.line(path, start.line), start.col),
            "endLine": end.line + 1, "endColumn": utf16_column(sources.line(path, end.line), end.col)}


def rule_descriptor(rule: Rule, config_severity: dict[str, str]) -> dict[str, Any]:
    fix = f"Fix ({rule.tier}): {ruledocs.fix_text(rule)}." + (f" Unsafe because: {rule.reason}." if rule.reason else "")
    url = ruledocs.doc_url(rule.library, rule.id)
    state = "removed" if rule.removed_in is not None else "deprecated"
    return {
        "id": rule.id, "name": rule.id, "shortDescription": {"text": rule.message},
        "fullDescription": {"text": f"{rule.message}. {fix}"},
        "help": {"text": f"{rule.message}\n{fix}\nSee {url}", "markdown": f"{rule.message}\n\n{fix}\n\n[Rule page]({url})"},
        "helpUri": url,
        "defaultConfiguration": {"level": severity.SARIF[severity.level_of(state, config_severity)]},
        "properties": {"library": rule.library, "tier": rule.tier, "source": rule.source,
                       "deprecated_in": str(rule.deprecated_in or ""), "removed_in": str(rule.removed_in or "")},
    }


def sarif_report(engine: Engine, results: Sequence[FileResult], sources: Sources | None = None,
                 root: Path | None = None) -> str:
    sources = sources or Sources()
    root = (root or Path.cwd()).resolve()
    used = sorted({f.rule_id for r in results for f in r.findings})
    index = {rid: i for i, rid in enumerate(used)}
    sev = dict(engine.config.severity)
    out_results = []
    for r, f, fp in fingerprinted(results, sources):
        where = dict(artifact_location(r.path, root))
        res: dict[str, Any] = {
            "ruleId": f.rule_id, "ruleIndex": index[f.rule_id],
            "level": severity.SARIF[severity.level_of(f.state, sev)],
            "message": {"text": f"{f.message} [fix: {f.tier}]" + (f" ({f.fix.reason})" if f.fix and f.fix.reason else "")},
            "locations": [{"physicalLocation": {"artifactLocation": where,
                                                "region": _region(r.path, f.start, f.end, sources)}}],
            "partialFingerprints": {"apimigFinding/v1": fp},
            "properties": {"fix": f.tier, "state": f.state},
        }
        if f.fix:
            res["fixes"] = [{"description": {"text": f.fix.title}, "artifactChanges": [{
                "artifactLocation": where,
                "replacements": [{"deletedRegion": _region(r.path, e.start, e.end, sources),
                                  "insertedContent": {"text": e.text}} for e in f.fix.edits]}]}]
        out_results.append(res)
    skipped = [{"level": "error", "message": {"text": f"{r.path}: {r.error}"},
                "locations": [{"physicalLocation": {"artifactLocation": dict(artifact_location(r.path, root))}}]}
               for r in results if r.error]
    return json.dumps({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "apimig", "version": __version__,
                                      "informationUri": "https://github.com/apimig/apimig",
                                      "rules": [rule_descriptor(engine.by_id[rid], sev) for rid in used]}},
                  "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri() + "/"}},
                  "invocations": [{"executionSuccessful": not skipped, "toolExecutionNotifications": skipped}],
                  "columnKind": "utf16CodeUnits",
                  "results": out_results}],
    })  # compact: json's C encoder (indent= falls back to the Python one, ~1 s per thousand results)
