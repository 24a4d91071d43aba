"""Turn mined changes into rules of the existing schema, each checked by running its own cases.

A fix is written only when the replacement is certain (the library names it and it exists in the
release the user migrates to); everything else becomes a ``manual`` rule carrying the hint. A
generated case that the engine does not reproduce demotes the rule to ``manual``; one that still
fails is dropped and counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..rules.loader import rule_from_dict
from ..testing import run_case
from .cases import argument_cases, method_cases, module_cases, name_cases
from .miner import MinedChange

MAX_EVIDENCE = 4


@dataclass
class Assembled:
    rules: list[dict[str, Any]] = field(default_factory=list)
    demoted: list[str] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)


def _kebab(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", text).lower()).strip("-")


def _versions(change: MinedChange) -> dict[str, str]:
    out = {}
    for key in ("deprecated_in", "removed_in", "replacement_since"):
        value = getattr(change, key)
        if value is not None:
            out[key] = str(value)
    return out


def _tier(change: MinedChange) -> dict[str, str]:
    """safe when the replacement takes every call of the old API unchanged, else unsafe with the reason."""
    if change.drop_in:
        return {"tier": "safe"}
    return {"tier": "unsafe", "reason": f"the library names `{change.replacement}` as the replacement, but its "
            "signature differs from the old one (or is unknown): calls may need other arguments"}


def _message(change: MinedChange, subject: str) -> str:
    when = []
    if change.deprecated_in:
        when.append(f"deprecated since {change.deprecated_in}")
    if change.removed_in:
        when.append(f"removed in {change.removed_in}")
    text = f"{subject} is {' and '.join(when) or 'deprecated'}"
    if change.replacement:
        text += f"; use `{change.replacement}`"
    elif change.new_param:
        text += f"; use `{change.new_param}`"
    elif change.hint:
        text += f"; the library suggests {change.hint}"
    said = change.message
    return f"{text}. {said}"[:400] if said else text


def rule_for(change: MinedChange, library: str, dist: str, modules: tuple[str, ...]) -> dict[str, Any] | None:
    path = change.path
    if path.split(".")[0] not in modules:
        return None
    first = change.candidates[0].evidence.release if change.candidates else ""
    rule: dict[str, Any] = {"id": f"{_kebab(library)}-{_kebab(path.split('.', 1)[-1])}", "library": library}
    if change.param is not None:
        rule["id"] += f"-{_kebab(change.param)}"
        subject = f"The `{change.param}` argument of `{path}`"
        if change.new_param:
            rule.update(kind="argument-rename", old=path, fix={"args": {"rename": {change.param: change.new_param}}},
                        **({"tier": "safe"} if change.rename_declared else {
                            "tier": "unsafe", "reason": f"the warning names `{change.new_param}`, but the library does "
                            "not declare a plain rename: its values may need translating"}))
        else:
            # the fix names the argument so that only calls passing it are reported
            rule.update(kind="argument-removal", old=path, fix={"args": {"remove": [change.param]}}, tier="manual")
        if change.is_method:
            rule.update(receiver=path.rpartition(".")[0], unknown_receiver="skip")
        cases = argument_cases(path, change.param, change.new_param, change.is_method)
    elif change.is_method:
        subject = f"`{path}`"
        cls = path.rpartition(".")[0]
        same_class = change.replacement and change.replacement.rpartition(".")[0] == cls
        if same_class:
            rule.update(kind="method-rename", old=path, receiver=cls, fix={"rename": change.replacement}, **_tier(change))
        else:
            rule.update(kind="manual", old=path, receiver=cls, tier="manual")
        rule["unknown_receiver"] = "skip"
        cases = method_cases(path, change.replacement if same_class else None)
    elif change.is_module:
        subject = f"The module `{path}`"
        rule.update(kind="manual", old=path, tier="manual")
        cases = module_cases(path)
    else:
        subject = f"`{path}`"
        if change.replacement:
            same_module = change.replacement.rpartition(".")[0] == path.rpartition(".")[0]
            rule.update(kind="rename" if same_module else "move", old=path, fix={"rename": change.replacement},
                        **_tier(change))
        else:
            rule.update(kind="manual", old=path, tier="manual")
        cases = name_cases(path, change.replacement)
    rule["message"] = _message(change, subject)
    rule.update(_versions(change))
    release = str(change.removed_in or change.deprecated_in or first)
    rule["source"] = f"https://pypi.org/project/{dist}/{release}/"
    rule["origin"] = "mined"
    rule["evidence"] = _evidence(change)
    rule["cases"] = cases
    return rule


def _evidence(change: MinedChange) -> list[dict[str, object]]:
    seen, out = set(), []
    for cand in change.candidates:
        item = cand.evidence.as_dict()
        key = (item["release"], item["file"], item["line"], item["kind"])
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out[:MAX_EVIDENCE]


def _demote(rule: dict[str, Any]) -> dict[str, Any]:
    manual = dict(rule, tier="manual")
    if manual["kind"] in ("rename", "move", "method-rename"):
        manual["kind"] = "manual"
        manual.pop("fix", None)
    manual["cases"] = [{"manual": c["bad"]} if "bad" in c else c for c in rule["cases"]]
    return manual


def _failure(raw: dict[str, Any]) -> str | None:
    try:
        rule = rule_from_dict({k: v for k, v in raw.items()})
    except ValueError as exc:
        return str(exc)
    for case in rule.cases:
        error = run_case(rule, case)
        if error:
            return error
    return None


def assemble(changes: list[MinedChange], library: str, dist: str, modules: tuple[str, ...]) -> Assembled:
    out = Assembled()
    ids: set[str] = set()
    for change in sorted(changes, key=lambda c: (c.path, c.param or "")):
        rule = rule_for(change, library, dist, modules)
        if rule is None:
            continue
        base, n = rule["id"], 2
        while rule["id"] in ids:
            rule["id"], n = f"{base}-{n}", n + 1
        error = _failure(rule)
        if error and rule["tier"] != "manual":
            rule = _demote(rule)
            out.demoted.append(rule["id"])
            error = _failure(rule)
        if error:
            out.dropped.append((rule["id"], error.splitlines()[0]))
            continue
        ids.add(rule["id"])
        out.rules.append(rule)
    return out
