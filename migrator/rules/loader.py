"""Load rule packs from YAML, keeping line numbers so a bad entry names its file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .schema import Case, FixSpec, Provenance, Rule, parse_version

_FIELDS = {
    "id", "library", "kind", "old", "message", "source", "tier", "fix", "reason", "deprecated_in",
    "removed_in", "replacement_since", "receiver", "params", "unknown_receiver", "confidence", "origin",
    "provenance", "cases", "evidence", "verification",
}
_HEADER_FIELDS = {"library", "distributions", "modules", "rules"}
_CASE_FIELDS = {"bad", "good", "noop", "manual", "target"}
_FIX_FIELDS = {"rename", "template", "transform", "args"}


class RuleFileError(Exception):
    """A rule file that cannot be used; carries the path and the 1-based line."""

    def __init__(self, path: str | Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = str(path)
        self.line = line
        self.message = message


def _construct(node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return {_construct(k): _construct(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v) for v in node.value]
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _version(raw: Any, field: str) -> Any:
    if raw is None or raw == "":
        return None
    return parse_version(str(raw))


def _fix(raw: Any) -> FixSpec:
    if raw is None:
        return FixSpec()
    if not isinstance(raw, dict):
        raise ValueError("fix must be a mapping such as {rename: numpy.trapezoid}")
    unknown = set(raw) - _FIX_FIELDS
    if unknown:
        raise ValueError(f"unknown fix key(s) {sorted(unknown)}; use one of {sorted(_FIX_FIELDS)}")
    if len(raw) != 1:
        raise ValueError("fix must have exactly one of rename, template, transform, args")
    args = raw.get("args") or {}
    if not isinstance(args, dict) or set(args) - {"rename", "remove"}:
        raise ValueError("fix.args takes {rename: {old: new}, remove: [name]}")
    return FixSpec(
        rename=raw.get("rename"),
        template=raw.get("template"),
        transform=raw.get("transform"),
        arg_rename=dict(args.get("rename") or {}),
        arg_remove=tuple(args.get("remove") or ()),
    )


def _cases(raw: Any) -> tuple[Case, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError("cases must be a list")
    cases = []
    for item in raw:
        if not isinstance(item, dict) or set(item) - _CASE_FIELDS:
            raise ValueError(f"a case takes only {sorted(_CASE_FIELDS)}")
        target = {str(k): str(v) for k, v in (item.get("target") or {}).items()}
        cases.append(Case(bad=item.get("bad"), good=item.get("good"), noop=item.get("noop"),
                          manual=item.get("manual"), target=target))
    return tuple(cases)


def _provenance(raw: Any) -> Provenance | None:
    if raw is None:
        return None
    return Provenance(
        pairs=tuple(str(p) for p in raw.get("pairs", ())),
        support=int(raw.get("support", 0)),
        consistency=float(raw.get("consistency", 1.0)),
        precision=None if raw.get("precision") is None else float(raw["precision"]),
        preconditions=tuple(str(p) for p in raw.get("preconditions", ())),
    )


def rule_from_dict(raw: dict[str, Any], pack: str = "", line: int = 0) -> Rule:
    """Build and validate one rule; raises ValueError with a plain message."""
    unknown = set(raw) - _FIELDS
    if unknown:
        raise ValueError(f"unknown field(s) {sorted(unknown)}")
    for required in ("id", "library", "kind", "old", "message", "source"):
        if not raw.get(required):
            raise ValueError(f"missing required field {required!r}")
    rule = Rule(
        id=str(raw["id"]),
        library=str(raw["library"]),
        kind=str(raw["kind"]),
        old=str(raw["old"]),
        message=str(raw["message"]),
        source=str(raw["source"]),
        tier=raw.get("tier", "safe"),
        fix=_fix(raw.get("fix")),
        reason=raw.get("reason"),
        deprecated_in=_version(raw.get("deprecated_in"), "deprecated_in"),
        removed_in=_version(raw.get("removed_in"), "removed_in"),
        replacement_since=_version(raw.get("replacement_since"), "replacement_since"),
        receiver=raw.get("receiver"),
        params=tuple(raw.get("params") or ()),
        unknown_receiver=raw.get("unknown_receiver", "manual"),
        confidence=float(raw.get("confidence", 1.0)),
        origin=raw.get("origin", "hand"),
        provenance=_provenance(raw.get("provenance")),
        cases=_cases(raw.get("cases")),
        evidence=tuple(dict(e) for e in raw.get("evidence") or ()),
        verification=raw.get("verification"),
        pack=pack,
        line=line,
    )
    if rule.unknown_receiver not in ("manual", "named", "skip"):
        raise ValueError("unknown_receiver must be manual, named or skip")
    rule.validate()
    return rule


def load_pack_text(text: str, path: str | Path) -> list[Rule]:
    """Parse a pack's text; every problem raises RuleFileError(path, line, message)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise RuleFileError(path, line, f"invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if root is None:
        return []
    if isinstance(root, yaml.MappingNode):  # a pack with a header: {library, distributions, modules, rules}
        root = _rules_of_header(root, path)
    if not isinstance(root, yaml.SequenceNode):
        raise RuleFileError(path, root.start_mark.line + 1, "a rule pack must be a YAML list of rules")
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for node in root.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            raise RuleFileError(path, line, "each rule must be a mapping")
        try:
            raw = _construct(node)
            rule = rule_from_dict(raw, pack=str(path), line=line)
        except (ValueError, TypeError, yaml.YAMLError) as exc:
            rid = ""
            for key, value in node.value:
                if getattr(key, "value", None) == "id":
                    rid = f" (rule {value.value!r})"
            raise RuleFileError(path, line, f"{exc}{rid}") from None
        if rule.id in seen:
            raise RuleFileError(path, line, f"duplicate rule id {rule.id!r} (first at line {seen[rule.id]})")
        seen[rule.id] = line
        rules.append(rule)
    return rules


def _rules_of_header(root: yaml.MappingNode, path: str | Path) -> yaml.Node:
    keys = {getattr(k, "value", None): v for k, v in root.value}
    unknown = set(keys) - _HEADER_FIELDS
    if unknown:
        raise RuleFileError(path, root.start_mark.line + 1, f"unknown pack header field(s) {sorted(unknown)}")
    if "rules" not in keys:
        raise RuleFileError(path, root.start_mark.line + 1, "a pack header needs a 'rules' list")
    return keys["rules"]


def load_pack_file(path: str | Path) -> list[Rule]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleFileError(p, 0, f"cannot read rule file: {exc.strerror or exc}") from None
    return load_pack_text(text, p)
