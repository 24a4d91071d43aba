"""Write learned rules as a YAML pack that the ordinary rule loader reads back unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import yaml

from ..rules.schema import Rule

HEADER = "# Learned by `apimig learn` from {source}; same schema as hand packs (docs/rules.md).\n"


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    fix: dict[str, Any] = {}
    if rule.fix.rename:
        fix = {"rename": rule.fix.rename}
    elif rule.fix.template:
        fix = {"template": rule.fix.template}
    elif rule.fix.transform:
        fix = {"transform": rule.fix.transform}
    elif rule.fix.arg_rename or rule.fix.arg_remove:
        args: dict[str, Any] = {}
        if rule.fix.arg_rename:
            args["rename"] = dict(rule.fix.arg_rename)
        if rule.fix.arg_remove:
            args["remove"] = list(rule.fix.arg_remove)
        fix = {"args": args}
    out: dict[str, Any] = {"id": rule.id, "library": rule.library, "kind": rule.kind, "old": rule.old}
    if rule.receiver:
        out["receiver"] = rule.receiver
    if rule.params:
        out["params"] = list(rule.params)
    out.update({"fix": fix, "tier": rule.tier})
    if rule.reason:
        out["reason"] = rule.reason
    out["message"] = rule.message
    for name in ("deprecated_in", "removed_in", "replacement_since"):
        value = getattr(rule, name)
        if value is not None:
            out[name] = str(value)
    out.update({"source": rule.source, "origin": rule.origin, "confidence": rule.confidence})
    if rule.provenance is not None:
        p = rule.provenance
        out["provenance"] = {"pairs": list(p.pairs), "support": p.support, "consistency": p.consistency,
                             "precision": p.precision, "preconditions": list(p.preconditions)}
    return out


def dump_pack(rules: Sequence[Rule], source: str = "examples") -> str:
    body = yaml.safe_dump([rule_to_dict(r) for r in rules], sort_keys=False, allow_unicode=True, width=110)
    return HEADER.format(source=source) + body


def write_pack(rules: Sequence[Rule], path: str | Path, source: str = "examples") -> None:
    Path(path).write_text(dump_pack(rules, source), encoding="utf-8")
