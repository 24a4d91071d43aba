"""The readiness data: findings per library and rule by fix tier, blocking files, the next releases, a trend.

One plain-dict document is the JSON format and the HTML page's only input, so both always agree and a
previous JSON report can be read back for the trend.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from packaging.version import Version

from .. import __version__
from ..api import Config, Engine, Finding, SourceSyntaxError
from ..applicability import rule_state
from ..files import iter_python_files, read_source
from ..rules.schema import Rule
from ..versions import Target

TIERS = ("safe", "unsafe", "manual")
KIND = "apimig-readiness"


class ReportError(Exception):
    """A previous report that cannot be read; names the file."""


def _tiers(findings: Iterable[Finding]) -> dict[str, int]:
    counts = Counter(f.tier for f in findings)
    return {t: counts.get(t, 0) for t in TIERS}


def _shown(path: Path, root: Path | None) -> str:
    """The path as the report shows it: relative to the project root when inside it."""
    full = path.resolve()
    return full.relative_to(root.resolve()).as_posix() if root and full.is_relative_to(root.resolve()) else str(path)


def _scan(engine: Engine, files: Sequence[Path], root: Path | None) -> tuple[dict[str, list[Finding]], list[dict[str, str]]]:
    found: dict[str, list[Finding]] = {}
    errors: list[dict[str, str]] = []
    for path in files:
        try:
            # strict: a file that does not parse is listed as not read, never counted as clean
            found[_shown(path, root)] = engine.check(read_source(path).text, path=str(path), strict=True)
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError, SourceSyntaxError) as exc:
            errors.append({"path": _shown(path, root), "error": str(exc)})
    return found, errors


def _release_versions(rule: Rule) -> set[Version]:
    return {v for v in (rule.deprecated_in, rule.replacement_since, rule.removed_in) if v is not None}


def _relevant(engine: Engine, used: set[str]) -> dict[str, Target]:
    """The targets worth showing: libraries the project uses (findings now or at a later release) and
    those set on purpose; a version merely installed next to apimig says nothing about the project."""
    return {lib: t for lib, t in sorted(engine.targets.items()) if lib in used or (t.version is not None and t.origin != "installed")}


def _upcoming(engine: Engine, targets: dict[str, Target], found_later: dict[str, list[Finding]]) -> list[dict[str, Any]]:
    """Per library with a known target: each later release named by a rule, the rules that start firing
    there and the rules whose API is removed there, with the findings they would add to this project."""
    later_counts = Counter(f.rule_id for fs in found_later.values() for f in fs)
    out = []
    for lib, target in targets.items():
        if target.version is None:
            continue
        rules = [r for r in engine.rules if r.library == lib and engine.config.selects(r.id, r.library)]
        versions = sorted({v for r in rules for v in _release_versions(r) if v > target.version})
        releases = []
        for v in versions:
            at = Target(lib, v, "next release")
            before = Target(lib, _before(versions, v, target.version), "")
            starts = [r.id for r in rules if rule_state(r, at)[0] and not rule_state(r, before)[0]]
            removed = [r.id for r in rules if r.removed_in == v]
            releases.append({"version": str(v), "new_rules": sorted(starts), "removed_apis": sorted(removed),
                             "new_findings": sum(later_counts.get(rid, 0) for rid in starts)})
        out.append({"library": lib, "current": str(target.version), "origin": target.origin, "releases": releases})
    return out


def _before(versions: list[Version], v: Version, current: Version) -> Version:
    """The release just before ``v`` in the list (or the current target), to attribute a rule once."""
    i = versions.index(v)
    return versions[i - 1] if i else current


def _later_engine(engine: Engine) -> Engine:
    """The same configuration with every known target moved to the newest release its rules name."""
    newest = {}
    for lib, target in engine.targets.items():
        named = [v for r in engine.rules if r.library == lib for v in _release_versions(r)]
        if target.version is not None and named and max(named) > target.version:
            newest[lib] = str(max(named))
    config: Config = dataclasses.replace(engine.config, cli_targets={**engine.config.cli_targets, **newest})
    return Engine(config, rules=engine.rules)


def build(config: Config, paths: Sequence[Path], previous: Sequence[dict[str, Any]] = (),
          now: datetime | None = None) -> dict[str, Any]:
    """The readiness document for ``paths`` (the trend is ``previous`` reports, oldest first, then this one)."""
    engine = Engine(config)
    files = list(iter_python_files(paths, config.exclude, root=config.project_root,
                                   respect_gitignore=config.respect_gitignore, force_exclude=config.force_exclude))
    found, errors = _scan(engine, files, config.project_root)
    later, _ = _scan(_later_engine(engine), files, config.project_root)
    targets = _relevant(engine, {f.library for fs in (*found.values(), *later.values()) for f in fs})
    every = [f for fs in found.values() for f in fs]
    by_lib: dict[str, list[Finding]] = defaultdict(list)
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in every:
        by_lib[f.library].append(f)
        by_rule[f.rule_id].append(f)
    blocking = []
    for path, fs in sorted(found.items()):
        manual = [f for f in fs if f.tier == "manual"]
        if manual:
            blocking.append({"path": path, "libraries": sorted({f.library for f in manual}), "findings": [
                {"rule": f.rule_id, "line": f.start.line + 1, "state": f.state,
                 "reason": f.manual_reason or "no automatic fix"} for f in manual]})
    summary = {"files": len(files), "files_with_findings": sum(1 for fs in found.values() if fs),
               "findings": len(every), **_tiers(every), "errors": len(errors)}
    stamp = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    return {
        "kind": KIND, "tool": "apimig", "version": __version__, "generated": stamp,
        "targets": {lib: {"version": str(t.version) if t.version else None, "origin": t.origin}
                    for lib, t in targets.items()},
        "summary": summary,
        "libraries": [{"library": lib, **_tiers(fs)} for lib, fs in sorted(by_lib.items())],
        "rules": [{"rule": rid, "library": fs[0].library, "message": engine.by_id[rid].message, **_tiers(fs)}
                  for rid, fs in sorted(by_rule.items(), key=lambda kv: (-len(kv[1]), kv[0]))],
        "blocking": blocking,
        "upcoming": _upcoming(engine, targets, later),
        "trend": sorted([*(_trend_point(p) for p in previous), _trend_point({"generated": stamp, "summary": summary})],
                       key=lambda point: point["generated"]),
        "errors": errors,
    }


def _trend_point(report: dict[str, Any]) -> dict[str, Any]:
    s = report["summary"]
    return {"generated": report["generated"], "findings": s["findings"], **{t: s[t] for t in TIERS}}


def load_previous(path: str | Path) -> dict[str, Any]:
    """A report written earlier by ``apimig report --format json``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: cannot read: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path}:{exc.lineno}: not JSON: {exc.msg}") from exc
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ReportError(f"{path}:1: not an apimig readiness report (run `apimig report --format json`)")
    try:
        _trend_point(data)
    except (KeyError, TypeError) as exc:
        raise ReportError(f"{path}:1: readiness report lacks {exc}") from exc
    return data
